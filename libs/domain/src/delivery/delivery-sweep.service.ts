import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { errorSummary } from '../errors/database-errors';
import { WebhookHousekeepingService } from '../webhooks/webhook-housekeeping.service';
import { DeliveryEngine } from './delivery-engine';
import { DELIVERY_KINDS, DeliveryKind } from './delivery-kinds';

/** A row due this long without its job having run is delivered by the sweep itself. */
const FAST_PATH_GRACE_MS = 2000;
const BATCH = 50;

/**
 * The delivery auditor: PostgreSQL holds every due attempt, whatever Redis lost. For each kind
 * of delivery, each sweep asks in one statement for the rows whose attempt is overdue and whether
 * a send was interrupted by a crash; it settles those (by the kind's guarantee) in a transaction
 * only when there are some, and delivers the overdue rows beside the sweep: a slow recipient never holds the
 * next one. A row already in flight from an earlier sweep is not started twice. Then the webhook
 * tables are pruned, once an hour.
 */
@Injectable()
export class DeliverySweepService {
  private readonly logger = new Logger(DeliverySweepService.name);
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly engine: DeliveryEngine,
    private readonly webhooks: WebhookHousekeepingService,
    private readonly clock: Clock,
  ) {}

  async sweep(nowMs = this.clock.nowMs()): Promise<void> {
    const now = new Date(nowMs);
    for (const kind of Object.keys(DELIVERY_KINDS) as DeliveryKind[]) {
      // One kind whose queries fail must not hold back the others.
      try {
        // One statement per kind; the settling transaction only when a send was interrupted.
        const { overdue, interrupted } = await this.engine.survey(kind, now, FAST_PATH_GRACE_MS, BATCH);
        if (interrupted) await this.engine.settleInterrupted(kind, now);
        for (const id of overdue) this.start(kind, id);
      } catch (error) {
        this.logger.warn(`Sweep of the ${kind} deliveries failed, retrying next sweep: ${errorSummary(error)}`);
      }
    }
    await this.webhooks.pruneIfDue(nowMs);
  }

  /** Waits for the deliveries started by sweeps (graceful shutdown). */
  async drain(): Promise<void> {
    await Promise.all(this.inFlight.values());
  }

  private start(kind: DeliveryKind, id: string): void {
    const key = `${kind}:${id}`;
    if (this.inFlight.has(key)) return;
    const run = this.engine
      .deliver(kind, id)
      .catch((error: Error) => this.logger.warn(`Delivery of ${kind} ${id} failed: ${errorSummary(error)}`))
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, run);
  }
}
