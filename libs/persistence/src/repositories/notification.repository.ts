import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { NotificationEntity } from '../entities/notification.entity';
import { keysetPage, Page } from './pagination';
import { rowsOf } from './raw-rows';

/** How long a notification is retried before it fails into the dead-letter list. */
export const NOTIFICATION_RETRY_WINDOW_MS = 24 * 3600 * 1000;

export type NewNotification = Pick<NotificationEntity, 'dedupKey' | 'kind' | 'alertId' | 'fugueId' | 'step' | 'referentId' | 'channel' | 'target' | 'fallback'>;

@Injectable()
export class NotificationRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(NotificationEntity);
  }

  /** Inserts the rows that do not exist yet (by dedup key) and returns the ids of the new ones. */
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

  findById(id: string, manager?: EntityManager): Promise<NotificationEntity | null> {
    return this.repo(manager).findOneBy({ id });
  }

  findByIdForUpdate(manager: EntityManager, id: string): Promise<NotificationEntity | null> {
    return this.repo(manager).createQueryBuilder('n').setLock('pessimistic_write').where('n.id = :id', { id }).getOne();
  }

  save(manager: EntityManager, notification: NotificationEntity): Promise<NotificationEntity> {
    return this.repo(manager).save(notification);
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

  /** Pending notifications whose attempt has been due for at least `graceMs` (their fast-path job was lost or is late). */
  async findOverdue(now: Date, graceMs: number, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM notifications WHERE status = 'pending' AND next_attempt_at <= $3::timestamptz - ($1::int * interval '1 millisecond')
        ORDER BY next_attempt_at LIMIT $2`,
      [graceMs, limit, now],
    );
    return rows.map((r) => r.id);
  }

  /**
   * A notification left in `sending` by a process that died mid-send may or may not have been
   * delivered. It is never sent again automatically (at most once): it fails, into the
   * dead-letter list, where an administrator decides whether to replay it.
   */
  async failInterruptedSends(now: Date, olderThanMs: number): Promise<NotificationEntity[]> {
    const rows = rowsOf<{ id: string }>(
      await this.dataSource.query(
        `UPDATE notifications
            SET status = 'failed', sending_since = NULL, updated_at = now(),
                last_error = 'Interrupted while sending: delivery unknown; replay it if it was not received'
          WHERE status = 'sending' AND sending_since <= $2::timestamptz - ($1::int * interval '1 millisecond')
          RETURNING id`,
        [olderThanMs, now],
      ),
    );
    if (rows.length === 0) return [];
    return this.repo().createQueryBuilder('n').where('n.id = ANY(:ids)', { ids: rows.map((r) => r.id) }).getMany();
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
