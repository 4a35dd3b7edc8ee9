import { Injectable, Logger } from '@nestjs/common';
import { VigieConfig } from '@vigie/config';
import { AlertRepository, FugueEventRepository, NotificationRepository } from '@vigie/persistence';
import { errorSummary } from '../errors/database-errors';
import { EscalationJobs } from './escalation-jobs';
import { EscalationService } from './escalation.service';
import { NotificationDeliveryService } from './notification-delivery.service';
import { Clock } from '../clock/clock';

/** A notification due this long without its job having run is delivered by the sweep itself. */
const FAST_PATH_GRACE_MS = 2000;
const BATCH = 50;

/**
 * The escalation auditor: whatever Redis lost or delayed, PostgreSQL still knows. Each sweep fires
 * the steps whose time has come, delivers notifications whose job never ran, and fails sends
 * interrupted by a crash (they go to the dead-letter list rather than being sent twice).
 */
@Injectable()
export class EscalationSweepService {
  private readonly logger = new Logger(EscalationSweepService.name);
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly config: VigieConfig,
    private readonly alerts: AlertRepository,
    private readonly notifications: NotificationRepository,
    private readonly events: FugueEventRepository,
    private readonly escalation: EscalationService,
    private readonly delivery: NotificationDeliveryService,
    private readonly jobs: EscalationJobs,
    private readonly clock: Clock,
  ) {}

  async sweep(): Promise<void> {
    const now = this.clock.now();
    for (const { id, step } of await this.alerts.findDueSteps(now, BATCH)) {
      // One alert whose step keeps failing must not hold back the others' steps.
      try {
        await this.escalation.fireStep(id, step);
      } catch (error) {
        this.logger.error(`Step ${step} of alert ${id} could not fire, retrying next sweep: ${errorSummary(error)}`);
      }
    }
    const interrupted = await this.notifications.failInterruptedSends(now, 4 * this.config.VIGIE_DELIVERY_TIMEOUT_MS);
    for (const n of interrupted) {
      this.logger.error(`Notification ${n.id} was interrupted while sending; it is in the dead-letter list`);
      await this.events.append(this.events.manager, {
        fugueId: n.fugueId,
        type: 'notification.failed',
        data: { notificationId: n.id, kind: n.kind, alertId: n.alertId, step: n.step, referentId: n.referentId, channel: n.channel, error: n.lastError },
      });
    }
    // Deliveries run beside the sweep, so a slow recipient never delays the next step.
    for (const id of await this.notifications.findOverdue(now, FAST_PATH_GRACE_MS, BATCH)) {
      if (this.inFlight.has(id)) continue;
      const run = this.delivery
        .deliver(id)
        .then((followUps) => this.jobs.dispatch(followUps))
        .catch((error: Error) => this.logger.warn(`Delivery of ${id} failed: ${errorSummary(error)}`))
        .finally(() => this.inFlight.delete(id));
      this.inFlight.set(id, run);
    }
  }

  /** Waits for the deliveries started by sweeps (graceful shutdown). */
  async drain(): Promise<void> {
    await Promise.all(this.inFlight.values());
  }
}
