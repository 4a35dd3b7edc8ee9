import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { WebhookDeliveryService, WebhookJobs } from '@vigie/domain';
import { JobData, JobName, JobPayloads, QueueName } from '@vigie/queue';
import { QueueProcessor } from './queue-processor';

/** The webhooks queue: fan-outs of new events and delivery attempts, one service call each. */
@Injectable()
export class WebhooksProcessor implements QueueProcessor {
  readonly queue = QueueName.Webhooks;
  readonly handles = [JobName.WebhookFanout, JobName.WebhookDeliver];

  constructor(
    private readonly delivery: WebhookDeliveryService,
    private readonly jobs: WebhookJobs,
  ) {}

  async process(job: Job): Promise<void> {
    switch (job.name as JobName) {
      case JobName.WebhookFanout: {
        const { eventId, outboxId } = job.data as JobData<typeof JobName.WebhookFanout>;
        this.jobs.dispatch(await this.delivery.fanOut(eventId, outboxId));
        return;
      }
      case JobName.WebhookDeliver: {
        const { deliveryId } = job.data as JobPayloads['webhook.deliver'];
        this.jobs.dispatch(await this.delivery.deliver(deliveryId));
        return;
      }
    }
  }
}
