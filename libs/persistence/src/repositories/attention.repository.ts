import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** What needs an operator's attention: deliveries that gave up, endpoints that stopped receiving. */
export interface AttentionCounts {
  /** Notifications (alerts, returns, interviews) failed for good: the dead-letter list. */
  deadLetterNotifications: number;
  /** Webhook deliveries failed for good, waiting for a redelivery. */
  failedWebhookDeliveries: number;
  /** Webhook endpoints disabled by a 410 and not deleted: their subscriber receives nothing. */
  disabledWebhookEndpoints: number;
}

@Injectable()
export class AttentionRepository {
  constructor(private readonly dataSource: DataSource) {}

  async counts(): Promise<AttentionCounts> {
    const [row]: { notifications: number; deliveries: number; endpoints: number }[] = await this.dataSource.query(
      `SELECT (SELECT count(*) FROM notifications WHERE status = 'failed')::int AS notifications,
              (SELECT count(*) FROM webhook_deliveries WHERE status = 'failed')::int AS deliveries,
              (SELECT count(*) FROM webhook_endpoints WHERE status = 'disabled' AND deleted_at IS NULL)::int AS endpoints`,
    );
    return { deadLetterNotifications: row.notifications, failedWebhookDeliveries: row.deliveries, disabledWebhookEndpoints: row.endpoints };
  }
}
