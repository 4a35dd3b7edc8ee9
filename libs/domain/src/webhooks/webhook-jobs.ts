import { Injectable, Logger } from '@nestjs/common';
import { JobName, JobProducer, webhookDeliveryJobId } from '@vigie/queue';
import { Clock } from '../clock/clock';
import { errorSummary } from '../errors/database-errors';

/** A delivery attempt to schedule once the transaction that decided it has committed. */
export interface DeliveryFollowUp {
  deliveryId: string;
  attempt: number;
  at: Date;
}

/**
 * The fast path of webhook deliveries. Due times live in PostgreSQL and the sweep delivers
 * anyway; a job that cannot be added (Redis down) is only logged.
 */
@Injectable()
export class WebhookJobs {
  private readonly logger = new Logger(WebhookJobs.name);

  constructor(private readonly producer: JobProducer, private readonly clock: Clock) {}

  dispatch(followUps: DeliveryFollowUp[], now = this.clock.nowMs()): void {
    for (const f of followUps) {
      this.producer
        .schedule(JobName.WebhookDeliver, { deliveryId: f.deliveryId, attempt: f.attempt }, webhookDeliveryJobId(f.deliveryId, f.attempt), f.at.getTime() - now)
        .catch((error: Error) => this.logger.debug(`Webhook delivery job deferred to the sweep: ${errorSummary(error)}`));
    }
  }
}
