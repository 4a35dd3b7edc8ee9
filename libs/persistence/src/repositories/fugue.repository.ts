import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { FugueEntity, FugueStatus } from '../entities/fugue.entity';
import { FugueUpdateEntity } from '../entities/fugue-update.entity';
import { FugueClassificationEntity } from '../entities/fugue-classification.entity';
import { StoredLevel } from '../entities/stored-classification';
import { Page, pageOf, keysetAfter } from './pagination';
import { rowsOf } from './raw-rows';

/** What a caller may see; `null` means no restriction on that axis. */
export interface FugueScope {
  foyerIds: string[] | null;
  departmentCodes: string[] | null;
  /** The hotline sees worrying episodes only. */
  worryingOnly: boolean;
}

export interface FugueListFilter {
  departmentCode?: string;
  foyerId?: string;
  status?: FugueStatus;
  level?: StoredLevel;
  since?: Date;
}

@Injectable()
export class FugueRepository {
  constructor(private readonly dataSource: DataSource) {}

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
   * Writes a declared episode, its first timeline event, the outbox row asking for its triage,
   * and its `fugue.declared` webhook event with the outbox row asking for its fan-out, in one statement: atomic without a transaction round trip, on the hot path of intake.
   * Throws the unique violation `fugues_one_open_per_youth_key` when the youth already has an
   * open episode.
   */
  async insertDeclared(
    fugue: Pick<
      FugueEntity,
      | 'youthId' | 'foyerId' | 'departmentCode' | 'noticedMissingAt' | 'lastSeenAt' | 'departedWith'
      | 'belongings' | 'indicators' | 'staffConcernWorrying' | 'detailsEnc' | 'createdBy'
    >,
    outbox: { jobName: string; payload: (fugueId: string) => Record<string, unknown> },
    webhook: { type: string; data: (fugueId: string) => Record<string, unknown>; fanoutJobName: string },
  ): Promise<{ fugue: FugueEntity; outboxId: string; webhookEventId: string; webhookOutboxId: string }> {
    type DeclaredRow = { id: string; created_at: Date; updated_at: Date; outbox_id: string; webhook_event_id: string; webhook_outbox_id: string };
    const rows: DeclaredRow[] = await this.dataSource.query(
      `WITH f AS (
         INSERT INTO fugues (youth_id, foyer_id, department_code, status, noticed_missing_at, last_seen_at, departed_with,
                             belongings, indicators, staff_concern_worrying, details_enc, created_by)
         VALUES ($1, $2, $3, 'missing', $4, $5, $6, $7, $8, $9, $10, $11)
         RETURNING id, created_at, updated_at
       ), e AS (
         INSERT INTO fugue_events (fugue_id, type, at, actor_id, data)
         SELECT id, 'declared', created_at, $11, jsonb_build_object('status', 'missing') FROM f
       ), o AS (
         INSERT INTO outbox (job_name, payload)
         SELECT $12, jsonb_set($13::jsonb, '{fugueId}', to_jsonb(id::text)) FROM f
         RETURNING id
       ), w AS (
         INSERT INTO webhook_events (type, department_code, data)
         SELECT $14, $3, jsonb_set($15::jsonb, '{fugueId}', to_jsonb(id::text)) FROM f
         RETURNING id
       ), wo AS (
         INSERT INTO outbox (job_name, payload)
         SELECT $16, jsonb_build_object('eventId', id::text) FROM w
         RETURNING id
       )
       SELECT f.id, f.created_at, f.updated_at, o.id AS outbox_id, w.id AS webhook_event_id, wo.id AS webhook_outbox_id FROM f, o, w, wo`,
      [
        fugue.youthId,
        fugue.foyerId,
        fugue.departmentCode,
        fugue.noticedMissingAt,
        fugue.lastSeenAt,
        fugue.departedWith,
        fugue.belongings,
        fugue.indicators,
        fugue.staffConcernWorrying,
        fugue.detailsEnc,
        fugue.createdBy,
        outbox.jobName,
        JSON.stringify(outbox.payload('')),
        webhook.type,
        JSON.stringify(webhook.data('')),
        webhook.fanoutJobName,
      ],
    );
    const row = rows[0];
    const entity = this.repo().create({
      ...fugue,
      id: row.id,
      status: 'missing',
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      classification: null,
      effectiveLevel: null,
      overrideLevel: null,
    });
    return { fugue: entity, outboxId: String(row.outbox_id), webhookEventId: row.webhook_event_id, webhookOutboxId: String(row.webhook_outbox_id) };
  }

  save(manager: EntityManager, fugue: FugueEntity): Promise<FugueEntity> {
    return this.repo(manager).save(fugue);
  }

