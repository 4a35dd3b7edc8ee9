import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Messages a searcher can act on: the foyer's phone (shown in alert messages), and the `alert.news`
 * notification that tells the people an alert reached of new facts, at most one per
 * (alert, referent, channel) pending at a time: the facts that arrive while it waits are appended
 * to `facts`, and it leaves at `next_attempt_at`, the end of its window.
 */
export class ActionableMessages1765400000000 implements MigrationInterface {
  name = 'ActionableMessages1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE foyers ADD COLUMN IF NOT EXISTS phone text`);
    await q.query(`ALTER TABLE notifications ADD COLUMN facts jsonb`);
    await q.query(`ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check`);
    await q.query(`
      ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN (
        'alert.notification', 'alert.resolved', 'alert.news', 'routine.information',
        'fugue.returned', 'interview.reminder', 'interview.overdue', 'interview.disclosure'))`);
    await q.query(`ALTER TABLE notifications DROP CONSTRAINT notifications_alert_kind_check`);
    await q.query(`
      ALTER TABLE notifications ADD CONSTRAINT notifications_alert_kind_check
        CHECK ((kind IN ('alert.notification', 'alert.resolved', 'alert.news')) = (alert_id IS NOT NULL))`);
    await q.query(`ALTER TABLE notifications ADD CONSTRAINT notifications_news_facts_check CHECK ((kind = 'alert.news') = (facts IS NOT NULL))`);
    // One news message waiting per (alert, referent, channel): later facts join it.
    await q.query(`
      CREATE UNIQUE INDEX notifications_pending_news_idx ON notifications (alert_id, referent_id, channel)
        WHERE kind = 'alert.news' AND status = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM notifications WHERE kind = 'alert.news'`);
    await q.query(`DROP INDEX notifications_pending_news_idx`);
    await q.query(`ALTER TABLE notifications DROP CONSTRAINT notifications_news_facts_check`);
    await q.query(`ALTER TABLE notifications DROP CONSTRAINT notifications_alert_kind_check`);
    await q.query(`
      ALTER TABLE notifications ADD CONSTRAINT notifications_alert_kind_check
        CHECK ((kind IN ('alert.notification', 'alert.resolved')) = (alert_id IS NOT NULL))`);
    await q.query(`ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check`);
    await q.query(`
      ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN (
        'alert.notification', 'alert.resolved', 'routine.information',
        'fugue.returned', 'interview.reminder', 'interview.overdue', 'interview.disclosure'))`);
    await q.query(`ALTER TABLE notifications DROP COLUMN facts`);
    await q.query(`ALTER TABLE foyers DROP COLUMN phone`);
  }
}
