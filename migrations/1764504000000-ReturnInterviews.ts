import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Return interviews (integrations.md § Return interview): one per returned episode, with its
 * deadlines (the source of truth for reminders and overdue marks), the structured answers as
 * codes and booleans, and the free-text answers encrypted in `answers_enc`. Notifications gain
 * the kinds of the return and of interviews. `job_runs` remembers when a periodic job last ran.
 * Persisted names: never rename a table, column or state value; add a migration instead.
 */
export class ReturnInterviews1764504000000 implements MigrationInterface {
  name = 'ReturnInterviews1764504000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE return_interviews (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        fugue_id uuid NOT NULL REFERENCES fugues (id),
        youth_id uuid NOT NULL REFERENCES youths (id),
        department_code text NOT NULL REFERENCES departments (code),
        foyer_id uuid NOT NULL REFERENCES foyers (id),
        status text NOT NULL CHECK (status IN ('scheduled', 'completed', 'declined', 'not_held')),
        returned_at timestamptz NOT NULL,
        due_at timestamptz NOT NULL,
        reminder_due_at timestamptz NOT NULL,
        reminded_at timestamptz,
        overdue_at timestamptz,
        conducted_at timestamptz,
        interviewer_independent boolean,
        push_factors text[] NOT NULL DEFAULT '{}',
        pull_factors text[] NOT NULL DEFAULT '{}',
        exploitation_indicators text[] NOT NULL DEFAULT '{}',
        disclosed_sexual_exploitation boolean NOT NULL DEFAULT false,
        disclosed_violence boolean NOT NULL DEFAULT false,
        disclosed_sexual_violence boolean NOT NULL DEFAULT false,
        substance_use boolean,
        safety_advice_given boolean,
        referrals text[] NOT NULL DEFAULT '{}',
        answers_enc text,
        recorded_at timestamptz,
        recorded_by uuid REFERENCES api_clients (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        erased_at timestamptz,
        CHECK ((status = 'scheduled') = (recorded_at IS NULL))
      )`);
    // Exactly one interview per episode, whatever retries or races.
    await q.query(`CREATE UNIQUE INDEX return_interviews_fugue_key ON return_interviews (fugue_id)`);
    await q.query(`CREATE INDEX return_interviews_list_idx ON return_interviews (due_at DESC, id DESC)`);
    await q.query(`CREATE INDEX return_interviews_department_idx ON return_interviews (department_code, status, due_at DESC, id DESC)`);
    await q.query(`CREATE INDEX return_interviews_foyer_idx ON return_interviews (foyer_id, status, due_at DESC, id DESC)`);
    await q.query(
      `CREATE INDEX return_interviews_overdue_idx ON return_interviews (department_code, due_at DESC, id DESC) WHERE overdue_at IS NOT NULL`,
    );
    // The history of a youth for the triage (PRIOR_EXPLOITATION_DISCLOSURE).
    await q.query(`CREATE INDEX return_interviews_youth_idx ON return_interviews (youth_id, conducted_at) WHERE status = 'completed'`);
    // The deadline sweeps: interviews still scheduled whose reminder or due time has come.
    await q.query(`CREATE INDEX return_interviews_due_idx ON return_interviews (due_at) WHERE status = 'scheduled' AND overdue_at IS NULL`);
    await q.query(
      `CREATE INDEX return_interviews_reminder_idx ON return_interviews (reminder_due_at)
        WHERE status = 'scheduled' AND reminded_at IS NULL AND overdue_at IS NULL`,
    );

    await q.query(`ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check`);
    await q.query(`
      ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN (
        'alert.notification', 'alert.resolved', 'routine.information',
        'fugue.returned', 'interview.reminder', 'interview.overdue', 'interview.disclosure'))`);
    // Alert kinds belong to an alert; the others (routine, return, interviews) to none.
    await q.query(`
      ALTER TABLE notifications ADD CONSTRAINT notifications_alert_kind_check
        CHECK ((kind IN ('alert.notification', 'alert.resolved')) = (alert_id IS NOT NULL))`);
    await q.query(`CREATE INDEX notifications_fugue_idx ON notifications (fugue_id, created_at)`);

    await q.query(`
      CREATE TABLE job_runs (
        name text PRIMARY KEY,
        last_run_at timestamptz NOT NULL
      )`);
    await q.query(`INSERT INTO job_runs (name, last_run_at) VALUES ('retention', '-infinity')`);
    // Retention finds closed episodes by their end.
    await q.query(`CREATE INDEX fugues_ended_idx ON fugues (ended_at) WHERE ended_at IS NOT NULL AND erased_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX fugues_ended_idx`);
    await q.query(`DROP TABLE job_runs`);
    await q.query(`DROP INDEX notifications_fugue_idx`);
    await q.query(`ALTER TABLE notifications DROP CONSTRAINT notifications_alert_kind_check`);
    await q.query(`DELETE FROM notifications WHERE kind NOT IN ('alert.notification', 'alert.resolved', 'routine.information')`);
    await q.query(`ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check`);
    await q.query(`
      ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
        CHECK (kind IN ('alert.notification', 'alert.resolved', 'routine.information'))`);
    await q.query(`DROP TABLE return_interviews`);
  }
}
