import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { FugueEntity, FugueStatus } from '../entities/fugue.entity';
import { FugueUpdateEntity } from '../entities/fugue-update.entity';
import { FugueClassificationEntity } from '../entities/fugue-classification.entity';
import { ReferentEntity, ReferentRole } from '../entities/referent.entity';
import { StoredLevel } from '../entities/stored-classification';
import { Page, keysetPage } from './pagination';
import { columnList, entityFromRow, rowsOf } from './raw-rows';
import { NewWebhookEvent, WebhookEventRepository, WrittenWebhookEvent } from './webhook-event.repository';
import { preparedQuery } from './prepared';
import { OutboxMessage, PENDING, withCorrelationId } from './outbox.repository';
import {
  candidatesFromJson,
  CONNECTIONS_JSON,
  ConnectionRow,
  connectionsFromJson,
  DISCLOSED,
  LINK_CANDIDATES,
  LinkCandidateRow,
  LINKED_EXPLOITED,
  StoredLink,
} from './link.repository';

/** A classification to store, keyed by the trigger that asked for it. */
export type NewClassification = Omit<FugueClassificationEntity, 'id' | 'createdAt' | 'fugueId'>;

/** What a triage reads about an episode, its youth and the youth's history. */
export interface TriageFacts {
  /** When the outbox row asking for this triage was written. */
  requestedAt: Date;
  fugue: FugueEntity;
  youth: { identityEnc: string | null; vulnerabilities: string[]; vitalTreatment: boolean };
  timeZone: string | null;
  /** The episode's updates and hotline events, oldest first. */
  updates: { source: 'update' | 'hotline'; indicators: string[]; staffConcernWorrying: boolean | null }[];
  /** The youth's other episodes, oldest first. */
  otherEpisodes: { noticedMissingAt: Date; status: FugueStatus; locatedAt: Date | null; returnedAt: Date | null; effectiveLevel: StoredLevel | null }[];
  /** The youth's completed return interviews. */
  completedInterviews: { conductedAt: Date | null; sexualExploitation: boolean; exploitationIndicators: string[] }[];
  /** What the link rules read of the episode (spec/links.md), as of the triage's instant `at`. */
  links: {
    /** The episode's connections (`LinkRepository.connectionsOf`). */
    connections: ConnectionRow[];
    /** Its link candidates for the blind indexes stored with its connections (`LinkRepository.linkCandidates`). */
    candidates: LinkCandidateRow[];
    /** The oldest of its links to an episode of a youth known to be exploited (`LinkRepository.linkedExploited`). */
    linkedExploited: StoredLink | null;
    /** Whether its youth disclosed exploitation at a return interview in the last 365 days (`DISCLOSED`). */
    disclosedExploitation: boolean;
  };
}

/** The blind indexes stored with the claimed episode `f`'s connections of this kind, as an SQL array. */
const STORED_INDEXES = (kind: string, also = 'true') =>
  `ARRAY(SELECT xc.blind_index FROM fugue_connections xc
          WHERE xc.fugue_id = f.id AND xc.kind = '${kind}' AND xc.blind_index IS NOT NULL AND ${also})`;

/** A row of `claimTriageFacts`: the episode's columns and the facts read beside them. */
type TriageFactsRow = Record<string, unknown> & {
  _outbox_id: string;
  _requested_at: Date;
  _identity_enc: string | null;
  _vulnerabilities: string[];
  _vital_treatment: boolean;
  _time_zone: string | null;
  _updates: TriageFacts['updates'];
  _others: { noticedMissingAt: string; status: FugueStatus; locatedAt: string | null; returnedAt: string | null; effectiveLevel: StoredLevel | null }[];
  _interviews: { conductedAt: string | null; sexualExploitation: boolean; exploitationIndicators: string[] }[];
  _connections: Parameters<typeof connectionsFromJson>[0];
  _candidates: Parameters<typeof candidatesFromJson>[0];
  _linked_exploited: { otherId: string; reasons: string[]; foundAt: string } | null;
  _disclosed: boolean;
};