  /**
   * Writes what a triage changes on the episode (classification, review time, effective level,
   * a superseded override) in one UPDATE: `save` would first reload the row to diff it, one more
   * round trip on every triage.
   */
  async saveTriageResult(manager: EntityManager, fugue: FugueEntity): Promise<void> {
    await manager.query(
      `UPDATE fugues
          SET classification = $2, next_review_at = $3, effective_level = $4, override_level = $5,
              override_by = $6, override_at = $7, override_reason_enc = $8, updated_at = now()
        WHERE id = $1`,
      [
        fugue.id,
        fugue.classification === null ? null : JSON.stringify(fugue.classification),
        fugue.nextReviewAt,
        fugue.effectiveLevel,
        fugue.overrideLevel,
        fugue.overrideBy,
        fugue.overrideAt,
        fugue.overrideReasonEnc,
      ],
    );
  }

  async list(scope: FugueScope, filter: FugueListFilter, limit: number, cursor: string | null): Promise<Page<FugueEntity>> {
    const qb = this.repo().createQueryBuilder('f');
    if (scope.foyerIds) qb.andWhere('f.foyer_id = ANY(:scopeFoyers)', { scopeFoyers: scope.foyerIds });
    if (scope.departmentCodes) qb.andWhere('f.department_code = ANY(:scopeDepartments)', { scopeDepartments: scope.departmentCodes });
    if (scope.worryingOnly) qb.andWhere(`f.effective_level = 'worrying'`);
    if (filter.departmentCode) qb.andWhere('f.department_code = :departmentCode', { departmentCode: filter.departmentCode });
    if (filter.foyerId) qb.andWhere('f.foyer_id = :foyerId', { foyerId: filter.foyerId });
    if (filter.status) qb.andWhere('f.status = :status', { status: filter.status });
    if (filter.level) qb.andWhere('f.effective_level = :level', { level: filter.level });
    if (filter.since) qb.andWhere('f.noticed_missing_at >= :since', { since: filter.since });
    keysetAfter(qb, 'f.noticed_missing_at', 'f.id', cursor);
    const rows = await qb.orderBy('f.noticed_missing_at', 'DESC').addOrderBy('f.id', 'DESC').limit(limit + 1).getMany();
    return pageOf(rows, limit, (f) => [f.noticedMissingAt, f.id]);
  }

  /** The youth's other episodes, for the history factors of the triage. */
  findOtherEpisodesOfYouth(manager: EntityManager, youthId: string, exceptId: string): Promise<FugueEntity[]> {
    return this.repo(manager)
      .createQueryBuilder('f')
      .where('f.youth_id = :youthId AND f.id <> :exceptId', { youthId, exceptId })
      .orderBy('f.noticed_missing_at', 'ASC')
      .getMany();
  }

  findUpdates(manager: EntityManager, fugueId: string): Promise<FugueUpdateEntity[]> {
    return manager.getRepository(FugueUpdateEntity).find({ where: { fugueId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  insertUpdate(manager: EntityManager, update: Partial<FugueUpdateEntity>): Promise<FugueUpdateEntity> {
    const repo = manager.getRepository(FugueUpdateEntity);
    return repo.save(repo.create(update));
  }

  /** Stores a classification once per trigger; returns false when it was already stored. */
  async insertClassification(manager: EntityManager, row: Omit<FugueClassificationEntity, 'id' | 'createdAt'>): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .insert()
      .into(FugueClassificationEntity)
      .values(row)
      .orIgnore()
      .execute();
    return (result.raw as unknown[]).length > 0;
  }

  findClassifications(fugueId: string): Promise<FugueClassificationEntity[]> {
    return this.dataSource.getRepository(FugueClassificationEntity).find({ where: { fugueId }, order: { evaluatedAt: 'ASC' } });
  }

  /**
   * Takes the episodes whose review time has come: clears the time and returns their ids, in one
   * statement, so that two workers never both take the same review.
   */
  async takeDueReviews(manager: EntityManager, limit: number): Promise<{ id: string; reviewAt: Date }[]> {
    const rows = rowsOf<{ id: string; review_at: Date }>(await manager.query(
      `UPDATE fugues f SET next_review_at = NULL
         FROM (SELECT id, next_review_at FROM fugues
                WHERE next_review_at <= now() ORDER BY next_review_at LIMIT $1 FOR UPDATE SKIP LOCKED) due
        WHERE f.id = due.id
        RETURNING f.id, due.next_review_at AS review_at`,
      [limit],
    ));
    return rows.map((r) => ({ id: r.id, reviewAt: r.review_at }));
  }
}
