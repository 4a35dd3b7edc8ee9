import { Injectable } from '@nestjs/common';
import { DeliveryResult, EmailChannel, SmsChannel, WebhookChannel } from '@vigie/notifications';
import { OutgoingNotification } from './notification-messages';

/** Hands a built notification to its channel: e-mail, SMS gateway or referent webhook. */
@Injectable()
export class NotificationChannels {
  constructor(
    private readonly email: EmailChannel,
    private readonly sms: SmsChannel,
    private readonly webhook: WebhookChannel,
  ) {}

  send(outgoing: OutgoingNotification): Promise<DeliveryResult> {
    if ('email' in outgoing) return this.email.send(outgoing.email);
    if ('sms' in outgoing) return this.sms.send(outgoing.sms);
    if ('webhook' in outgoing) return this.webhook.send(outgoing.webhook);
    return Promise.resolve({ ok: false, error: `${NOT_CONFIGURED}: ${outgoing.notConfigured}`, durationMs: 0 });
  }
}

/** How a failure for want of a setting begins: retrying it is pointless, it fails at once. */
export const NOT_CONFIGURED = 'not configured';
