import { Injectable } from '@nestjs/common';
import { DeliveryResult, refused } from './delivery-result';
import { postJson } from './http-post';

/** The longest text the SMS channel sends (spec: at most 300 characters). */
export const SMS_MAX_LENGTH = 300;

/** One SMS handed to the HTTP gateway. */
export interface SmsSend {
  /** SMS_GATEWAY_URL: receives POST `{ to, text }`. */
  gatewayUrl: string;
  /** The phone number, e.g. `+33…`. */
  to: string;
  /** At most SMS_MAX_LENGTH characters; build it with `smsMessage`. */
  text: string;
  timeoutMs?: number;
}

/** Sends SMS through the HTTP gateway: a 2xx answer means the gateway took it. */
@Injectable()
export class SmsChannel {
  async send({ gatewayUrl, to, text, timeoutMs = 15000 }: SmsSend): Promise<DeliveryResult> {
    const startedAt = performance.now();
    if (text.length > SMS_MAX_LENGTH) return refused(`text longer than ${SMS_MAX_LENGTH} characters (${text.length})`, startedAt);
    if (!to.trim()) return refused('no phone number', startedAt);
    return postJson(gatewayUrl, JSON.stringify({ to, text }), {}, timeoutMs, startedAt);
  }
}
