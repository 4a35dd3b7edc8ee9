import { Injectable, Logger } from '@nestjs/common';
import { alertStepJobId, JobName, JobProducer, notificationJobId } from '@vigie/queue';
import { Clock } from '../clock/clock';
import { errorSummary } from '../errors/database-errors';

/** A timer job to add once the transaction that decided it has committed. */
export type FollowUp =
  | { kind: 'step'; alertId: string; step: number; at: Date }
  | { kind: 'send'; notificationId: string; attempt: number; at: Date };

/**
 * The fast path of escalation timers. Deadlines live in PostgreSQL and the sweep fires them
 * anyway; a job that cannot be added (Redis down) is only logged.
 */
@Injectable()
export class EscalationJobs {
  private readonly logger = new Logger(EscalationJobs.name);

  constructor(private readonly producer: JobProducer, private readonly clock: Clock) {}

  dispatch(followUps: FollowUp[], now = this.clock.nowMs()): void {
    for (const f of followUps) {
      const delay = f.at.getTime() - now;
      const added =
        f.kind === 'step'
          ? this.producer.schedule(JobName.AlertStep, { alertId: f.alertId, step: f.step }, alertStepJobId(f.alertId, f.step), delay)
          : this.producer.schedule(JobName.NotificationSend, { notificationId: f.notificationId, attempt: f.attempt }, notificationJobId(f.notificationId, f.attempt), delay);
      added.catch((error: Error) => this.logger.debug(`Timer job deferred to the sweep: ${errorSummary(error)}`));
    }
  }
}
