import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks: subscriber endpoints, the events emitted with the changes that cause them, one
 * delivery per (event, endpoint) with every attempt logged, and the inbound hotline event ids
 * kept for deduplication.
 * Persisted names: never rename a table, column, event type or status value; add a migration instead.
 */
export class Webhooks1764400000000 implements MigrationInterface {
  name = 'Webhooks1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_endpoints (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        url text NOT NULL,
        events text[] NOT NULL,
        description text,
        secret_enc text NOT NULL,
        previous_secret_enc text,
        previous_secret_expires_at timestamptz,
        owner_client_id uuid NOT NULL REFERENCES api_clients (id),
        -- The scope a hotline owner gives its endpoint: only worrying episodes, only these
        -- départements (NULL: all). Endpoints created by an administrator are not restricted.
        department_codes text[],
        worrying_only boolean NOT NULL DEFAULT false,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
        disabled_reason text,
        disabled_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CHECK ((previous_secret_enc IS NULL) = (previous_secret_expires_at IS NULL))
      )`);
    await q.query(`CREATE INDEX webhook_endpoints_active_idx ON webhook_endpoints USING gin (events) WHERE status = 'active' AND deleted_at IS NULL`);
    await q.query(`CREATE INDEX webhook_endpoints_owner_idx ON webhook_endpoints (owner_client_id, created_at DESC, id DESC) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX webhook_endpoints_list_idx ON webhook_endpoints (created_at DESC, id DESC) WHERE deleted_at IS NULL`);

    await q.query(`
      CREATE TABLE webhook_events (
        -- The webhook-id header: the same on every attempt and every endpoint.
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        type text NOT NULL CHECK (type IN ('fugue.declared', 'fugue.classified', 'fugue.located', 'fugue.returned',
                                           'fugue.closed', 'alert.acknowledged', 'return_interview.overdue')),
        occurred_at timestamptz NOT NULL DEFAULT now(),
        department_code text NOT NULL REFERENCES departments (code),
        level text CHECK (level IN ('routine', 'worrying')),
        -- Thin: ids, codes, levels, statuses and times only, never personal data.
        data jsonb NOT NULL,
        fanned_out_at timestamptz
      )`);
    await q.query(`CREATE INDEX webhook_events_occurred_idx ON webhook_events (occurred_at)`);

    await q.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        event_id uuid NOT NULL REFERENCES webhook_events (id),
        endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id),
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'delivered', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        -- attempts made before the current series: a manual redelivery starts the schedule again.
        retry_base integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        sending_since timestamptz,
        last_attempt_at timestamptz,
        last_status_code integer,
        last_error text,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One delivery per event and endpoint: a replayed fan-out creates nothing.
    await q.query(`CREATE UNIQUE INDEX webhook_deliveries_event_endpoint_key ON webhook_deliveries (event_id, endpoint_id)`);
    await q.query(`CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX webhook_deliveries_sending_idx ON webhook_deliveries (sending_since) WHERE status = 'sending'`);
    await q.query(`CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, created_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE webhook_attempts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id),
        attempt integer NOT NULL,
        started_at timestamptz NOT NULL,
        duration_ms integer NOT NULL,
        status_code integer,
        error text,
        succeeded boolean NOT NULL
      )`);
    await q.query(`CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, started_at)`);

    await q.query(`
      CREATE TABLE inbound_events (
        client_id uuid NOT NULL REFERENCES api_clients (id),
        -- The sender's webhook-id, unique per sender; kept at least 7 days to recognise replays.
        webhook_id text NOT NULL,
        type text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (client_id, webhook_id)
      )`);
    await q.query(`CREATE INDEX inbound_events_received_idx ON inbound_events (received_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE inbound_events`);
    await q.query(`DROP TABLE webhook_attempts`);
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE webhook_events`);
    await q.query(`DROP TABLE webhook_endpoints`);
  }
}
