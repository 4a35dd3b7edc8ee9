import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rotation of the hotline's inbound secret and of referents' webhook secrets with a 24 h
 * overlap, as webhook endpoints have: the previous secret, encrypted, and when it stops.
 * Persisted names: never rename a table or column; add a migration instead.
 */
export class SecretRotation1765000000000 implements MigrationInterface {
  name = 'SecretRotation1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE api_clients
        ADD COLUMN previous_inbound_webhook_secret_enc text,
        ADD COLUMN previous_inbound_webhook_secret_expires_at timestamptz,
        ADD CONSTRAINT api_clients_previous_inbound_secret_check
          CHECK ((previous_inbound_webhook_secret_enc IS NULL) = (previous_inbound_webhook_secret_expires_at IS NULL))
    `);
    await q.query(`
      ALTER TABLE referents
        ADD COLUMN previous_webhook_secret_enc text,
        ADD COLUMN previous_webhook_secret_expires_at timestamptz,
        ADD CONSTRAINT referents_previous_webhook_secret_check
          CHECK ((previous_webhook_secret_enc IS NULL) = (previous_webhook_secret_expires_at IS NULL))
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE referents DROP CONSTRAINT referents_previous_webhook_secret_check,
        DROP COLUMN previous_webhook_secret_expires_at, DROP COLUMN previous_webhook_secret_enc
    `);
    await q.query(`
      ALTER TABLE api_clients DROP CONSTRAINT api_clients_previous_inbound_secret_check,
        DROP COLUMN previous_inbound_webhook_secret_expires_at, DROP COLUMN previous_inbound_webhook_secret_enc
    `);
  }
}
