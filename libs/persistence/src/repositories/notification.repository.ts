import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { NotificationEntity } from '../entities/notification.entity';
import { DeliveryRowRepository } from './delivery-rows';
import { keysetPage, Page } from './pagination';
import { rowsOf } from './raw-rows';

/** How long a notification is retried before it fails into the dead-letter list. */
export const NOTIFICATION_RETRY_WINDOW_MS = 24 * 3600 * 1000;

export type NewNotification = Pick<NotificationEntity, 'dedupKey' | 'kind' | 'alertId' | 'fugueId' | 'step' | 'referentId' | 'channel' | 'target' | 'fallback'>;

/** The notifications table: the delivery engine's queries (DeliveryRowRepository) and the escalation's own. */
@Injectable()
export class NotificationRepository extends DeliveryRowRepository<NotificationEntity> {
  constructor(dataSource: DataSource) {
    super(dataSource, NotificationEntity, 'notifications');
  }

  /** Adds the notifications not already there (by dedup key), first attempt at `now`, retried for 24 h. */
  async insertMissing(manager: EntityManager, rows: NewNotification[], now: Date): Promise<string[]> {
    if (rows.length === 0) return [];
    const result = await manager
      .createQueryBuilder()
      .insert()
      .into(NotificationEntity)
      .values(rows.map((r) => ({ ...r, status: 'pending' as const, attempts: 0, nextAttemptAt: now, retryUntil: new Date(now.getTime() + NOTIFICATION_RETRY_WINDOW_MS) })))
      .orIgnore()
      .returning(['id'])
      .execute();
    return (result.raw as { id: string }[]).map((r) => r.id);
  }

  findByAlert(alertId: string, manager?: EntityManager): Promise<NotificationEntity[]> {
    return this.repo(manager).find({ where: { alertId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** Pending step notifications of an alert that stopped escalating: they will not be sent. */
  async cancelPendingAlertNotifications(manager: EntityManager, alertId: string, reason: string): Promise<number> {
    const rows = rowsOf<{ id: string }>(
      await manager.query(
        `UPDATE notifications SET status = 'cancelled', last_error = $2, updated_at = now()
          WHERE alert_id = $1 AND kind = 'alert.notification' AND status = 'pending' RETURNING id`,
        [alertId, reason],
      ),
    );
    return rows.length;
  }

  async listFailed(limit: number, cursor: string | null): Promise<Page<NotificationEntity>> {
    const qb = this.repo().createQueryBuilder('n').where(`n.status = 'failed'`);
    return keysetPage(qb, 'n.updated_at', 'n.id', cursor, limit);
  }

  /** Everyone already notified of an alert, one row per (referent, channel). */
  async findSentForAlert(manager: EntityManager, alertId: string): Promise<NotificationEntity[]> {
    return this.repo(manager)
      .createQueryBuilder('n')
      .distinctOn(['n.referent_id', 'n.channel'])
      .where(`n.alert_id = :alertId AND n.kind = 'alert.notification' AND n.status = 'sent'`, { alertId })
      .orderBy('n.referent_id')
      .addOrderBy('n.channel')
      .addOrderBy('n.created_at')
      .getMany();
  }
}
