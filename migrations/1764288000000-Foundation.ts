import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The foundation schema. Identity and free-text fields live only in `*_enc` columns
 * (AES-256-GCM, see libs/persistence/src/crypto). Table and column names are persisted:
 * never rename them, add a migration instead.
 */
export class Foundation1764288000000 implements MigrationInterface {
  name = 'Foundation1764288000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE departments (
        code text PRIMARY KEY,
        name text NOT NULL,
        time_zone text NOT NULL
      )`);
    await q.query(`
      INSERT INTO departments (code, name, time_zone) VALUES
      ('01', 'Ain', 'Europe/Paris'),
      ('02', 'Aisne', 'Europe/Paris'),
      ('03', 'Allier', 'Europe/Paris'),
      ('04', 'Alpes-de-Haute-Provence', 'Europe/Paris'),
      ('05', 'Hautes-Alpes', 'Europe/Paris'),
      ('06', 'Alpes-Maritimes', 'Europe/Paris'),
      ('07', 'Ardèche', 'Europe/Paris'),
      ('08', 'Ardennes', 'Europe/Paris'),
      ('09', 'Ariège', 'Europe/Paris'),
      ('10', 'Aube', 'Europe/Paris'),
      ('11', 'Aude', 'Europe/Paris'),
      ('12', 'Aveyron', 'Europe/Paris'),
      ('13', 'Bouches-du-Rhône', 'Europe/Paris'),
      ('14', 'Calvados', 'Europe/Paris'),
      ('15', 'Cantal', 'Europe/Paris'),
      ('16', 'Charente', 'Europe/Paris'),
      ('17', 'Charente-Maritime', 'Europe/Paris'),
      ('18', 'Cher', 'Europe/Paris'),
      ('19', 'Corrèze', 'Europe/Paris'),
      ('2A', 'Corse-du-Sud', 'Europe/Paris'),
      ('2B', 'Haute-Corse', 'Europe/Paris'),
      ('21', 'Côte-d''Or', 'Europe/Paris'),
      ('22', 'Côtes-d''Armor', 'Europe/Paris'),
      ('23', 'Creuse', 'Europe/Paris'),
      ('24', 'Dordogne', 'Europe/Paris'),
      ('25', 'Doubs', 'Europe/Paris'),
      ('26', 'Drôme', 'Europe/Paris'),
      ('27', 'Eure', 'Europe/Paris'),
      ('28', 'Eure-et-Loir', 'Europe/Paris'),
      ('29', 'Finistère', 'Europe/Paris'),
      ('30', 'Gard', 'Europe/Paris'),
      ('31', 'Haute-Garonne', 'Europe/Paris'),
      ('32', 'Gers', 'Europe/Paris'),
      ('33', 'Gironde', 'Europe/Paris'),
      ('34', 'Hérault', 'Europe/Paris'),
      ('35', 'Ille-et-Vilaine', 'Europe/Paris'),
      ('36', 'Indre', 'Europe/Paris'),
      ('37', 'Indre-et-Loire', 'Europe/Paris'),
      ('38', 'Isère', 'Europe/Paris'),
      ('39', 'Jura', 'Europe/Paris'),
      ('40', 'Landes', 'Europe/Paris'),
      ('41', 'Loir-et-Cher', 'Europe/Paris'),
      ('42', 'Loire', 'Europe/Paris'),
      ('43', 'Haute-Loire', 'Europe/Paris'),
      ('44', 'Loire-Atlantique', 'Europe/Paris'),
      ('45', 'Loiret', 'Europe/Paris'),
      ('46', 'Lot', 'Europe/Paris'),
      ('47', 'Lot-et-Garonne', 'Europe/Paris'),
      ('48', 'Lozère', 'Europe/Paris'),
      ('49', 'Maine-et-Loire', 'Europe/Paris'),
      ('50', 'Manche', 'Europe/Paris'),
      ('51', 'Marne', 'Europe/Paris'),
      ('52', 'Haute-Marne', 'Europe/Paris'),
      ('53', 'Mayenne', 'Europe/Paris'),
      ('54', 'Meurthe-et-Moselle', 'Europe/Paris'),
      ('55', 'Meuse', 'Europe/Paris'),
      ('56', 'Morbihan', 'Europe/Paris'),
      ('57', 'Moselle', 'Europe/Paris'),
      ('58', 'Nièvre', 'Europe/Paris'),
      ('59', 'Nord', 'Europe/Paris'),
      ('60', 'Oise', 'Europe/Paris'),
      ('61', 'Orne', 'Europe/Paris'),
      ('62', 'Pas-de-Calais', 'Europe/Paris'),
      ('63', 'Puy-de-Dôme', 'Europe/Paris'),
      ('64', 'Pyrénées-Atlantiques', 'Europe/Paris'),
      ('65', 'Hautes-Pyrénées', 'Europe/Paris'),
      ('66', 'Pyrénées-Orientales', 'Europe/Paris'),
      ('67', 'Bas-Rhin', 'Europe/Paris'),
      ('68', 'Haut-Rhin', 'Europe/Paris'),
      ('69', 'Rhône', 'Europe/Paris'),
      ('70', 'Haute-Saône', 'Europe/Paris'),
      ('71', 'Saône-et-Loire', 'Europe/Paris'),
      ('72', 'Sarthe', 'Europe/Paris'),
      ('73', 'Savoie', 'Europe/Paris'),
      ('74', 'Haute-Savoie', 'Europe/Paris'),
      ('75', 'Paris', 'Europe/Paris'),
      ('76', 'Seine-Maritime', 'Europe/Paris'),
      ('77', 'Seine-et-Marne', 'Europe/Paris'),
      ('78', 'Yvelines', 'Europe/Paris'),
      ('79', 'Deux-Sèvres', 'Europe/Paris'),
      ('80', 'Somme', 'Europe/Paris'),
      ('81', 'Tarn', 'Europe/Paris'),
      ('82', 'Tarn-et-Garonne', 'Europe/Paris'),
      ('83', 'Var', 'Europe/Paris'),
      ('84', 'Vaucluse', 'Europe/Paris'),
      ('85', 'Vendée', 'Europe/Paris'),
      ('86', 'Vienne', 'Europe/Paris'),
      ('87', 'Haute-Vienne', 'Europe/Paris'),
      ('88', 'Vosges', 'Europe/Paris'),
      ('89', 'Yonne', 'Europe/Paris'),
      ('90', 'Territoire de Belfort', 'Europe/Paris'),
      ('91', 'Essonne', 'Europe/Paris'),
      ('92', 'Hauts-de-Seine', 'Europe/Paris'),
      ('93', 'Seine-Saint-Denis', 'Europe/Paris'),
      ('94', 'Val-de-Marne', 'Europe/Paris'),
      ('95', 'Val-d''Oise', 'Europe/Paris'),
      ('971', 'Guadeloupe', 'America/Guadeloupe'),
      ('972', 'Martinique', 'America/Martinique'),
      ('973', 'Guyane', 'America/Cayenne'),
      ('974', 'La Réunion', 'Indian/Reunion'),
      ('976', 'Mayotte', 'Indian/Mayotte')`);
    await q.query(`
      CREATE TABLE foyers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        department_code text NOT NULL REFERENCES departments (code),
        kind text NOT NULL CHECK (kind IN ('ase', 'pjj', 'other')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX foyers_department_idx ON foyers (department_code, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX foyers_list_idx ON foyers (created_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE api_clients (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'foyer', 'police', 'child_protection', 'hotline')),
        key_hash text NOT NULL,
        key_prefix text NOT NULL,
        foyer_ids uuid[] NOT NULL DEFAULT '{}',
        department_codes text[] NOT NULL DEFAULT '{}',
        inbound_webhook_secret_enc text,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX api_clients_key_hash_key ON api_clients (key_hash)`);
    await q.query(`CREATE INDEX api_clients_list_idx ON api_clients (created_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE youths (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        foyer_id uuid NOT NULL REFERENCES foyers (id),
        identity_enc text,
        sex text NOT NULL CHECK (sex IN ('F', 'M', 'X')),
        vital_treatment boolean NOT NULL DEFAULT false,
        vulnerabilities text[] NOT NULL DEFAULT '{}',
        external_ref text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        erased_at timestamptz
      )`);
    await q.query(`CREATE INDEX youths_foyer_idx ON youths (foyer_id, created_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE fugues (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        youth_id uuid NOT NULL REFERENCES youths (id),
        foyer_id uuid NOT NULL REFERENCES foyers (id),
        department_code text NOT NULL REFERENCES departments (code),
        status text NOT NULL CHECK (status IN ('missing', 'located', 'returned', 'closed', 'cancelled')),
        noticed_missing_at timestamptz NOT NULL,
        last_seen_at timestamptz,
        departed_with text,
        belongings jsonb,
        indicators text[] NOT NULL DEFAULT '{}',
        staff_concern_worrying boolean,
        details_enc text,
        located_at timestamptz,
        located_enc text,
        returned_at timestamptz,
        found_by text,
        return_enc text,
        ended_at timestamptz,
        end_reason_enc text,
        classification jsonb,
        next_review_at timestamptz,
        override_level text CHECK (override_level IN ('routine', 'worrying')),
        override_by uuid,
        override_at timestamptz,
        override_reason_enc text,
        override_basis text[],
        effective_level text CHECK (effective_level IN ('routine', 'worrying')),
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        erased_at timestamptz
      )`);
    // A youth has at most one episode that is still open.
    await q.query(`CREATE UNIQUE INDEX fugues_one_open_per_youth_key ON fugues (youth_id) WHERE status IN ('missing', 'located')`);
    await q.query(`CREATE INDEX fugues_list_idx ON fugues (noticed_missing_at DESC, id DESC)`);
    await q.query(`CREATE INDEX fugues_department_level_idx ON fugues (department_code, effective_level, noticed_missing_at DESC, id DESC)`);
    await q.query(`CREATE INDEX fugues_department_status_idx ON fugues (department_code, status, noticed_missing_at DESC, id DESC)`);
    await q.query(`CREATE INDEX fugues_foyer_idx ON fugues (foyer_id, noticed_missing_at DESC, id DESC)`);
    await q.query(`CREATE INDEX fugues_level_idx ON fugues (effective_level, noticed_missing_at DESC, id DESC)`);
    await q.query(`CREATE INDEX fugues_youth_idx ON fugues (youth_id, noticed_missing_at)`);
    await q.query(`CREATE INDEX fugues_review_due_idx ON fugues (next_review_at) WHERE next_review_at IS NOT NULL`);

    await q.query(`
      CREATE TABLE fugue_updates (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        fugue_id uuid NOT NULL REFERENCES fugues (id),
        source text NOT NULL CHECK (source IN ('update', 'hotline')),
        indicators text[] NOT NULL DEFAULT '{}',
        staff_concern_worrying boolean,
        sighting_at timestamptz,
        private_enc text,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX fugue_updates_fugue_idx ON fugue_updates (fugue_id, created_at, id)`);

    await q.query(`
      CREATE TABLE fugue_classifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        fugue_id uuid NOT NULL REFERENCES fugues (id),
        trigger_key text NOT NULL,
        cause text NOT NULL,
        ruleset_version text NOT NULL,
        evaluated_at timestamptz NOT NULL,
        level text NOT NULL CHECK (level IN ('routine', 'worrying')),
        score integer NOT NULL,
        reasons jsonb NOT NULL,
        next_review_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One classification per triage request: a replayed job cannot store a second one.
    await q.query(`CREATE UNIQUE INDEX fugue_classifications_trigger_key ON fugue_classifications (fugue_id, trigger_key)`);
    await q.query(`CREATE INDEX fugue_classifications_fugue_idx ON fugue_classifications (fugue_id, evaluated_at)`);

    await q.query(`
      CREATE TABLE fugue_events (
        id bigserial PRIMARY KEY,
        fugue_id uuid NOT NULL REFERENCES fugues (id),
        type text NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        actor_id uuid,
        data jsonb NOT NULL DEFAULT '{}',
        private_enc text
      )`);
    await q.query(`CREATE INDEX fugue_events_fugue_idx ON fugue_events (fugue_id, id)`);

    await q.query(`
      CREATE TABLE outbox (
        -- A UUID, not a sequence: job ids are derived from it, and a sequence restarting (a
        -- restored backup, a recreated database) would collide with jobs Redis still remembers.
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        job_name text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz,
        publish_count integer NOT NULL DEFAULT 0,
        processed_at timestamptz
      )`);
    await q.query(`CREATE INDEX outbox_pending_idx ON outbox (created_at) WHERE processed_at IS NULL`);

    await q.query(`
      CREATE TABLE idempotency_keys (
        client_id uuid NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        status_code integer,
        response_enc text,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (client_id, key)
      )`);
    await q.query(`CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at)`);

    await q.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        client_id uuid,
        action text NOT NULL,
        method text NOT NULL,
        route text NOT NULL,
        status_code integer NOT NULL,
        youth_id uuid,
        fugue_id uuid,
        correlation_id text NOT NULL
      )`);
    await q.query(`CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC)`);
    await q.query(`CREATE INDEX audit_log_youth_idx ON audit_log (youth_id, at DESC) WHERE youth_id IS NOT NULL`);
    await q.query(`CREATE INDEX audit_log_fugue_idx ON audit_log (fugue_id, at DESC) WHERE fugue_id IS NOT NULL`);
    // Append-only: the audit log cannot be edited or deleted through the database either.
    await q.query(`
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP FUNCTION audit_log_append_only`);
    await q.query(`DROP TABLE idempotency_keys`);
    await q.query(`DROP TABLE outbox`);
    await q.query(`DROP TABLE fugue_events`);
    await q.query(`DROP TABLE fugue_classifications`);
    await q.query(`DROP TABLE fugue_updates`);
    await q.query(`DROP TABLE fugues`);
    await q.query(`DROP TABLE youths`);
    await q.query(`DROP TABLE api_clients`);
    await q.query(`DROP TABLE foyers`);
    await q.query(`DROP TABLE departments`);
  }
}
