import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { preparedQuery } from './prepared';
import { rowsOf } from './raw-rows';

export type ConnectionKind = 'companion' | 'vehicle' | 'place';

/** One structured fact of an episode (fugue_connections); plates, aliases and addresses only in `valueEnc`. */
export interface ConnectionRow {
  id: string;
  fugueId: string;
  kind: ConnectionKind;
  source: string;
  companionYouthId: string | null;
  approximateAge: number | null;
  placeKind: string | null;
  communeCode: string | null;
  at: Date | null;
  valueEnc: string | null;
  blindIndex: string | null;
  indexKeyId: string | null;
}

/** Connections and links between episodes (spec/links.md). Clear plates, aliases and addresses never reach a query. */
@Injectable()
export class LinkRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Of these youth ids, those that exist. */
  async existingYouthIds(manager: EntityManager | undefined, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = rowsOf<{ id: string }>(await (manager ?? this.dataSource.manager).query(`SELECT id FROM youths WHERE id = ANY($1::uuid[])`, [ids]));
    return new Set(rows.map((r) => r.id));
  }

  /** Appends connections to their episodes (never replaces any). */
  async insertConnections(manager: EntityManager, rows: readonly ConnectionRow[]): Promise<void> {
    if (rows.length === 0) return;
    const column = <K extends keyof ConnectionRow>(key: K) => rows.map((r) => r[key]);
    await manager.query(
      `INSERT INTO fugue_connections (id, fugue_id, kind, source, companion_youth_id, approximate_age, place_kind, commune_code, at, value_enc, blind_index, index_key_id)
       SELECT id, fugue_id, kind, source, companion_youth_id, approximate_age, place_kind, commune_code, at, value_enc, blind_index, index_key_id
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::smallint[], $7::text[], $8::text[], $9::timestamptz[], $10::text[], $11::text[], $12::text[])
              WITH ORDINALITY AS c(id, fugue_id, kind, source, companion_youth_id, approximate_age, place_kind, commune_code, at, value_enc, blind_index, index_key_id, n)
        ORDER BY n`,
      [
        column('id'),
        column('fugueId'),
        column('kind'),
        column('source'),
        column('companionYouthId'),
        column('approximateAge'),
        column('placeKind'),
        column('communeCode'),
        column('at'),
        column('valueEnc'),
        column('blindIndex'),
        column('indexKeyId'),
      ],
    );
  }

  /** An episode's connections, in the order they were told. */
  async connectionsOf(fugueId: string, manager?: EntityManager): Promise<ConnectionRow[]> {
    const [row] = rowsOf<{ connections: Parameters<typeof connectionsFromJson>[0] }>(
      await (manager ?? this.dataSource.manager).query(`SELECT ${CONNECTIONS_JSON('$1::uuid')} AS connections`, [fugueId]),
    );
    return connectionsFromJson(row.connections);
  }

  /** The foyer and département of these youths (who may see them). */
  async youthFoyers(ids: readonly string[]): Promise<{ id: string; foyerId: string; departmentCode: string }[]> {
    if (ids.length === 0) return [];
    return rowsOf(
      await this.dataSource.query(
        `SELECT y.id, y.foyer_id AS "foyerId", f.department_code AS "departmentCode" FROM youths y JOIN foyers f ON f.id = y.foyer_id WHERE y.id = ANY($1::uuid[])`,
        [ids],
      ),
    );
  }

  /**
   * The link candidates of episode `x` (`LINK_CANDIDATES`) for the given blind indexes: those of
   * its connections under every key they may be stored under. The triage reads them with its
   * facts when its stored indexes are all there is to match (`FugueRepository.claimTriageFacts`).
   * A prepared statement, whose plan does not depend on its parameters.
   */
  async linkCandidates(
    manager: EntityManager,
    x: { id: string; youthId: string; foyerId: string; departure: Date; departedWithPeers: boolean; windowStart: Date; windowEnd: Date },
    indexes: { plates: readonly string[]; aliases: readonly string[]; addresses: readonly string[]; companionYouthIds: readonly string[] },
    now: Date,
    linkingPlaceKinds: readonly string[],
  ): Promise<LinkCandidateRow[]> {
    return preparedQuery<LinkCandidateRow>(
      manager,
      'vigie_link_candidates',
      LINK_CANDIDATES({
        id: '$1::uuid',
        youthId: '$2::uuid',
        foyerId: '$3::uuid',
        departure: '$4::timestamptz',
        plates: '$5::text[]',
        aliases: '$6::text[]',
        addresses: '$7::text[]',
        companionYouthIds: '$8::uuid[]',
        windowStart: '$9::timestamptz',
        windowEnd: '$10::timestamptz',
        now: '$11::timestamptz',
        linkingPlaceKinds: '$12::text[]',
        departedWithPeers: '$13::boolean',
      }),
      [
        x.id,
        x.youthId,
        x.foyerId,
        x.departure,
        indexes.plates,
        indexes.aliases,
        indexes.addresses,
        indexes.companionYouthIds,
        x.windowStart,
        x.windowEnd,
        now,
        linkingPlaceKinds,
        x.departedWithPeers,
      ],
    );
  }

  /**
   * Stores the link of two episodes once per unordered pair, with the union of its reasons.
   * Returns what changed (a new link, or reasons added to it), or null when it was already stored
   * with every one of these reasons.
   */
  async recordLink(manager: EntityManager, one: string, other: string, reasons: readonly string[], now: Date): Promise<RecordedLink | null> {
    const [a, b] = one < other ? [one, other] : [other, one];
    const rows = rowsOf<{ reasons: string[]; found_at: Date; previous: string[] | null }>(
      await manager.query(
        `WITH old AS (SELECT reasons FROM fugue_links WHERE fugue_a = $1 AND fugue_b = $2)
         INSERT INTO fugue_links AS l (fugue_a, fugue_b, reasons, found_at, updated_at)
         VALUES ($1, $2, (SELECT array_agg(DISTINCT r ORDER BY r) FROM unnest($3::text[]) r), $4, $4)
         ON CONFLICT (fugue_a, fugue_b) DO UPDATE
            SET reasons = (SELECT array_agg(DISTINCT r ORDER BY r) FROM unnest(l.reasons || excluded.reasons) r), updated_at = excluded.updated_at
          WHERE NOT (excluded.reasons <@ l.reasons)
         RETURNING l.reasons, l.found_at, (SELECT reasons FROM old) AS previous`,
        [a, b, reasons, now],
      ),
    );
    const row = rows[0];
    if (!row) return null;
    const previous = row.previous ?? [];
    return { reasons: row.reasons, added: row.reasons.filter((r) => !previous.includes(r)), created: row.previous === null, foundAt: row.found_at };
  }

  /** The links of an episode: the other episode, its reasons and when the link was found. */
  async linksOf(fugueId: string, manager?: EntityManager): Promise<StoredLink[]> {
    return rowsOf<StoredLink>(
      await (manager ?? this.dataSource.manager).query(
        `SELECT CASE WHEN l.fugue_a = $1 THEN l.fugue_b ELSE l.fugue_a END AS "otherId", l.reasons, l.found_at AS "foundAt"
           FROM fugue_links l WHERE l.fugue_a = $1 OR l.fugue_b = $1
          ORDER BY l.found_at, 1`,
        [fugueId],
      ),
    );
  }

  /** What the effects of a link read of the other episodes. */
  async episodesBrief(manager: EntityManager, ids: readonly string[]): Promise<EpisodeBrief[]> {
    if (ids.length === 0) return [];
    return rowsOf<EpisodeBrief>(
      await manager.query(
        `SELECT id, youth_id AS "youthId", foyer_id AS "foyerId", department_code AS "departmentCode", status, effective_level AS "effectiveLevel"
           FROM fugues WHERE id = ANY($1::uuid[])`,
        [ids],
      ),
    );
  }

  /**
   * The links of the episode to episodes of other youths known to be exploited at `now`
   * (spec/links.md § What a link does): worrying with EXPLOITATION_KNOWN, or a completed return
   * interview of their youth in the last 365 days that recorded a sexual-exploitation
   * disclosure or exploitation indicators. Oldest link first. The triage reads the first of them
   * with its facts (`FugueRepository.claimTriageFacts`).
   */
  async linkedExploited(manager: EntityManager, fugueId: string, youthId: string, now: Date): Promise<StoredLink[]> {
    return rowsOf<StoredLink>(
      await manager.query(`SELECT o.id AS "otherId", l.reasons, l.found_at AS "foundAt" ${LINKED_EXPLOITED('$1', '$2', '$3')}`, [fugueId, youthId, now]),
    );
  }

  async addLinkIndicator(manager: EntityManager, fugueId: string, indicator: string): Promise<void> {
    await manager.query(
      `UPDATE fugues SET link_indicators = array_append(link_indicators, $2), updated_at = now() WHERE id = $1 AND NOT ($2 = ANY (link_indicators))`,
      [fugueId, indicator],
    );
  }

  /** Open episodes of other youths linked to an episode of this youth, without this link indicator yet. */
  async openPeersWithout(manager: EntityManager, youthId: string, indicator: string): Promise<string[]> {
    const rows = rowsOf<{ id: string }>(
      await manager.query(
        `SELECT DISTINCT o.id
           FROM fugues mine
           JOIN fugue_links l ON l.fugue_a = mine.id OR l.fugue_b = mine.id
           JOIN fugues o ON o.id = CASE WHEN l.fugue_a = mine.id THEN l.fugue_b ELSE l.fugue_a END
          WHERE mine.youth_id = $1 AND o.youth_id <> $1 AND o.status IN ('missing', 'located') AND NOT ($2 = ANY (o.link_indicators))
          ORDER BY o.id`,
        [youthId, indicator],
      ),
    );
    return rows.map((r) => r.id);
  }

  /** Distinct youths of the foyer's episodes that have a link found within the last `days` days. */
  async linkedYouthsOfFoyer(manager: EntityManager, foyerId: string, now: Date, days: number): Promise<number> {
    const rows = rowsOf<{ n: number }>(
      await manager.query(
        `SELECT count(DISTINCT f.youth_id)::int AS n
           FROM fugue_links l
           JOIN fugues f ON f.id = l.fugue_a OR f.id = l.fugue_b
          WHERE l.found_at > $2::timestamptz - make_interval(days => $3) AND l.found_at <= $2 AND f.foyer_id = $1`,
        [foyerId, now, days],
      ),
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * Records a foyer-cluster notice unless one was recorded for this foyer in the last `everyDays`
   * days; the foyer's clusters are checked one transaction at a time (an advisory lock). Returns
   * the new record's id, or null.
   */
  async recordFoyerCluster(
    manager: EntityManager,
    cluster: { foyerId: string; departmentCode: string; fugueId: string; youthCount: number },
    now: Date,
    everyDays: number,
  ): Promise<string | null> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('vigie:foyer-cluster:' || $1::text, 0))`, [cluster.foyerId]);
    const rows = rowsOf<{ id: string }>(
      await manager.query(
        `INSERT INTO foyer_clusters (foyer_id, department_code, fugue_id, youth_count, noticed_at)
         SELECT $1, $2, $3, $4, $5
          WHERE NOT EXISTS (SELECT 1 FROM foyer_clusters WHERE foyer_id = $1 AND noticed_at > $5::timestamptz - make_interval(days => $6))
         RETURNING id`,
        [cluster.foyerId, cluster.departmentCode, cluster.fugueId, cluster.youthCount, now, everyDays],
      ),
    );
    return rows[0]?.id ?? null;
  }

  /** The links of these episodes with what a reader needs of the other episode (its scope, level and status). */
  async linksWithOthers(fugueIds: readonly string[]): Promise<LinkWithOther[]> {
    if (fugueIds.length === 0) return [];
    return rowsOf<LinkWithOther>(
      await this.dataSource.query(
        `SELECT x.id AS "fugueId", o.id AS "otherId", l.reasons, l.found_at AS "foundAt",
                o.foyer_id AS "otherFoyerId", o.department_code AS "otherDepartmentCode", o.effective_level AS "otherLevel",
                o.status AS "otherStatus", x.foyer_id = o.foyer_id AS "sameFoyer"
           FROM unnest($1::uuid[]) AS x0(id)
           JOIN fugues x ON x.id = x0.id
           JOIN fugue_links l ON l.fugue_a = x.id OR l.fugue_b = x.id
           JOIN fugues o ON o.id = CASE WHEN l.fugue_a = x.id THEN l.fugue_b ELSE l.fugue_a END
          ORDER BY x.id, l.found_at, o.id`,
        [fugueIds],
      ),
    );
  }

  /**
   * Open episodes (missing, located) in these départements (all when null), oldest first, with
   * their youth's encrypted identity: the hotline's lookup compares names in memory, never in SQL.
   */
  async openEpisodesWithIdentity(departmentCodes: readonly string[] | null): Promise<OpenEpisodeRow[]> {
    return rowsOf<OpenEpisodeRow>(
      await this.dataSource.query(
        `SELECT f.id, f.youth_id AS "youthId", f.department_code AS "departmentCode", f.effective_level AS "effectiveLevel",
                f.noticed_missing_at AS "noticedMissingAt", f.details_enc AS "detailsEnc", y.identity_enc AS "identityEnc"
           FROM fugues f JOIN youths y ON y.id = f.youth_id
          WHERE f.status IN ('missing', 'located') AND f.erased_at IS NULL AND y.identity_enc IS NOT NULL
            AND ($1::text[] IS NULL OR f.department_code = ANY ($1::text[]))
          ORDER BY f.noticed_missing_at, f.id`,
        [departmentCodes],
      ),
    );
  }
}

export interface LinkWithOther {
  fugueId: string;
  otherId: string;
  reasons: string[];
  foundAt: Date;
  otherFoyerId: string;
  otherDepartmentCode: string;
  otherLevel: 'routine' | 'worrying' | null;
  otherStatus: string;
  sameFoyer: boolean;
}

export interface OpenEpisodeRow {
  id: string;
  youthId: string;
  departmentCode: string;
  effectiveLevel: 'routine' | 'worrying' | null;
  noticedMissingAt: Date;
  detailsEnc: string | null;
  identityEnc: string;
}

/**
 * A completed return interview of the youth within 365 days before `now` that recorded
 * exploitation. `youth` and `now` are SQL expressions (a parameter, a column).
 */
export const DISCLOSED = (youth: string, now: string) =>
  `EXISTS (SELECT 1 FROM return_interviews i
            WHERE i.youth_id = ${youth} AND i.status = 'completed'
              AND i.conducted_at > ${now}::timestamptz - interval '365 days' AND i.conducted_at <= ${now}::timestamptz
              AND (i.disclosed_sexual_exploitation OR cardinality(i.exploitation_indicators) > 0))`;

/**
 * `FROM … ORDER BY …` of the links of episode `fugue` (of youth `youth`) to episodes `o` of other
 * youths known to be exploited at `now`, oldest link `l` first (`LinkRepository.linkedExploited`).
 */
export const LINKED_EXPLOITED = (fugue: string, youth: string, now: string) =>
  `FROM fugue_links l
   JOIN fugues o ON o.id = CASE WHEN l.fugue_a = ${fugue} THEN l.fugue_b ELSE l.fugue_a END
  WHERE (l.fugue_a = ${fugue} OR l.fugue_b = ${fugue}) AND o.youth_id <> ${youth}
    AND ((o.effective_level = 'worrying' AND o.classification->'reasons' @> '[{"code": "EXPLOITATION_KNOWN"}]'::jsonb)
         OR ${DISCLOSED('o.youth_id', now)})
  ORDER BY l.found_at, o.id`;

/**
 * An episode's connections as a JSON array in the order they were told, read back by
 * `connectionsFromJson` (`LinkRepository.connectionsOf`, the triage's claim).
 */
export const CONNECTIONS_JSON = (fugue: string) =>
  `(SELECT coalesce(json_agg(json_build_object(
             'id', c.id, 'fugueId', c.fugue_id, 'kind', c.kind, 'source', c.source, 'companionYouthId', c.companion_youth_id,
             'approximateAge', c.approximate_age, 'placeKind', c.place_kind, 'communeCode', c.commune_code, 'at', c.at,
             'valueEnc', c.value_enc, 'blindIndex', c.blind_index, 'indexKeyId', c.index_key_id) ORDER BY c.seq), '[]')
      FROM fugue_connections c WHERE c.fugue_id = ${fugue})`;

/** The rows of `CONNECTIONS_JSON` as `ConnectionRow`s. */
export function connectionsFromJson(rows: (Omit<ConnectionRow, 'at'> & { at: string | null })[]): ConnectionRow[] {
  return rows.map((row) => ({ ...row, at: row.at === null ? null : new Date(row.at) }));
}

/** SQL expressions (parameters, or columns of an enclosing statement) of what `LINK_CANDIDATES` reads of `x`. */
export interface CandidatesOf {
  id: string;
  youthId: string;
  foyerId: string;
  /** `coalesce(last_seen_at, noticed_missing_at)`. */
  departure: string;
  departedWithPeers: string;
  /** `x`'s link window (link.rules.ts `linkWindow`). */
  windowStart: string;
  windowEnd: string;
  now: string;
  /** Arrays: the blind indexes of `x`'s plates, aliases and addresses of linking places, the youths it names. */
  plates: string;
  aliases: string;
  addresses: string;
  companionYouthIds: string;
  linkingPlaceKinds: string;
}

/**
 * The episodes that may be linked to episode `x` (spec/links.md), with what the link rules read
 * of them: episodes sharing one of the given blind indexes (plates, aliases, addresses of hotel,
 * short-let or private-home places), episodes of the youths `x` names, episodes naming `x`'s
 * youth, and episodes of the same foyer leaving within 2 h of it — all of them when `x` left
 * with peers, else only those that left with peers (LEFT_TOGETHER needs `peers` on one side); of
 * another youth, not erased, whose window overlaps `x`'s. Ordered by id. Every branch reads
 * through an index: the cost follows the matches, not the history, nor a foyer's other
 * departures. The plan does not depend on the values of `x`: the departures with peers are read
 * through their partial index in every case, the foyer's other departures by a branch that runs
 * only when `x` left with peers, and the episodes of the youths `x` names by one that runs only
 * when it names some (one-time filters). Each candidate is then read through the primary key, in
 * lateral subqueries the planner may not flatten (`OFFSET 0`, an aggregate): flattened, a
 * misestimate of how many episodes fall in the window (statistics taken before a burst, or none)
 * had it scan the whole episodes table once per triage, a cost that grew with the history. Its own
 * aliases (`cand`, `cf`, `cc`, `e`, `cx`) leave the enclosing statement's free.
 */
export const LINK_CANDIDATES = (x: CandidatesOf) =>
  `WITH cand AS (
     SELECT cc.fugue_id AS id FROM fugue_connections cc WHERE cc.kind = 'vehicle' AND cc.blind_index = ANY(${x.plates})
     UNION SELECT cc.fugue_id FROM fugue_connections cc WHERE cc.kind = 'companion' AND cc.blind_index = ANY(${x.aliases})
     UNION SELECT cc.fugue_id FROM fugue_connections cc
            WHERE cc.kind = 'place' AND cc.blind_index = ANY(${x.addresses}) AND cc.place_kind = ANY(${x.linkingPlaceKinds})
     UNION SELECT cc.fugue_id FROM fugue_connections cc WHERE cc.companion_youth_id = ${x.youthId}
     UNION SELECT cf.id FROM fugues cf WHERE cardinality(${x.companionYouthIds}) > 0 AND cf.youth_id = ANY(${x.companionYouthIds})
     UNION SELECT cf.id FROM fugues cf
            WHERE cf.foyer_id = ${x.foyerId} AND cf.departed_with = 'peers'
              AND coalesce(cf.last_seen_at, cf.noticed_missing_at) > ${x.departure} - interval '2 hours'
              AND coalesce(cf.last_seen_at, cf.noticed_missing_at) < ${x.departure} + interval '2 hours'
     UNION SELECT cf.id FROM fugues cf
            WHERE ${x.departedWithPeers} AND cf.foyer_id = ${x.foyerId}
              AND coalesce(cf.last_seen_at, cf.noticed_missing_at) > ${x.departure} - interval '2 hours'
              AND coalesce(cf.last_seen_at, cf.noticed_missing_at) < ${x.departure} + interval '2 hours'
   )
   SELECT cf.*, cx.*
     FROM cand
     CROSS JOIN LATERAL (
       SELECT e.id, e.youth_id AS "youthId", e.foyer_id AS "foyerId", e.department_code AS "departmentCode", e.status,
              e.noticed_missing_at AS "noticedMissingAt", e.last_seen_at AS "lastSeenAt", e.departed_with AS "departedWith",
              e.located_at AS "locatedAt", e.returned_at AS "returnedAt", e.ended_at AS "endedAt"
         FROM fugues e
        WHERE e.id = cand.id AND e.id <> ${x.id} AND e.youth_id <> ${x.youthId} AND e.erased_at IS NULL
          AND e.noticed_missing_at - interval '24 hours' <= ${x.windowEnd}
          AND coalesce(e.returned_at, e.located_at, e.ended_at, ${x.now}) + interval '24 hours' >= ${x.windowStart}
       OFFSET 0
     ) cf
     CROSS JOIN LATERAL (
       SELECT coalesce(array_agg(cc.companion_youth_id::text) FILTER (WHERE cc.companion_youth_id IS NOT NULL), '{}') AS "companionYouthIds",
              coalesce(array_agg(cc.blind_index) FILTER (WHERE cc.kind = 'vehicle' AND cc.blind_index IS NOT NULL), '{}') AS "plateIndexes",
              coalesce(array_agg(cc.blind_index) FILTER (WHERE cc.kind = 'companion' AND cc.blind_index IS NOT NULL), '{}') AS "aliasIndexes",
              coalesce(array_agg(cc.blind_index) FILTER (WHERE cc.kind = 'place' AND cc.blind_index IS NOT NULL
                                                        AND cc.place_kind = ANY(${x.linkingPlaceKinds})), '{}') AS "addressIndexes"
         FROM fugue_connections cc WHERE cc.fugue_id = cf.id
     ) cx
    ORDER BY cf.id`;

/** The rows of `LINK_CANDIDATES` read back from JSON (`json_agg`), as `LinkRepository.linkCandidates` returns them. */
export function candidatesFromJson(rows: Record<string, unknown>[]): LinkCandidateRow[] {
  const date = (value: unknown): Date | null => (value === null ? null : new Date(value as string));
  return rows.map((row) => ({
    ...(row as unknown as LinkCandidateRow),
    noticedMissingAt: new Date(row.noticedMissingAt as string),
    lastSeenAt: date(row.lastSeenAt),
    locatedAt: date(row.locatedAt),
    returnedAt: date(row.returnedAt),
    endedAt: date(row.endedAt),
  }));
}

export interface EpisodeBrief {
  id: string;
  youthId: string;
  foyerId: string;
  departmentCode: string;
  status: string;
  effectiveLevel: 'routine' | 'worrying' | null;
}

/** An episode that may be linked, as `linkCandidates` reads it. */
export interface LinkCandidateRow {
  id: string;
  youthId: string;
  foyerId: string;
  departmentCode: string;
  status: string;
  noticedMissingAt: Date;
  lastSeenAt: Date | null;
  departedWith: string | null;
  locatedAt: Date | null;
  returnedAt: Date | null;
  endedAt: Date | null;
  companionYouthIds: string[];
  plateIndexes: string[];
  aliasIndexes: string[];
  addressIndexes: string[];
}

export interface RecordedLink {
  /** Every reason of the link now. */
  reasons: string[];
  /** The reasons this evaluation added (all of them for a new link). */
  added: string[];
  created: boolean;
  foundAt: Date;
}

export interface StoredLink {
  otherId: string;
  reasons: string[];
  foundAt: Date;
}