/** A triage to store (`FugueRepository.storeTriages`): the episode as the triage left it, and what it writes. */
export interface TriageToStore {
  fugue: FugueEntity;
  classification: NewClassification;
  /** The data of the `classified` timeline event. */
  event: Record<string, unknown>;
  /** The webhook event reporting the triage, under the id the caller chose for it. */
  webhookEvent: (NewWebhookEvent & { id: string }) | null;
  /** The roles whose referents the statement reads (the routine information); null for none. */
  recipientRoles: readonly ReferentRole[] | null;
}

/** What `storeTriages` wrote and read for one triage. */
export interface StoredTriage {
  /** False when this trigger's classification was already stored: nothing was written. */
  stored: boolean;
  /** The webhook event written with the triage, when one was asked for. */
  webhookEvent: WrittenWebhookEvent | null;
  /** The referents the asked roles reach, oldest first; null when none were asked for. */
  recipients: ReferentEntity[] | null;
}

/** What a caller may see; `null` means no restriction on that axis. */
export interface FugueScope {
  foyerIds: string[] | null;
  departmentCodes: string[] | null;
  /** The hotline sees worrying episodes only. */
  worryingOnly: boolean;
}

/** `open`: missing or located, the episodes still running. */
export type FugueStatusFilter = FugueStatus | 'open';

/** The state of an episode's running alert: none, open (not acknowledged yet) or acknowledged. */
export type FugueAlertState = 'none' | 'open' | 'acknowledged';

export interface FugueListFilter {
  departmentCode?: string;
  foyerId?: string;
  youthId?: string;
  status?: FugueStatusFilter;
  level?: StoredLevel;
  since?: Date;
}

