import { Injectable } from '@nestjs/common';
import { DeliveryResult, refused } from './delivery-result';
import { postJson } from './http-post';
import { checkWebTarget, WebTargetError } from './web-target';
import { signWebhook } from './webhook-signer';

/** One signed webhook delivery attempt. */
export interface WebhookSend {
  url: string;
  /** The endpoint's `whsec_` secrets; several while one rotates. */
  secrets: readonly string[];
  /** The event id, sent as `webhook-id`: the same on every retry of one event. */
  eventId: string;
  /** The event type, e.g. `alert.notification`. */
  type: string;
  /** Thin data only: ids, codes, levels, times — never names or free text. */
  data: Record<string, unknown>;
  /** VIGIE_ALLOW_PRIVATE_WEBHOOK_TARGETS. */
  allowPrivate: boolean;
  /** When the event happened (body `timestamp`); the attempt time by default. */
  occurredAt?: Date;
  timeoutMs?: number;
}

/**
 * Delivers webhooks signed per Standard Webhooks: body `{ type, timestamp, data }`, a 2xx within
 * the timeout is success, redirects are not followed, and the target is checked again (DNS
 * included) before every attempt, the connection then going to the addresses checked.
 */
@Injectable()
export class WebhookChannel {
  async send({ url, secrets, eventId, type, data, allowPrivate, occurredAt, timeoutMs = 15000 }: WebhookSend): Promise<DeliveryResult> {
    const startedAt = performance.now();
    let checked: Awaited<ReturnType<typeof checkWebTarget>>;
    try {
      checked = await checkWebTarget(url, { allowPrivate });
    } catch (error) {
      if (error instanceof WebTargetError) return refused(`target refused: ${error.message}`, startedAt);
      throw error;
    }
    const now = new Date();
    const body = JSON.stringify({ type, timestamp: (occurredAt ?? now).toISOString(), data });
    let headers: Record<string, string>;
    try {
      headers = { ...signWebhook({ id: eventId, timestamp: now, body, secrets }) };
    } catch (error) {
      return refused(`not signed: ${(error as Error).message}`, startedAt);
    }
    // The connection goes to the addresses just checked: the name is not resolved a second time.
    return postJson(url, body, headers, timeoutMs, startedAt, checked);
  }
}
