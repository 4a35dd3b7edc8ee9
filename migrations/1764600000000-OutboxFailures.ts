import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each outbox row counts the failed attempts of its job: a row whose job keeps failing is what
 * `vigie_attention{kind="failing_outbox_jobs"}` reports. Kept in PostgreSQL, the count survives
 * Redis being emptied. Persisted names: never rename a column; add a migration instead.
 */
export class OutboxFailures1764600000000 implements MigrationInterface {
  name = 'OutboxFailures1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox ADD COLUMN failures integer NOT NULL DEFAULT 0, ADD COLUMN last_failed_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox DROP COLUMN last_failed_at, DROP COLUMN failures`);
  }
}
