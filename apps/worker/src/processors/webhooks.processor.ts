import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DeliveryEngine } from '@vigie/domain';
import { JobName, JobPayloads, QueueName } from '@vigie/queue';
import { QueueProcessor } from './queue-processor';

/** The webhooks queue: delivery attempts, one service call each. */
@Injectable()
export class WebhooksProcessor implements QueueProcessor {
  readonly queue = QueueName.Webhooks;
  readonly handles = [JobName.WebhookDeliver];

  constructor(private readonly deliveries: DeliveryEngine) {}

  async process(job: Job): Promise<void> {
    switch (job.name as JobName) {
      case JobName.WebhookDeliver: {
        const { deliveryId } = job.data as JobPayloads['webhook.deliver'];
        await this.deliveries.deliver('webhook', deliveryId);
        return;
      }
    }
  }
}
