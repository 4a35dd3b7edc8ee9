import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency keys get a lease and a commit mark. The request holding a key owns it through
 * `lease_token` until `lease_until`; the work's own transaction sets `committed_at` only while the
 * token still matches, so a retry can take over an expired lease whose work never committed, and
 * never re-runs work that did. Persisted names: never rename a column; add a migration instead.
 */
export class IdempotencyLeases1764931200000 implements MigrationInterface {
  name = 'IdempotencyLeases1764931200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys ADD COLUMN lease_token uuid, ADD COLUMN lease_until timestamptz, ADD COLUMN committed_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys DROP COLUMN lease_token, DROP COLUMN lease_until, DROP COLUMN committed_at`);
  }
}
