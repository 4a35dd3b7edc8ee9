import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { NotificationEntity, NotificationFact } from '../entities/notification.entity';
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

  /**
   * Adds a fact to the news message waiting for (alert, referent, channel), or writes one due at
   * `dueAt` (the end of its window) when none waits; the unique partial index
   * `notifications_pending_news_idx` keeps one per triple. Returns the id of a row just written,
   * null when the fact joined a waiting one.
   */
  async addNews(
    manager: EntityManager,
    row: Pick<NotificationEntity, 'alertId' | 'fugueId' | 'referentId' | 'channel' | 'target'>,
    fact: NotificationFact,
    dueAt: Date,
  ): Promise<string | null> {
    const rows = rowsOf<{ id: string; inserted: boolean }>(
      await manager.query(
        `INSERT INTO notifications (dedup_key, kind, alert_id, fugue_id, step, referent_id, channel, target, fallback, status, attempts, next_attempt_at, retry_until, facts)
         VALUES ('news:' || gen_random_uuid(), 'alert.news', $1, $2, NULL, $3, $4, $5, false, 'pending', 0, $6, $7, jsonb_build_array($8::jsonb))
         ON CONFLICT (alert_id, referent_id, channel) WHERE kind = 'alert.news' AND status = 'pending'
         DO UPDATE SET facts = notifications.facts || EXCLUDED.facts, updated_at = now()
         RETURNING id, (xmax = 0) AS inserted`,
        [row.alertId, row.fugueId, row.referentId, row.channel, row.target, dueAt, new Date(dueAt.getTime() + NOTIFICATION_RETRY_WINDOW_MS), JSON.stringify(fact)],
      ),
    );
    return rows[0]?.inserted ? rows[0].id : null;
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

  /** The (referent, channel) pairs told of an alert's end: its `alert.resolved` notifications. */
  async findResolutionNotices(manager: EntityManager, alertId: string): Promise<{ referentId: string; channel: string }[]> {
    return this.repo(manager).find({ where: { alertId, kind: 'alert.resolved' }, select: { referentId: true, channel: true } });
  }

  async listFailed(limit: number, cursor: string | null): Promise<Page<NotificationEntity>> {
    const qb = this.repo().createQueryBuilder('n').where(`n.status = 'failed'`);
    return keysetPage(qb, 'n.updated_at', 'n.id', cursor, limit);
  }

  /**
   * Everyone an alert reached, one row per (referent, channel): its step notifications sent, and
   * those leaving now (`sending`: claimed while the alert was open, the message may be gone already,
   * so whoever may have it hears what follows).
   */
  async findReachedByAlert(manager: EntityManager, alertId: string): Promise<NotificationEntity[]> {
    return this.repo(manager)
      .createQueryBuilder('n')
      .distinctOn(['n.referent_id', 'n.channel'])
      .where(`n.alert_id = :alertId AND n.kind = 'alert.notification' AND n.status IN ('sent', 'sending')`, { alertId })
      .orderBy('n.referent_id')
      .addOrderBy('n.channel')
      .addOrderBy('n.created_at')
      .getMany();
  }
}
