import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Earlier versions fanned an outbound webhook event out in a `webhook.fanout` job of its own,
 * published through the outbox; that job no longer exists. Any such outbox row still unprocessed
 * is fanned out here, by the routing rule of the version that removed the job: one pending
 * delivery, due now, per endpoint that is active, not deleted, subscribed to the event's type
 * since before the event, within its scope (départements, worrying only), and not owned by a
 * revoked hotline client. The row is then marked processed; the delivery sweep sends the
 * deliveries. Nothing to undo: the rows it wrote are ordinary deliveries.
 */
export class LegacyWebhookFanout1765300000000 implements MigrationInterface {
  name = 'LegacyWebhookFanout1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      WITH pending AS (
        SELECT id, (payload->>'eventId')::uuid AS event_id FROM outbox
         WHERE job_name = 'webhook.fanout' AND processed_at IS NULL
         FOR UPDATE
      ), ev AS (
        SELECT id, type, department_code, level, occurred_at FROM webhook_events WHERE id IN (SELECT event_id FROM pending)
      ), deliveries AS (
        INSERT INTO webhook_deliveries (event_id, endpoint_id, next_attempt_at)
        SELECT ev.id, ep.id, now()
          FROM ev
          JOIN webhook_endpoints ep ON ep.events @> ARRAY[ev.type] AND ep.status = 'active' AND ep.deleted_at IS NULL
                                    AND ep.created_at <= ev.occurred_at
          JOIN api_clients owner ON owner.id = ep.owner_client_id
         WHERE (ep.department_codes IS NULL OR ev.department_code = ANY (ep.department_codes))
           AND (NOT ep.worrying_only OR ev.level = 'worrying')
           AND (owner.role <> 'hotline' OR owner.revoked_at IS NULL)
        ON CONFLICT (event_id, endpoint_id) DO NOTHING
        RETURNING id
      ), fanned AS (
        UPDATE webhook_events SET fanned_out_at = coalesce(fanned_out_at, now()) WHERE id IN (SELECT id FROM ev) RETURNING id
      )
      UPDATE outbox SET processed_at = now() WHERE id IN (SELECT id FROM pending)`);
  }

  async down(): Promise<void> {
    // The deliveries written are ordinary ones, and the job they replace no longer exists.
  }
}
