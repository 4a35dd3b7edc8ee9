import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { VigieConfig } from '@vigie/config';
import {
  DataCipher,
  InterruptedRow,
  slot,
  WebhookDeliveryEntity,
  WebhookDeliveryRepository,
  WebhookEndpointEntity,
  WebhookEndpointRepository,
  WebhookEventEntity,
  WebhookEventRepository,
} from '@vigie/persistence';
import { DeliveryResult, WebhookChannel } from '@vigie/notifications';
import { Claim, DeliverySender, Settlement } from '../delivery/delivery-sender';
import { Clock } from '../clock/clock';
import { Work } from '../unit-of-work/unit-of-work';

/** What an attempt of a webhook delivery sends: its event, to its endpoint. */
export interface WebhookAttemptTarget {
  endpoint: WebhookEndpointEntity;
  event: WebhookEventEntity;
}

/**
 * The outbound webhook sender of the delivery engine (kind `webhook`, at least once: the receiver
 * deduplicates on webhook-id, the same on every attempt). Only an active endpoint receives; every
 * attempt is logged with its outcome; a 410 Gone disables the endpoint.
 */
@Injectable()
export class WebhookSender implements DeliverySender<WebhookDeliveryEntity, WebhookAttemptTarget> {
  private readonly logger = new Logger(WebhookSender.name);
  readonly kind = 'webhook';
  readonly label = 'Webhook delivery';
  readonly sentStatus = 'delivered';
  readonly refusedStatus = 'failed';
  readonly failedList = 'it is listed for replay';

  constructor(
    readonly rows: WebhookDeliveryRepository,
    private readonly endpoints: WebhookEndpointRepository,
    private readonly events: WebhookEventRepository,
    private readonly cipher: DataCipher,
    private readonly channel: WebhookChannel,
    private readonly config: VigieConfig,
    private readonly clock: Clock,
  ) {}

  async claim(manager: EntityManager, delivery: WebhookDeliveryEntity): Promise<Claim<WebhookAttemptTarget>> {
    const endpoint = await this.endpoints.findById(delivery.endpointId, manager);
    const event = await this.events.findById(delivery.eventId, manager);
    if (!endpoint || endpoint.deletedAt) return { refused: 'Not sent: endpoint deleted' };
    if (endpoint.status !== 'active') return { refused: 'Not sent: endpoint disabled' };
    if (!event) return { refused: 'Not sent: event gone' };
    return { message: { endpoint, event } };
  }

  claimed(delivery: WebhookDeliveryEntity): void {
    delivery.lastAttemptAt = delivery.sendingSince;
  }

  send(_delivery: WebhookDeliveryEntity, { endpoint, event }: WebhookAttemptTarget, timeoutMs: number, now: Date): Promise<DeliveryResult> {
    return this.channel.send({
      url: endpoint.url,
      secrets: this.signingSecrets(endpoint, now),
      eventId: event.id,
      type: event.type,
      data: event.data,
      allowPrivate: this.config.VIGIE_ALLOW_PRIVATE_WEBHOOK_TARGETS,
      occurredAt: event.occurredAt,
      timeoutMs,
    });
  }

  describe(result: DeliveryResult): string {
    return result.error ?? `HTTP ${result.status}`;
  }

  /** A manual redelivery starts a new series: attempts before it do not count. */
  failures(delivery: WebhookDeliveryEntity): number {
    return delivery.attempts - delivery.retryBase;
  }

  retryUntil(): null {
    return null;
  }

  restart(delivery: WebhookDeliveryEntity): void {
    delivery.retryBase = delivery.attempts;
  }

  /** Every attempt is logged, even one whose row the sweep has meanwhile sent back to pending. */
  async attempted(work: Work, deliveryId: string, attempt: number, startedAt: Date, result: DeliveryResult): Promise<void> {
    await this.rows.addAttempt(work.manager, {
      deliveryId,
      attempt,
      startedAt,
      durationMs: result.durationMs,
      statusCode: result.status ?? null,
      error: result.ok ? null : this.describe(result).slice(0, 500),
      succeeded: result.ok,
    });
    const outcome = result.ok ? `HTTP ${result.status}` : this.describe(result);
    this.logger.log(`Webhook delivery ${deliveryId} attempt ${attempt}: ${outcome} in ${result.durationMs} ms`);
  }

  /** 410 Gone: the receiver says the endpoint will never take anything again; it is disabled. */
  async finalFailure(work: Work, delivery: WebhookDeliveryEntity, result: DeliveryResult): Promise<string | null> {
    if (result.status !== 410) return null;
    await this.disableEndpoint(work.manager, delivery.endpointId);
    return 'HTTP 410: the endpoint is gone and was disabled';
  }

  async settled(_work: Work, delivery: WebhookDeliveryEntity, settlement: Settlement, result: DeliveryResult, now: Date): Promise<void> {
    delivery.lastStatusCode = result.status ?? null;
    if (settlement === 'sent') delivery.deliveredAt = now;
  }

  /** The lost attempt is logged: its outcome is unknown. */
  async interrupted(work: Work, rows: InterruptedRow<WebhookDeliveryEntity>[]): Promise<void> {
    for (const { row, sendingSince } of rows) {
      await this.rows.addAttempt(work.manager, {
        deliveryId: row.id,
        attempt: row.attempts,
        startedAt: sendingSince,
        durationMs: 0,
        statusCode: null,
        error: 'interrupted while sending: outcome unknown',
        succeeded: false,
      });
    }
  }

  /** The current secret, and the previous one while a rotation is in its overlap window. */
  private signingSecrets(endpoint: WebhookEndpointEntity, at: Date): string[] {
    const secrets = [this.cipher.decrypt<string>(endpoint.secretEnc, slot('webhook_endpoints', 'secret_enc', endpoint.id))];
    if (endpoint.previousSecretEnc && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > at) {
      secrets.push(this.cipher.decrypt<string>(endpoint.previousSecretEnc, slot('webhook_endpoints', 'previous_secret_enc', endpoint.id)));
    }
    return secrets;
  }

  private async disableEndpoint(manager: EntityManager, endpointId: string): Promise<void> {
    const endpoint = await this.endpoints.findLiveForUpdate(manager, endpointId);
    if (!endpoint || endpoint.status === 'disabled') return;
    endpoint.status = 'disabled';
    endpoint.disabledReason = 'The endpoint answered 410 Gone';
    endpoint.disabledAt = this.clock.now();
    await this.endpoints.save(manager, endpoint);
    this.logger.warn(`Webhook endpoint ${endpointId} answered 410 Gone: disabled`);
  }
}
