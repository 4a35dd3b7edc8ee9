import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { rowsOf } from './raw-rows';

export interface ErasedBatch {
  fugues: { id: string; youthId: string }[];
  youthIds: string[];
}

/**
 * Erasure of personal data past its retention period (quality.md § Retention). Every statement
 * nulls encrypted free text and identity; codes, levels and times stay, so the statistics do not
 * move. Each method works in the caller's transaction.
 */
@Injectable()
export class RetentionRepository {
  /** Episodes closed or cancelled before `cutoff` and not yet erased, locked (SKIP LOCKED). */
  async takeExpiredEpisodes(manager: EntityManager, cutoff: Date, limit: number): Promise<{ id: string; youthId: string }[]> {
    const rows: { id: string; youth_id: string }[] = await manager.query(
      `SELECT id, youth_id FROM fugues
        WHERE ended_at < $1 AND erased_at IS NULL AND status IN ('closed', 'cancelled')
        ORDER BY ended_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [cutoff, limit],
    );
    return rows.map((r) => ({ id: r.id, youthId: r.youth_id }));
  }

  /** The sealed identities of these youths that are not erased yet. */
  async youthIdentities(manager: EntityManager, youthIds: string[]): Promise<{ id: string; identityEnc: string }[]> {
    const rows: { id: string; identity_enc: string }[] = await manager.query(
      `SELECT id, identity_enc FROM youths WHERE id = ANY($1::uuid[]) AND erased_at IS NULL AND identity_enc IS NOT NULL`,
      [youthIds],
    );
    return rows.map((r) => ({ id: r.id, identityEnc: r.identity_enc }));
  }

  /** These youths' episodes whose age band is not kept yet, with what the band is read at. */
  async episodesWithoutAgeBand(manager: EntityManager, youthIds: string[]): Promise<{ id: string; youthId: string; noticedMissingAt: Date; timeZone: string }[]> {
    const rows: { id: string; youth_id: string; noticed_missing_at: Date; time_zone: string }[] = await manager.query(
      `SELECT f.id, f.youth_id, f.noticed_missing_at, d.time_zone
         FROM fugues f JOIN departments d ON d.code = f.department_code
        WHERE f.youth_id = ANY($1::uuid[]) AND f.age_band IS NULL`,
      [youthIds],
    );
    return rows.map((r) => ({ id: r.id, youthId: r.youth_id, noticedMissingAt: r.noticed_missing_at, timeZone: r.time_zone }));
  }

  /** Keeps the age band of each episode (statistics), before the birth date goes. */
  async keepAgeBands(manager: EntityManager, bands: { id: string; band: string }[]): Promise<void> {
    if (bands.length === 0) return;
    await manager.query(
      `UPDATE fugues f SET age_band = b.band FROM unnest($1::uuid[], $2::text[]) AS b(id, band) WHERE f.id = b.id`,
      [bands.map((b) => b.id), bands.map((b) => b.band)],
    );
  }

  /** Nulls every free-text column of the episodes and of what hangs from them; marks them erased. */
  async eraseEpisodes(manager: EntityManager, fugueIds: string[], now: Date): Promise<void> {
    await manager.query(
      `UPDATE fugues SET details_enc = NULL, located_enc = NULL, return_enc = NULL, end_reason_enc = NULL,
              override_reason_enc = NULL, erased_at = $2, updated_at = now()
        WHERE id = ANY($1::uuid[])`,
      [fugueIds, now],
    );
    await manager.query(`UPDATE fugue_updates SET private_enc = NULL WHERE fugue_id = ANY($1::uuid[]) AND private_enc IS NOT NULL`, [fugueIds]);
    await manager.query(`UPDATE fugue_events SET private_enc = NULL WHERE fugue_id = ANY($1::uuid[]) AND private_enc IS NOT NULL`, [fugueIds]);
    // Plates, aliases and addresses go with the rest of the free text, and so do their blind indexes (links already found stay).
    await manager.query(
      `UPDATE fugue_connections SET value_enc = NULL, blind_index = NULL, index_key_id = NULL WHERE fugue_id = ANY($1::uuid[]) AND (value_enc IS NOT NULL OR blind_index IS NOT NULL)`,
      [fugueIds],
    );
    await manager.query(`UPDATE alerts SET acknowledgement_note_enc = NULL WHERE fugue_id = ANY($1::uuid[]) AND acknowledgement_note_enc IS NOT NULL`, [
      fugueIds,
    ]);
    await manager.query(
      `UPDATE return_interviews SET answers_enc = NULL, erased_at = $2, updated_at = now() WHERE fugue_id = ANY($1::uuid[])`,
      [fugueIds, now],
    );
    await manager.query(
      `INSERT INTO fugue_events (fugue_id, type, at, data) SELECT id, 'personal_data.erased', $2, '{}'::jsonb FROM unnest($1::uuid[]) AS id`,
      [fugueIds, now],
    );
  }

  /**
   * Erases the identity and profile of those youths whose every episode has been erased: none
   * open, none returned and awaiting closure, none closed within the retention period.
   * Returns the youths erased.
   *
   * The youths are locked first (FOR UPDATE) in a statement of their own, which waits for any
   * declaration in flight for them (a declaration holds its youth FOR KEY SHARE): the UPDATE
   * that follows reads the episodes with a snapshot taken after that declaration committed, so
   * a youth who has just run away again is never erased. A declaration that comes second waits
   * for this transaction and then finds the youth erased (FugueRepository.insertDeclared).
   */
  async eraseYouthsWithoutKeptEpisodes(manager: EntityManager, youthIds: string[], now: Date): Promise<string[]> {
    await manager.query(`SELECT id FROM youths WHERE id = ANY($1::uuid[]) AND erased_at IS NULL ORDER BY id FOR UPDATE`, [youthIds]);
    const rows = rowsOf<{ id: string }>(
      await manager.query(
        `UPDATE youths y
            SET identity_enc = NULL, external_ref = NULL, vulnerabilities = '{}', vital_treatment = false,
                erased_at = $2, updated_at = now()
          WHERE y.id = ANY($1::uuid[]) AND y.erased_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM fugues g WHERE g.youth_id = y.id AND g.erased_at IS NULL)
          RETURNING y.id`,
        [youthIds, now],
      ),
    );
    return rows.map((r) => r.id);
  }

  /** Stored idempotent responses may carry identity: they are not kept past the retention period. */
  async deleteIdempotencyKeysBefore(manager: EntityManager, cutoff: Date): Promise<number> {
    return rowsOf<unknown>(await manager.query(`DELETE FROM idempotency_keys WHERE created_at < $1 RETURNING key`, [cutoff])).length;
  }

  /** One audit entry per erased episode and per erased youth, in the erasure's transaction. */
  async audit(manager: EntityManager, erased: ErasedBatch, correlationId: string, now: Date): Promise<void> {
    const entries = [...erased.fugues.map((f) => [f.youthId, f.id]), ...erased.youthIds.map((y) => [y, null])];
    if (entries.length === 0) return;
    await manager.query(
      `INSERT INTO audit_log (at, client_id, action, method, route, status_code, youth_id, fugue_id, correlation_id)
       SELECT $1, NULL, 'erase', 'JOB', 'retention', 200, e.youth_id, e.fugue_id, $2
         FROM unnest($3::uuid[], $4::uuid[]) AS e (youth_id, fugue_id)`,
      [now, correlationId, entries.map((e) => e[0]), entries.map((e) => e[1])],
    );
  }

  /**
   * Claims the daily run of a periodic job: true when its last run is at least `everyMs` before
   * `now` (the claim is recorded, so one worker only runs it). `previous` gives the claim back
   * after a failed run.
   */
  async claimRun(manager: EntityManager, name: string, now: Date, everyMs: number): Promise<{ claimed: boolean; previous: string | null }> {
    const rows = rowsOf<{ previous: string }>(
      await manager.query(
        `UPDATE job_runs j SET last_run_at = $2
           FROM (SELECT name, last_run_at AS previous FROM job_runs WHERE name = $1 FOR UPDATE) p
          WHERE j.name = p.name AND p.previous <= $2::timestamptz - ($3::float8 * interval '1 millisecond')
          RETURNING p.previous::text AS previous`,
        [name, now, everyMs],
      ),
    );
    return rows.length > 0 ? { claimed: true, previous: rows[0].previous } : { claimed: false, previous: null };
  }

  async releaseRun(manager: EntityManager, name: string, previous: string | null): Promise<void> {
    await manager.query(`UPDATE job_runs SET last_run_at = COALESCE($2::timestamptz, '-infinity') WHERE name = $1`, [name, previous]);
  }
}
