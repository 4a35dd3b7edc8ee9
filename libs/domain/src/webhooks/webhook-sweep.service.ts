import { Injectable, Logger } from '@nestjs/common';
import { VigieConfig } from '@vigie/config';
import { InboundEventRepository, WebhookDeliveryRepository, WebhookEventRepository } from '@vigie/persistence';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhookJobs } from './webhook-jobs';
import { Clock } from '../clock/clock';
import { errorSummary } from '../errors/database-errors';

/** A delivery due this long without its job having run is delivered by the sweep itself. */
const FAST_PATH_GRACE_MS = 2000;
const BATCH = 50;
/** Inbound event ids are kept at least this long: beyond any sender's retry horizon. */
export const INBOUND_EVENT_RETENTION_DAYS = 7;
/** Settled outbound events (every delivery delivered or failed) are kept this long, with their deliveries and attempts. */
export const WEBHOOK_HISTORY_DAYS = 30;
const PRUNE_EVERY_MS = 3600_000;

/**
 * The webhook auditor: PostgreSQL holds every due attempt, whatever Redis lost. Each sweep sends
 * back to pending the deliveries interrupted by a crash (webhooks are at least once), delivers
 * the overdue ones, and once an hour forgets inbound event ids past their retention and settled
 * outbound events past WEBHOOK_HISTORY_DAYS.
 */
@Injectable()
export class WebhookSweepService {
  private readonly logger = new Logger(WebhookSweepService.name);
  private readonly inFlight = new Map<string, Promise<void>>();
  private lastPrune = 0;

  constructor(
    private readonly config: VigieConfig,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly inbound: InboundEventRepository,
    private readonly events: WebhookEventRepository,
    private readonly delivery: WebhookDeliveryService,
    private readonly jobs: WebhookJobs,
    private readonly clock: Clock,
  ) {}

  async sweep(now = this.clock.nowMs()): Promise<void> {
    const requeued = await this.deliveries.requeueInterrupted(new Date(now), 4 * this.config.VIGIE_DELIVERY_TIMEOUT_MS);
    for (const id of requeued) this.logger.warn(`Webhook delivery ${id} was interrupted while sending; it will be sent again`);
    // Deliveries run beside the sweep, so a slow receiver never holds the next sweep.
    for (const id of await this.deliveries.findOverdue(new Date(now), FAST_PATH_GRACE_MS, BATCH)) {
      if (this.inFlight.has(id)) continue;
      const run = this.delivery
        .deliver(id)
        .then((followUps) => this.jobs.dispatch(followUps))
        .catch((error: Error) => this.logger.warn(`Webhook delivery ${id} failed: ${errorSummary(error)}`))
        .finally(() => this.inFlight.delete(id));
      this.inFlight.set(id, run);
    }
    if (now - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = now;
      await this.inbound.pruneOlderThan(INBOUND_EVENT_RETENTION_DAYS);
      await this.events.pruneSettled(WEBHOOK_HISTORY_DAYS);
    }
  }

  /** Waits for the deliveries started by sweeps (graceful shutdown). */
  async drain(): Promise<void> {
    await Promise.all(this.inFlight.values());
  }
}
