import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DeliveryEngine, EscalationService } from '@vigie/domain';
import { JobName, JobPayloads, QueueName } from '@vigie/queue';
import { QueueProcessor } from './queue-processor';

/** The escalation queue: due steps and delivery attempts, one service call each. */
@Injectable()
export class EscalationProcessor implements QueueProcessor {
  readonly queue = QueueName.Escalation;
  readonly handles = [JobName.AlertStep, JobName.NotificationSend];

  constructor(
    private readonly escalation: EscalationService,
    private readonly deliveries: DeliveryEngine,
  ) {}

  async process(job: Job): Promise<void> {
    switch (job.name as JobName) {
      case JobName.AlertStep: {
        const { alertId, step } = job.data as JobPayloads['alert.step'];
        await this.escalation.fireStep(alertId, step);
        return;
      }
      case JobName.NotificationSend: {
        const { notificationId } = job.data as JobPayloads['notification.send'];
        await this.deliveries.deliver('notification', notificationId);
        return;
      }
    }
  }
}
