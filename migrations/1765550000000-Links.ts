import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Links between episodes (spec/links.md). `fugue_connections` holds the structured facts of an
 * episode: a companion (a youth's id, or an alias), a vehicle (plate or description), a place.
 * Plates, aliases and addresses are in `value_enc` (encrypted, bound to the row) and matched by
 * `blind_index` (HMAC-SHA256 of the normalised value under a key of its own, named by
 * `index_key_id`). `fugue_links` stores each linked pair once (`fugue_a < fugue_b`) with every
 * reason found. `fugues.link_indicators` holds indicators a link added (PEER_EXPLOITED).
 * `foyer_clusters` records each foyer-cluster notice (at most one per foyer per 7 days).
 * Persisted names: never rename a table or column; add a migration instead.
 */
export class Links1765550000000 implements MigrationInterface {
  name = 'Links1765550000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE fugue_connections (
        id uuid PRIMARY KEY,
        fugue_id uuid NOT NULL REFERENCES fugues (id) ON DELETE CASCADE,
        kind text NOT NULL CONSTRAINT fugue_connections_kind_check CHECK (kind IN ('companion', 'vehicle', 'place')),
        source text NOT NULL CONSTRAINT fugue_connections_source_check CHECK (source IN ('report', 'update', 'return', 'interview', 'hotline')),
        companion_youth_id uuid,
        approximate_age smallint,
        place_kind text CONSTRAINT fugue_connections_place_kind_check
          CHECK (place_kind IN ('hotel', 'short_let', 'private_home', 'station', 'street', 'other')),
        commune_code text,
        at timestamptz,
        value_enc text,
        blind_index text,
        index_key_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        -- The order connections were told in (several are written by one statement).
        seq bigint GENERATED ALWAYS AS IDENTITY
      )`);
    await q.query(`CREATE INDEX fugue_connections_fugue_idx ON fugue_connections (fugue_id, seq)`);
    await q.query(`CREATE INDEX fugue_connections_blind_index_idx ON fugue_connections (blind_index) WHERE blind_index IS NOT NULL`);
    await q.query(`CREATE INDEX fugue_connections_companion_idx ON fugue_connections (companion_youth_id) WHERE companion_youth_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE fugue_links (
        fugue_a uuid NOT NULL REFERENCES fugues (id) ON DELETE CASCADE,
        fugue_b uuid NOT NULL REFERENCES fugues (id) ON DELETE CASCADE,
        reasons text[] NOT NULL,
        found_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT fugue_links_pkey PRIMARY KEY (fugue_a, fugue_b),
        CONSTRAINT fugue_links_order_check CHECK (fugue_a < fugue_b)
      )`);
    await q.query(`CREATE INDEX fugue_links_b_idx ON fugue_links (fugue_b)`);
    await q.query(`CREATE INDEX fugue_links_found_at_idx ON fugue_links (found_at)`);
    await q.query(`ALTER TABLE fugues ADD COLUMN link_indicators text[] NOT NULL DEFAULT '{}'`);
    // LEFT_TOGETHER: the episodes of a foyer around a departure time.
    await q.query(`CREATE INDEX fugues_foyer_departure_idx ON fugues (foyer_id, (coalesce(last_seen_at, noticed_missing_at)))`);
    await q.query(`
      CREATE TABLE foyer_clusters (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        foyer_id uuid NOT NULL REFERENCES foyers (id),
        department_code text NOT NULL REFERENCES departments (code),
        fugue_id uuid NOT NULL REFERENCES fugues (id) ON DELETE CASCADE,
        youth_count integer NOT NULL,
        noticed_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX foyer_clusters_foyer_idx ON foyer_clusters (foyer_id, noticed_at)`);
    await q.query(`CREATE INDEX foyer_clusters_department_idx ON foyer_clusters (department_code, noticed_at)`);
    await q.query(`ALTER TABLE webhook_events DROP CONSTRAINT webhook_events_type_check`);
    await q.query(`
      ALTER TABLE webhook_events ADD CONSTRAINT webhook_events_type_check CHECK (type IN ('fugue.declared', 'fugue.classified', 'fugue.located',
        'fugue.returned', 'fugue.closed', 'fugue.linked', 'alert.acknowledged', 'return_interview.overdue'))`);
    await q.query(`ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check`);
    await q.query(`
      ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN (
        'alert.notification', 'alert.resolved', 'alert.news', 'routine.information',
        'fugue.returned', 'interview.reminder', 'interview.overdue', 'interview.disclosure', 'foyer.cluster'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM notifications WHERE kind = 'foyer.cluster'`);
    await q.query(`ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check`);
    await q.query(`
      ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN (
        'alert.notification', 'alert.resolved', 'alert.news', 'routine.information',
        'fugue.returned', 'interview.reminder', 'interview.overdue', 'interview.disclosure'))`);
    await q.query(`DELETE FROM webhook_deliveries WHERE event_id IN (SELECT id FROM webhook_events WHERE type = 'fugue.linked')`);
    await q.query(`DELETE FROM webhook_events WHERE type = 'fugue.linked'`);
    await q.query(`ALTER TABLE webhook_events DROP CONSTRAINT webhook_events_type_check`);
    await q.query(`
      ALTER TABLE webhook_events ADD CONSTRAINT webhook_events_type_check CHECK (type IN ('fugue.declared', 'fugue.classified', 'fugue.located',
        'fugue.returned', 'fugue.closed', 'alert.acknowledged', 'return_interview.overdue'))`);
    await q.query(`DROP TABLE foyer_clusters`);
    await q.query(`DROP INDEX fugues_foyer_departure_idx`);
    await q.query(`ALTER TABLE fugues DROP COLUMN link_indicators`);
    await q.query(`DROP TABLE fugue_links`);
    await q.query(`DROP TABLE fugue_connections`);
  }
}
