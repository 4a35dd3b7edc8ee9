import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { VigieConfig } from '@vigie/config';

/** An outbox row whose job failed this many times, and is still not processed, is failing. */
export const REPEATED_FAILURES = 3;

/** What needs an operator's attention: deliveries that gave up, endpoints that stopped receiving, work that keeps failing. */
export interface AttentionCounts {
  /** Notifications (alerts, returns, interviews) failed for good: the dead-letter list. */
  deadLetterNotifications: number;
  /** Webhook deliveries failed for good, waiting for a redelivery. */
  failedWebhookDeliveries: number;
  /** Webhook endpoints disabled by a 410 and not deleted: their subscriber receives nothing. */
  disabledWebhookEndpoints: number;
  /** Outbox rows (triages, webhook fan-outs) whose job failed REPEATED_FAILURES times or more and is not done yet. */
  failingOutboxJobs: number;
  /**
   * Escalation steps, notifications and webhook deliveries due for longer than one republish
   * interval (VIGIE_OUTBOX_REPUBLISH_AFTER_MS): the sweeps run them every second, so their work
   * keeps failing (or no worker runs).
   */
  overdueEscalationSteps: number;
  overdueNotifications: number;
  overdueWebhookDeliveries: number;
}

@Injectable()
export class AttentionRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: VigieConfig,
  ) {}

  /** The counts at `now`, the service clock's time: due times are written from that clock. */
  async counts(now: Date): Promise<AttentionCounts> {
    const [row]: Record<'notifications' | 'deliveries' | 'endpoints' | 'outbox' | 'steps' | 'pending_notifications' | 'pending_deliveries', number>[] =
      await this.dataSource.query(
        `SELECT (SELECT count(*) FROM notifications WHERE status = 'failed')::int AS notifications,
                (SELECT count(*) FROM webhook_deliveries WHERE status = 'failed')::int AS deliveries,
                (SELECT count(*) FROM webhook_endpoints WHERE status = 'disabled' AND deleted_at IS NULL)::int AS endpoints,
                (SELECT count(*) FROM outbox WHERE processed_at IS NULL AND failures >= $1)::int AS outbox,
                (SELECT count(*) FROM alerts WHERE state = 'open' AND next_step_at <= $3::timestamptz - ($2::int * interval '1 millisecond'))::int AS steps,
                (SELECT count(*) FROM notifications
                  WHERE status = 'pending' AND next_attempt_at <= $3::timestamptz - ($2::int * interval '1 millisecond'))::int AS pending_notifications,
                (SELECT count(*) FROM webhook_deliveries
                  WHERE status = 'pending' AND next_attempt_at <= $3::timestamptz - ($2::int * interval '1 millisecond'))::int AS pending_deliveries`,
        [REPEATED_FAILURES, this.config.VIGIE_OUTBOX_REPUBLISH_AFTER_MS, now],
      );
    return {
      deadLetterNotifications: row.notifications,
      failedWebhookDeliveries: row.deliveries,
      disabledWebhookEndpoints: row.endpoints,
      failingOutboxJobs: row.outbox,
      overdueEscalationSteps: row.steps,
      overdueNotifications: row.pending_notifications,
      overdueWebhookDeliveries: row.pending_deliveries,
    };
  }
}
