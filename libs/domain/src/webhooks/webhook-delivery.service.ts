import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { VigieConfig } from '@vigie/config';
import {
  DataCipher,
  OutboxRepository,
  slot,
  WebhookDeliveryEntity,
  WebhookDeliveryRepository,
  WebhookEndpointEntity,
  WebhookEndpointRepository,
  WebhookEventEntity,
  WebhookEventRepository,
} from '@vigie/persistence';
import { DeliveryResult, WebhookChannel } from '@vigie/notifications';
import { DeliveryFollowUp } from './webhook-jobs';
import { webhookRetryDelayMs } from './webhook-retry';
import { Clock } from '../clock/clock';
import { errorSummary } from '../errors/database-errors';

interface Claimed {
  delivery: WebhookDeliveryEntity;
  endpoint: WebhookEndpointEntity;
  event: WebhookEventEntity;
}

/**
 * Fans events out to endpoints and delivers them. Webhooks are delivered at least once: the
 * receiver deduplicates on webhook-id, the same on every attempt. Each attempt is claimed
 * (`sending`) and committed before the request leaves, then logged with its outcome.
 */
@Injectable()
export class WebhookDeliveryService {
  private readonly logger = new Logger(WebhookDeliveryService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly events: WebhookEventRepository,
    private readonly endpoints: WebhookEndpointRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly outbox: OutboxRepository,
    private readonly cipher: DataCipher,
    private readonly channel: WebhookChannel,
    private readonly config: VigieConfig,
    private readonly clock: Clock,
  ) {}

  /** One pending delivery per endpoint that receives the event; a replayed job creates nothing. */
  fanOut(eventId: string, outboxId: string): Promise<DeliveryFollowUp[]> {
    return this.dataSource.transaction(async (manager) => {
      await this.outbox.markProcessedAt(manager, outboxId);
      const ids = await this.events.fanOut(manager, eventId);
      const now = this.clock.now();
      return ids.map((deliveryId) => ({ deliveryId, attempt: 1, at: now }));
    });
  }

  /** Makes the attempt that is due, if any; returns the next one to schedule after a failure. */
  async deliver(deliveryId: string, now = this.clock.now()): Promise<DeliveryFollowUp[]> {
    const claimed = await this.claim(deliveryId, now);
    if (!claimed) return [];
    const { delivery, endpoint, event } = claimed;
    const startedAt = new Date();
    let result: DeliveryResult;
    try {
      result = await this.channel.send({
        url: endpoint.url,
        secrets: this.signingSecrets(endpoint, startedAt),
        eventId: event.id,
        type: event.type,
        data: event.data,
        allowPrivate: this.config.VIGIE_ALLOW_PRIVATE_WEBHOOK_TARGETS,
        occurredAt: event.occurredAt,
        timeoutMs: this.config.VIGIE_DELIVERY_TIMEOUT_MS,
      });
    } catch (error) {
      result = { ok: false, error: `not sent: ${errorSummary(error)}`, durationMs: Date.now() - startedAt.getTime() };
    }
    return this.finish(delivery.id, delivery.attempts, startedAt, result);
  }

  /** The current secret, and the previous one while a rotation is in its overlap window. */
  private signingSecrets(endpoint: WebhookEndpointEntity, at: Date): string[] {
    const secrets = [this.cipher.decrypt<string>(endpoint.secretEnc, slot('webhook_endpoints', 'secret_enc', endpoint.id))];
    if (endpoint.previousSecretEnc && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > at) {
      secrets.push(this.cipher.decrypt<string>(endpoint.previousSecretEnc, slot('webhook_endpoints', 'previous_secret_enc', endpoint.id)));
    }
    return secrets;
  }

  /** Locks the row; only a due, pending delivery to a live, active endpoint is claimed. */
  private claim(id: string, now: Date): Promise<Claimed | null> {
    return this.dataSource.transaction(async (manager) => {
      const delivery = await this.deliveries.findByIdForUpdate(manager, id);
      if (!delivery || delivery.status !== 'pending' || delivery.nextAttemptAt > now) return null;
      const endpoint = await this.endpoints.findById(delivery.endpointId, manager);
      const event = await this.events.findById(delivery.eventId, manager);
      const refusal = !endpoint || endpoint.deletedAt ? 'endpoint deleted' : endpoint.status !== 'active' ? 'endpoint disabled' : !event ? 'event gone' : null;
      if (refusal || !endpoint || !event) {
        delivery.status = 'failed';
        delivery.lastError = `Not sent: ${refusal}`;
        await this.deliveries.save(manager, delivery);
        return null;
      }
      delivery.status = 'sending';
      delivery.sendingSince = this.clock.now();
      delivery.lastAttemptAt = delivery.sendingSince;
      delivery.attempts += 1;
      await this.deliveries.save(manager, delivery);
      return { delivery, endpoint, event };
    });
  }

  private async finish(id: string, attempt: number, startedAt: Date, result: DeliveryResult): Promise<DeliveryFollowUp[]> {
    const followUps = await this.dataSource.transaction(async (manager) => {
      await this.deliveries.addAttempt(manager, {
        deliveryId: id,
        attempt,
        startedAt,
        durationMs: result.durationMs,
        statusCode: result.status ?? null,
        error: result.ok ? null : (result.error ?? `HTTP ${result.status}`).slice(0, 500),
        succeeded: result.ok,
      });
      const delivery = await this.deliveries.findByIdForUpdate(manager, id);
      // Requeued by the sweep meanwhile (this attempt outlived the interruption threshold): logged only.
      if (!delivery || delivery.status !== 'sending' || delivery.attempts !== attempt) return [];
      const now = this.clock.now();
      delivery.sendingSince = null;
      delivery.lastStatusCode = result.status ?? null;
      if (result.ok) {
        delivery.status = 'delivered';
        delivery.deliveredAt = now;
        delivery.lastError = null;
        await this.deliveries.save(manager, delivery);
        return [];
      }
      delivery.lastError = (result.error ?? `HTTP ${result.status}`).slice(0, 500);
      if (result.status === 410) {
        await this.disableEndpoint(manager, delivery.endpointId);
        delivery.status = 'failed';
        delivery.lastError = 'HTTP 410: the endpoint is gone and was disabled';
        await this.deliveries.save(manager, delivery);
        return [];
      }
      const delay = webhookRetryDelayMs(delivery.attempts - delivery.retryBase);
      if (delay === null) {
        delivery.status = 'failed';
        await this.deliveries.save(manager, delivery);
        this.logger.error(`Webhook delivery ${id} failed for good after ${delivery.attempts} attempts; it is listed for replay`);
        return [];
      }
      delivery.status = 'pending';
      delivery.nextAttemptAt = new Date(now.getTime() + delay);
      await this.deliveries.save(manager, delivery);
      return [{ deliveryId: id, attempt: delivery.attempts + 1, at: delivery.nextAttemptAt }];
    });
    const outcome = result.ok ? `HTTP ${result.status}` : (result.error ?? `HTTP ${result.status}`);
    this.logger.log(`Webhook delivery ${id} attempt ${attempt}: ${outcome} in ${result.durationMs} ms`);
    return followUps;
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
