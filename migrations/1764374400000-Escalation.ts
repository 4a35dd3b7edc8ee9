import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Escalation: referents and their channels, per-département policies, alerts with their step
 * deadlines (the source of truth for timers), and one row per notification.
 * Persisted names: never rename a table, column or state value; add a migration instead.
 */
export class Escalation1764374400000 implements MigrationInterface {
  name = 'Escalation1764374400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE referents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        display_name text NOT NULL,
        role text NOT NULL CHECK (role IN ('foyer_duty', 'child_protection', 'department_duty', 'police', 'prosecutor')),
        department_code text NOT NULL REFERENCES departments (code),
        foyer_id uuid REFERENCES foyers (id),
        channels jsonb NOT NULL DEFAULT '[]',
        webhook_secret_enc text,
        api_client_id uuid REFERENCES api_clients (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CHECK ((role = 'foyer_duty') = (foyer_id IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX referents_department_role_idx ON referents (department_code, role) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX referents_foyer_idx ON referents (foyer_id) WHERE deleted_at IS NULL AND foyer_id IS NOT NULL`);
    await q.query(`CREATE INDEX referents_api_client_idx ON referents (api_client_id) WHERE api_client_id IS NOT NULL`);
    await q.query(`CREATE INDEX referents_list_idx ON referents (created_at DESC, id DESC) WHERE deleted_at IS NULL`);

    await q.query(`
      CREATE TABLE escalation_policies (
        department_code text PRIMARY KEY REFERENCES departments (code),
        policy jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by uuid
      )`);

    await q.query(`
      CREATE TABLE alerts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        fugue_id uuid NOT NULL REFERENCES fugues (id),
        department_code text NOT NULL REFERENCES departments (code),
        foyer_id uuid NOT NULL REFERENCES foyers (id),
        state text NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
        policy jsonb NOT NULL,
        opened_at timestamptz NOT NULL,
        last_step integer,
        next_step integer NOT NULL DEFAULT 0,
        next_step_at timestamptz,
        acknowledged_at timestamptz,
        acknowledged_by_referent_id uuid REFERENCES referents (id),
        acknowledged_by_client_id uuid REFERENCES api_clients (id),
        acknowledged_via text CHECK (acknowledged_via IN ('api', 'link')),
        acknowledgement_note_enc text,
        resolved_at timestamptz,
        resolution text
      )`);
    // Never two alerts running for one episode.
    await q.query(`CREATE UNIQUE INDEX alerts_one_unresolved_per_fugue_key ON alerts (fugue_id) WHERE state <> 'resolved'`);
    await q.query(`CREATE INDEX alerts_step_due_idx ON alerts (next_step_at) WHERE state = 'open' AND next_step_at IS NOT NULL`);
    await q.query(`CREATE INDEX alerts_list_idx ON alerts (opened_at DESC, id DESC)`);
    await q.query(`CREATE INDEX alerts_department_idx ON alerts (department_code, state, opened_at DESC, id DESC)`);
    await q.query(`CREATE INDEX alerts_foyer_idx ON alerts (foyer_id, opened_at DESC, id DESC)`);
    await q.query(`CREATE INDEX alerts_fugue_idx ON alerts (fugue_id)`);

    await q.query(`
      CREATE TABLE notifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        dedup_key text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('alert.notification', 'alert.resolved', 'routine.information')),
        alert_id uuid REFERENCES alerts (id),
        fugue_id uuid NOT NULL REFERENCES fugues (id),
        step integer,
        referent_id uuid NOT NULL REFERENCES referents (id),
        channel text NOT NULL CHECK (channel IN ('email', 'sms', 'webhook')),
        target text NOT NULL,
        fallback boolean NOT NULL DEFAULT false,
        status text NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        retry_until timestamptz NOT NULL DEFAULT now() + interval '24 hours',
        sending_since timestamptz,
        sent_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One notification per (alert, step, referent, channel): a replayed step creates nothing.
    await q.query(`CREATE UNIQUE INDEX notifications_dedup_key ON notifications (dedup_key)`);
    await q.query(`CREATE INDEX notifications_due_idx ON notifications (next_attempt_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX notifications_sending_idx ON notifications (sending_since) WHERE status = 'sending'`);
    await q.query(`CREATE INDEX notifications_alert_idx ON notifications (alert_id, created_at)`);
    await q.query(`CREATE INDEX notifications_failed_idx ON notifications (updated_at DESC, id DESC) WHERE status = 'failed'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notifications`);
    await q.query(`DROP TABLE alerts`);
    await q.query(`DROP TABLE escalation_policies`);
    await q.query(`DROP TABLE referents`);
  }
}