@Injectable()
export class FugueRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly webhookEvents: WebhookEventRepository,
  ) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(FugueEntity);
  }

  findById(id: string, manager?: EntityManager): Promise<FugueEntity | null> {
    return this.repo(manager).findOneBy({ id });
  }

  /**
   * Locks the episode for the rest of the transaction: its triages and transitions run one at a time.
   * FOR NO KEY UPDATE, not FOR UPDATE: rows that reference the episode (events, notifications,
   * alerts) can still be inserted by others meanwhile, so a transaction holding an alert while it
   * writes such a row never deadlocks with one holding the episode while it locks the alert.
   */
  findByIdForUpdate(manager: EntityManager, id: string): Promise<FugueEntity | null> {
    return this.repo(manager).createQueryBuilder('f').setLock('for_no_key_update').where('f.id = :id', { id }).getOne();
  }

  /**
   * Everything the triages of a batch read, in one statement: claims the outbox rows that ask for
   * them, locks their episodes (FOR NO KEY UPDATE, in the order of their ids, so that two batches
   * never wait on each other in a cycle), and reads for each the youth's triage fields, the
   * département's time zone, the episode's updates, the youth's other episodes and completed
   * return interviews, and what the link rules read of the episode as of the request's `at` (its
   * connections, its link candidates for the blind indexes stored with them and
   * `linkingPlaceKinds`, its first link to a youth known to be exploited, its youth's
   * disclosure). The facts are keyed by outbox id; a request is missing when its row was
   * already processed (a replayed job) or its episode or youth is gone, and the claims stand in
   * the caller's transaction either way. Each episode must appear once: facts read for a second
   * request on the same episode would not see the first one's triage.
   */
  async claimTriageFacts(
    manager: EntityManager,
    requests: readonly { outboxId: string; fugueId: string; at: Date }[],
    linkingPlaceKinds: readonly string[],
  ): Promise<Map<string, TriageFacts>> {
    if (new Set(requests.map((r) => r.fugueId)).size !== requests.length) throw new Error('An episode appears twice in one triage claim');
    const rows: TriageFactsRow[] = await preparedQuery(
      manager,
      'vigie_claim_triage_facts',
      `WITH asked AS (
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[]) AS a(outbox_id, fugue_id, at)
       ), claimed AS (
         UPDATE outbox o SET processed_at = now() FROM asked
          WHERE o.id = asked.outbox_id AND ${PENDING('o')}
         RETURNING o.id, o.created_at, asked.fugue_id, asked.at
       )
       SELECT ${columnList(manager, FugueEntity, 'f')}, claimed.id AS _outbox_id, claimed.created_at AS _requested_at,
              y.identity_enc AS _identity_enc, y.vulnerabilities AS _vulnerabilities, y.vital_treatment AS _vital_treatment,
              d.time_zone AS _time_zone,
              (SELECT coalesce(json_agg(json_build_object('source', u.source, 'indicators', u.indicators,
                                                          'staffConcernWorrying', u.staff_concern_worrying)
                                        ORDER BY u.created_at, u.id), '[]')
                 FROM fugue_updates u WHERE u.fugue_id = f.id) AS _updates,
              (SELECT coalesce(json_agg(json_build_object('noticedMissingAt', o.noticed_missing_at, 'status', o.status,
                                                          'locatedAt', o.located_at, 'returnedAt', o.returned_at,
                                                          'effectiveLevel', o.effective_level)
                                        ORDER BY o.noticed_missing_at), '[]')
                 FROM fugues o WHERE o.youth_id = f.youth_id AND o.id <> f.id) AS _others,
              (SELECT coalesce(json_agg(json_build_object('conductedAt', i.conducted_at,
                                                          'sexualExploitation', i.disclosed_sexual_exploitation,
                                                          'exploitationIndicators', i.exploitation_indicators)
                                        ORDER BY i.conducted_at), '[]')
                 FROM return_interviews i WHERE i.youth_id = f.youth_id AND i.status = 'completed') AS _interviews,
              ${CONNECTIONS_JSON('f.id')} AS _connections,
              (SELECT coalesce(json_agg(k ORDER BY k.id), '[]') FROM (${LINK_CANDIDATES({
                id: 'f.id',
                youthId: 'f.youth_id',
                foyerId: 'f.foyer_id',
                departure: 'coalesce(f.last_seen_at, f.noticed_missing_at)',
                departedWithPeers: "(f.departed_with = 'peers')",
                // link.rules.ts linkWindow, with its margin of 24 hours.
                windowStart: "(f.noticed_missing_at - interval '24 hours')",
                windowEnd: "(coalesce(f.returned_at, f.located_at, f.ended_at, claimed.at) + interval '24 hours')",
                now: 'claimed.at',
                plates: STORED_INDEXES('vehicle'),
                aliases: STORED_INDEXES('companion'),
                addresses: STORED_INDEXES('place', 'xc.place_kind = ANY($4::text[])'),
                companionYouthIds: `ARRAY(SELECT DISTINCT xc.companion_youth_id FROM fugue_connections xc
                                           WHERE xc.fugue_id = f.id AND xc.companion_youth_id IS NOT NULL)`,
                linkingPlaceKinds: '$4::text[]',
              })}) k) AS _candidates,
              (SELECT json_build_object('otherId', o.id, 'reasons', l.reasons, 'foundAt', l.found_at)
                 ${LINKED_EXPLOITED('f.id', 'f.youth_id', 'claimed.at')} LIMIT 1) AS _linked_exploited,
              ${DISCLOSED('f.youth_id', 'claimed.at')} AS _disclosed
         FROM claimed
         JOIN fugues f ON f.id = claimed.fugue_id
         JOIN youths y ON y.id = f.youth_id
         LEFT JOIN departments d ON d.code = f.department_code
        ORDER BY f.id
          FOR NO KEY UPDATE OF f`,
      [requests.map((r) => r.outboxId), requests.map((r) => r.fugueId), requests.map((r) => r.at), linkingPlaceKinds],
    );
    return new Map(rows.map((row) => [row._outbox_id, this.triageFacts(manager, row)]));
  }

  private triageFacts(manager: EntityManager, row: TriageFactsRow): TriageFacts {
    const date = (value: string | null): Date | null => (value === null ? null : new Date(value));
    return {
      requestedAt: row._requested_at,
      fugue: entityFromRow(manager, FugueEntity, row),
      youth: { identityEnc: row._identity_enc, vulnerabilities: row._vulnerabilities, vitalTreatment: row._vital_treatment },
      timeZone: row._time_zone,
      updates: row._updates,
      otherEpisodes: row._others.map((o) => ({
        noticedMissingAt: new Date(o.noticedMissingAt),
        status: o.status,
        locatedAt: date(o.locatedAt),
        returnedAt: date(o.returnedAt),
        effectiveLevel: o.effectiveLevel,
      })),
      completedInterviews: row._interviews.map((i) => ({ ...i, conductedAt: date(i.conductedAt) })),
      links: {
        connections: connectionsFromJson(row._connections),
        candidates: candidatesFromJson(row._candidates),
        linkedExploited: row._linked_exploited && { ...row._linked_exploited, foundAt: new Date(row._linked_exploited.foundAt) },
        disclosedExploitation: row._disclosed,
      },
    };
  }

  /**
   * Stores the triages of a batch in one statement. For each: the classification (once per
   * trigger), its `classified` timeline event, and what it changes on the episode
   * (classification, review time, effective level, a superseded override). A classification's
   * `created_at` is the time of its write, not the start of the transaction. With
   * `webhookEvent`, the same statement writes that event, under the id the caller chose, and its
   * deliveries (the `fugue.classified` event); with `recipientRoles`, it reads the referents those
   * roles reach for the episode (`ReferentRepository.findRecipients`), for the routine
   * information. A triage's `stored` is false, and nothing of it is written, when its trigger's
   * classification was already stored. Results are in the order of `triages`; each episode must
   * appear once.
   */
  async storeTriages(manager: EntityManager, triages: readonly TriageToStore[]): Promise<StoredTriage[]> {
    if (triages.length === 0) return [];
    if (new Set(triages.map((t) => t.fugue.id)).size !== triages.length) throw new Error('An episode appears twice in one triage write');
    const rows = triages.map(({ fugue, classification: c, event, webhookEvent, recipientRoles }, ord) => ({
      ord,
      fugue_id: fugue.id,
      classification: fugue.classification,
      next_review_at: fugue.nextReviewAt,
      effective_level: fugue.effectiveLevel,
      override_level: fugue.overrideLevel,
      override_by: fugue.overrideBy,
      override_at: fugue.overrideAt,
      override_reason_enc: fugue.overrideReasonEnc,
      override_basis: fugue.overrideBasis,
      department_code: fugue.departmentCode,
      foyer_id: fugue.foyerId,
      trigger_key: c.triggerKey,
      cause: c.cause,
      ruleset_version: c.rulesetVersion,
      evaluated_at: c.evaluatedAt,
      level: c.level,
      score: c.score,
      reasons: c.reasons,
      c_next_review_at: c.nextReviewAt,
      event,
      recipient_roles: recipientRoles,
      webhook_event_id: webhookEvent?.id ?? null,
      webhook_type: webhookEvent?.type ?? null,
      webhook_department_code: webhookEvent?.departmentCode ?? null,
      webhook_level: webhookEvent?.level ?? null,
      webhook_data: webhookEvent?.data ?? null,
    }));
    const written = await this.webhookEvents.insertManyWithChange<{ ord: number; stored: boolean; _recipients: Record<string, unknown>[] | null }>(manager, {
      name: 'vigie_store_triages',
      ctes: `t AS MATERIALIZED (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(
           ord int, fugue_id uuid, classification jsonb, next_review_at timestamptz, effective_level text,
           override_level text, override_by uuid, override_at timestamptz, override_reason_enc text, override_basis text[],
           department_code text, foyer_id uuid, trigger_key text, cause text, ruleset_version text, evaluated_at timestamptz,
           level text, score int, reasons jsonb, c_next_review_at timestamptz, event jsonb, recipient_roles text[],
           webhook_event_id uuid, webhook_type text, webhook_department_code text, webhook_level text, webhook_data jsonb)
       ), c AS (
         INSERT INTO fugue_classifications (fugue_id, trigger_key, cause, ruleset_version, evaluated_at, level, score, reasons, next_review_at, created_at)
         SELECT fugue_id, trigger_key, cause, ruleset_version, evaluated_at, level, score, reasons, c_next_review_at, clock_timestamp()
           FROM t ORDER BY ord
         ON CONFLICT DO NOTHING
         RETURNING fugue_id
       ), s AS (
         SELECT t.* FROM t WHERE t.fugue_id IN (SELECT fugue_id FROM c)
       ), e AS (
         INSERT INTO fugue_events (fugue_id, type, at, data) SELECT fugue_id, 'classified', evaluated_at, event FROM s ORDER BY ord
       ), f AS (
         UPDATE fugues
            SET classification = s.classification, next_review_at = s.next_review_at, effective_level = s.effective_level,
                override_level = s.override_level, override_by = s.override_by, override_at = s.override_at,
                override_reason_enc = s.override_reason_enc, override_basis = s.override_basis, updated_at = now()
           -- fugues.id = ANY($2) reads the episodes through the primary key: the planner counts
           -- 100 rows for any jsonb_to_recordset, and would scan a table of a few thousand
           -- episodes rather than look each one up.
           FROM s WHERE fugues.id = ANY($2::uuid[]) AND fugues.id = s.fugue_id
       )`,
      params: [JSON.stringify(rows), triages.map((t) => t.fugue.id)],
      events: `(SELECT webhook_event_id AS id, webhook_type AS type, webhook_department_code AS department_code,
                       webhook_level AS level, webhook_data AS data
                  FROM s WHERE webhook_event_id IS NOT NULL ORDER BY ord) x`,
      // The referents of ReferentRepository.findRecipients, as JSON rows keyed by column name.
      select: `t.ord, c.fugue_id IS NOT NULL AS stored,
               CASE WHEN c.fugue_id IS NOT NULL AND t.recipient_roles IS NOT NULL THEN
                 (SELECT coalesce(json_agg(x ORDER BY x.created_at, x.id), '[]')
                    FROM (SELECT ${columnList(manager, ReferentEntity, 'r')} FROM referents r
                           WHERE r.deleted_at IS NULL AND r.department_code = t.department_code AND r.role = ANY(t.recipient_roles)
                             AND (r.role <> 'foyer_duty' OR r.foyer_id = t.foyer_id) AND jsonb_array_length(r.channels) > 0) x)
               END AS _recipients`,
      from: 't LEFT JOIN c ON c.fugue_id = t.fugue_id',
      eventId: 'CASE WHEN c.fugue_id IS NOT NULL THEN t.webhook_event_id END',
    });
    const byOrd = new Map(written.map((w) => [w.row.ord, w]));
    return triages.map(({ webhookEvent }, ord): StoredTriage => {
      const w = byOrd.get(ord);
      if (!w?.row.stored) return { stored: false, webhookEvent: null, recipients: null };
      return {
        stored: true,
        webhookEvent: webhookEvent ? { eventId: webhookEvent.id, deliveryIds: w.deliveryIds } : null,
        recipients: w.row._recipients === null ? null : w.row._recipients.map((row) => entityFromRow(manager, ReferentEntity, row)),
      };
    });
  }

  /**
   * Writes a declared episode, its first timeline event, the outbox row asking for its triage,
   * and the webhook event reporting it with that event's deliveries, in one statement: atomic
   * without a transaction round trip, on the hot path of intake. The statement finds the youth
   * itself: it must exist, not be erased, and be in one of `scope.foyerIds` (any foyer when
   * null); the episode's foyer and département are the youth's, and the event's data gets them
   * as `foyerId` and `departmentCode`. The payloads are built by the caller from the episode's id,
   * chosen before the insert. The youth is held FOR KEY SHARE: null, writing nothing, when no
   * such youth is found (unknown, out of scope, or erased, possibly by a retention run that held
   * the youth meanwhile, see RetentionRepository.eraseYouthsWithoutKeptEpisodes); the caller
   * tells those apart.
   * Throws the unique violation `fugues_one_open_per_youth_key` when the youth already has an
   * open episode.
   */
  async insertDeclared(
    manager: EntityManager,
    fugue: Pick<
      FugueEntity,
      | 'id' | 'youthId' | 'noticedMissingAt' | 'lastSeenAt' | 'departedWith'
      | 'belongings' | 'indicators' | 'staffConcernWorrying' | 'detailsEnc' | 'createdBy'
    >,
    scope: { foyerIds: string[] | null },
    triage: { jobName: string; payload: Record<string, unknown> },
    event: Omit<NewWebhookEvent, 'departmentCode'>,
  ): Promise<{ fugue: FugueEntity; triage: OutboxMessage; webhookEvent: WrittenWebhookEvent } | null> {
    const payload = withCorrelationId(triage.payload);
    const [declared] = await this.webhookEvents.insertWithChange<{
      id: string;
      foyer_id: string;
      department_code: string;
      created_at: Date;
      updated_at: Date;
      outbox_id: string;
    }>(
      manager,
      {
        name: 'vigie_declare_fugue_in_scope',
        ctes: `y AS (
           SELECT y.id, y.foyer_id, fo.department_code FROM youths y JOIN foyers fo ON fo.id = y.foyer_id
            WHERE y.id = $1 AND y.erased_at IS NULL AND ($2::uuid[] IS NULL OR y.foyer_id = ANY ($2::uuid[]))
              FOR KEY SHARE OF y
         ), f AS (
           INSERT INTO fugues (id, youth_id, foyer_id, department_code, status, noticed_missing_at, last_seen_at, departed_with,
                               belongings, indicators, staff_concern_worrying, details_enc, created_by)
           SELECT $13::uuid, y.id, y.foyer_id, y.department_code, 'missing', $3, $4, $5, $6, $7, $8, $9, $10 FROM y
           RETURNING id, foyer_id, department_code, created_at, updated_at
         ), e AS (
           INSERT INTO fugue_events (fugue_id, type, at, actor_id, data)
           SELECT id, 'declared', created_at, $10, jsonb_build_object('status', 'missing') FROM f
         ), o AS (
           INSERT INTO outbox (job_name, payload) SELECT $11, $12::jsonb FROM f
           RETURNING id
         )`,
        params: [
          fugue.youthId,
          scope.foyerIds,
          fugue.noticedMissingAt,
          fugue.lastSeenAt,
          fugue.departedWith,
          fugue.belongings,
          fugue.indicators,
          fugue.staffConcernWorrying,
          fugue.detailsEnc,
          fugue.createdBy,
          triage.jobName,
          JSON.stringify(payload),
          fugue.id,
        ],
        after: 'f',
        select: 'f.id, f.foyer_id, f.department_code, f.created_at, f.updated_at, o.id AS outbox_id',
        from: 'f, o',
        eventFrom: { departmentCode: 'f.department_code', data: `jsonb_build_object('departmentCode', f.department_code, 'foyerId', f.foyer_id)` },
      },
      { ...event, departmentCode: null },
    );
    if (!declared) return null;
    const { row } = declared;
    const entity = this.repo().create({
      ...fugue,
      id: row.id,
      foyerId: row.foyer_id,
      departmentCode: row.department_code,
      status: 'missing',
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      classification: null,
      effectiveLevel: null,
      overrideLevel: null,
    });
    return { fugue: entity, triage: { id: String(row.outbox_id), jobName: triage.jobName, payload }, webhookEvent: declared.event };
  }

  /** Episodes still `returned` or `located` whose return (or location) came before `cutoff`. */
  async findLeftOpenSince(cutoff: Date, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM fugues WHERE status IN ('returned', 'located') AND coalesce(returned_at, located_at) < $1
        ORDER BY coalesce(returned_at, located_at), id LIMIT $2`,
      [cutoff, limit],
    );
    return rows.map((r) => r.id);
  }

  save(manager: EntityManager, fugue: FugueEntity): Promise<FugueEntity> {
    return this.repo(manager).save(fugue);
  }


  async list(scope: FugueScope, filter: FugueListFilter, limit: number, cursor: string | null): Promise<Page<FugueEntity>> {
    const qb = this.repo().createQueryBuilder('f');
    if (scope.foyerIds) qb.andWhere('f.foyer_id = ANY(:scopeFoyers)', { scopeFoyers: scope.foyerIds });
    if (scope.departmentCodes) qb.andWhere('f.department_code = ANY(:scopeDepartments)', { scopeDepartments: scope.departmentCodes });
    if (scope.worryingOnly) qb.andWhere(`f.effective_level = 'worrying'`);
    if (filter.departmentCode) qb.andWhere('f.department_code = :departmentCode', { departmentCode: filter.departmentCode });
    if (filter.foyerId) qb.andWhere('f.foyer_id = :foyerId', { foyerId: filter.foyerId });
    if (filter.youthId) qb.andWhere('f.youth_id = :youthId', { youthId: filter.youthId });
    if (filter.status === 'open') qb.andWhere(`f.status IN ('missing', 'located')`);
    else if (filter.status) qb.andWhere('f.status = :status', { status: filter.status });
    if (filter.level) qb.andWhere('f.effective_level = :level', { level: filter.level });
    if (filter.since) qb.andWhere('f.noticed_missing_at >= :since', { since: filter.since });
    return keysetPage(qb, 'f.noticed_missing_at', 'f.id', cursor, limit);
  }



  /** For each episode: its foyer's name and the state of its running alert (an alert resolved is none). */
  async findSituations(fugueIds: string[]): Promise<Map<string, { foyerName: string; alertState: FugueAlertState }>> {
    if (fugueIds.length === 0) return new Map();
    const rows = rowsOf<{ id: string; foyer_name: string; alert_state: 'open' | 'acknowledged' | null }>(await this.dataSource.query(
      `SELECT f.id, fo.name AS foyer_name, a.state AS alert_state
         FROM fugues f
         JOIN foyers fo ON fo.id = f.foyer_id
         LEFT JOIN alerts a ON a.fugue_id = f.id AND a.state <> 'resolved'
        WHERE f.id = ANY($1::uuid[])`,
      [fugueIds],
    ));
    return new Map(rows.map((r) => [r.id, { foyerName: r.foyer_name, alertState: r.alert_state ?? 'none' }]));
  }

  insertUpdate(manager: EntityManager, update: Partial<FugueUpdateEntity>): Promise<FugueUpdateEntity> {
    const repo = manager.getRepository(FugueUpdateEntity);
    return repo.save(repo.create(update));
  }


  findClassifications(fugueId: string): Promise<FugueClassificationEntity[]> {
    return this.dataSource.getRepository(FugueClassificationEntity).find({ where: { fugueId }, order: { evaluatedAt: 'ASC' } });
  }

  /**
   * Takes the episodes whose review time has come: clears the time and returns their ids, in one
   * statement, so that two workers never both take the same review.
   */
  async takeDueReviews(manager: EntityManager, now: Date, limit: number): Promise<{ id: string; reviewAt: Date }[]> {
    const rows = rowsOf<{ id: string; review_at: Date }>(await manager.query(
      `UPDATE fugues f SET next_review_at = NULL
         FROM (SELECT id, next_review_at FROM fugues
                WHERE next_review_at <= $2 ORDER BY next_review_at LIMIT $1 FOR UPDATE SKIP LOCKED) due
        WHERE f.id = due.id
        RETURNING f.id, due.next_review_at AS review_at`,
      [limit, now],
    ));
    return rows.map((r) => ({ id: r.id, reviewAt: r.review_at }));
  }
}
