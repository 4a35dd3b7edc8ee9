import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every timeline event, once committed, is told on the `vigie_fugue_events` channel with its ids,
 * its type and the episode's département and foyer: the API processes LISTEN to it and stream it
 * to the console (GET /v1/stream), whichever process (an API, a worker) wrote the event.
 * PostgreSQL delivers a notification at commit and never for a rolled-back transaction, so only
 * committed facts are told. The payload carries ids and codes only, never personal data.
 * Persisted names: never rename the channel, the function or the trigger; add a migration instead.
 */
export class FugueEventNotify1765600000000 implements MigrationInterface {
  name = 'FugueEventNotify1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION notify_fugue_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('vigie_fugue_events', json_build_object(
                  'id', NEW.id::text,
                  'fugueId', NEW.fugue_id,
                  'type', NEW.type,
                  'departmentCode', f.department_code,
                  'foyerId', f.foyer_id,
                  'alertId', NEW.data->>'alertId',
                  'interviewId', NEW.data->>'interviewId')::text)
           FROM fugues f WHERE f.id = NEW.fugue_id;
        RETURN NULL;
      END
      $$`);
    await q.query(`
      CREATE TRIGGER fugue_events_notify AFTER INSERT ON fugue_events
        FOR EACH ROW EXECUTE FUNCTION notify_fugue_event()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER fugue_events_notify ON fugue_events`);
    await q.query(`DROP FUNCTION notify_fugue_event()`);
  }
}
