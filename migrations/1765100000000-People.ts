import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * People (the humans; API keys stay for systems), their sessions and e-mailed sign-in links, and
 * the person named in audit entries. Only hashes of session ids and link tokens are stored.
 * A person acts with their own id where a client's id was recorded (acknowledgements, interviews,
 * webhook endpoints), so those columns no longer reference api_clients only.
 * Persisted names: never rename a table or column; add a migration instead.
 */
export class People1765100000000 implements MigrationInterface {
  name = 'People1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE people (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        display_name text NOT NULL,
        email text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'foyer', 'police', 'child_protection', 'hotline')),
        foyer_ids uuid[] NOT NULL DEFAULT '{}',
        department_codes text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        deactivated_at timestamptz
      )
    `);
    await q.query(`CREATE UNIQUE INDEX people_email_unique ON people (lower(email)) WHERE deactivated_at IS NULL`);
    await q.query(`CREATE INDEX people_list_idx ON people (created_at DESC, id DESC)`);
    await q.query(`
      CREATE TABLE person_sessions (
        id_hash text PRIMARY KEY,
        person_id uuid NOT NULL REFERENCES people (id),
        csrf_token text NOT NULL,
        created_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        ended_at timestamptz
      )
    `);
    await q.query(`CREATE INDEX person_sessions_person_idx ON person_sessions (person_id) WHERE ended_at IS NULL`);
    await q.query(`
      CREATE TABLE sign_in_links (
        token_hash text PRIMARY KEY,
        person_id uuid NOT NULL REFERENCES people (id),
        next_path text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )
    `);
    await q.query(`ALTER TABLE audit_log ADD COLUMN person_id uuid`);
    await q.query(`CREATE INDEX audit_log_person_idx ON audit_log (person_id, id DESC) WHERE person_id IS NOT NULL`);
    await q.query(`ALTER TABLE alerts DROP CONSTRAINT IF EXISTS alerts_acknowledged_by_client_id_fkey`);
    await q.query(`ALTER TABLE return_interviews DROP CONSTRAINT IF EXISTS return_interviews_recorded_by_fkey`);
    await q.query(`ALTER TABLE webhook_endpoints DROP CONSTRAINT IF EXISTS webhook_endpoints_owner_client_id_fkey`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_log DROP COLUMN person_id`);
    await q.query(`DROP TABLE sign_in_links`);
    await q.query(`DROP TABLE person_sessions`);
    await q.query(`DROP TABLE people`);
  }
}
