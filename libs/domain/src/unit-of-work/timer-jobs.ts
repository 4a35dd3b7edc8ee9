import { Injectable, Logger } from '@nestjs/common';
import { alertStepJobId, JobName, JobProducer, notificationJobId, webhookDeliveryJobId } from '@vigie/queue';
import { Clock } from '../clock/clock';
import { errorSummary } from '../errors/database-errors';

/**
 * A timer job: the fast path of a deadline that lives in PostgreSQL (an escalation step, a
 * delivery attempt). Losing one costs a delay, never the work: the sweeps fire every due deadline.
 */
export type Timer =
  | { job: typeof JobName.AlertStep; alertId: string; step: number; at: Date }
  | { job: typeof JobName.NotificationSend; notificationId: string; attempt: number; at: Date }
  | { job: typeof JobName.WebhookDeliver; deliveryId: string; attempt: number; at: Date };

/** Adds timer jobs under deterministic ids; one that Redis refuses is only logged. */
@Injectable()
export class TimerJobs {
  private readonly logger = new Logger(TimerJobs.name);

  constructor(private readonly producer: JobProducer, private readonly clock: Clock) {}

  schedule(timers: readonly Timer[], now = this.clock.nowMs()): void {
    for (const timer of timers) {
      this.add(timer, timer.at.getTime() - now).catch((error: Error) => this.logger.debug(`Timer job ${timer.job} deferred to the sweep: ${errorSummary(error)}`));
    }
  }

  private add(timer: Timer, delayMs: number): Promise<void> {
    switch (timer.job) {
      case JobName.AlertStep:
        return this.producer.schedule(timer.job, { alertId: timer.alertId, step: timer.step }, alertStepJobId(timer.alertId, timer.step), delayMs);
      case JobName.NotificationSend:
        return this.producer.schedule(timer.job, { notificationId: timer.notificationId, attempt: timer.attempt }, notificationJobId(timer.notificationId, timer.attempt), delayMs);
      case JobName.WebhookDeliver:
        return this.producer.schedule(timer.job, { deliveryId: timer.deliveryId, attempt: timer.attempt }, webhookDeliveryJobId(timer.deliveryId, timer.attempt), delayMs);
    }
  }
}
