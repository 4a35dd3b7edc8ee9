import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The correlation id a client sent (X-Correlation-Id, accepted only when it is a UUID), kept
 * beside the server's own `correlation_id`, never in its place: a caller must not be able to
 * choose the id under which its requests are audited.
 * Persisted names: never rename a table, column or state value; add a migration instead.
 */
export class AuditClientCorrelationId1764912000000 implements MigrationInterface {
  name = 'AuditClientCorrelationId1764912000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_log ADD COLUMN client_correlation_id uuid`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_log DROP COLUMN client_correlation_id`);
  }
}
