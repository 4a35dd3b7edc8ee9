import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { YouthEntity } from '../entities/youth.entity';
import { preparedQuery } from './prepared';
import { decodeCursor } from './pagination';

/** Whose youths a list may show: every youth (null), or those of these foyers or départements. */
export interface YouthScope {
  foyerIds: string[] | null;
  departmentCodes: string[] | null;
}

/** A youth's current episode: the latest one not closed or cancelled. */
export interface CurrentFugue {
  id: string;
  youthId: string;
  status: string;
  effectiveLevel: string | null;
  noticedMissingAt: Date;
}

/**
 * The creation time at the cursor's precision: ordered and compared at the same precision, two
 * youths created in the same millisecond are neither skipped nor repeated across pages.
 */
const CREATED_MS = `date_trunc('milliseconds', y.created_at)`;

@Injectable()
export class YouthRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(YouthEntity);
  }

  create(input: Pick<YouthEntity, 'foyerId' | 'identityEnc' | 'sex' | 'vitalTreatment' | 'vulnerabilities' | 'externalRef'>): Promise<YouthEntity> {
    return this.repo.save(this.repo.create({ ...input, erasedAt: null }));
  }

  findByIds(ids: string[]): Promise<YouthEntity[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.repo.findBy({ id: In(ids) });
  }

  findById(id: string): Promise<YouthEntity | null> {
    return this.repo.findOneBy({ id });
  }

  /** The youth with the département of its foyer, in one query (intake hot path). */
  async findWithDepartment(id: string): Promise<{ id: string; foyerId: string; departmentCode: string; erased: boolean } | null> {
    const rows: { id: string; foyer_id: string; department_code: string; erased: boolean }[] = await preparedQuery(
      this.dataSource.manager,
      'vigie_youth_with_department',
      `SELECT y.id, y.foyer_id, f.department_code, y.erased_at IS NOT NULL AS erased
         FROM youths y JOIN foyers f ON f.id = y.foyer_id WHERE y.id = $1`,
      [id],
    );
    const row = rows[0];
    return row ? { id: row.id, foyerId: row.foyer_id, departmentCode: row.department_code, erased: row.erased } : null;
  }

  /**
   * Youths in scope, newest first, `limit` of them after the cursor (a youth's created_at and
   * id), optionally of one foyer.
   */
  listBatch(scope: YouthScope, foyerId: string | null, limit: number, cursor: string | null): Promise<YouthEntity[]> {
    const qb = this.repo.createQueryBuilder('y').innerJoin('foyers', 'f', 'f.id = y.foyer_id');
    if (scope.foyerIds) qb.andWhere('y.foyer_id = ANY(:scopeFoyers)', { scopeFoyers: scope.foyerIds });
    if (scope.departmentCodes) qb.andWhere('f.department_code = ANY(:scopeDepartments)', { scopeDepartments: scope.departmentCodes });
    if (foyerId) qb.andWhere('y.foyer_id = :foyerId', { foyerId });
    if (cursor) {
      const { at, id } = decodeCursor(cursor);
      qb.andWhere(`(${CREATED_MS}, y.id) < (:cursorAt, :cursorId)`, { cursorAt: at, cursorId: id });
    }
    return qb.orderBy(CREATED_MS, 'DESC').addOrderBy('y.id', 'DESC').limit(limit).getMany();
  }

  /** The current episode of each of these youths that has one. */
  async currentFugues(youthIds: string[]): Promise<Map<string, CurrentFugue>> {
    if (youthIds.length === 0) return new Map();
    const rows: { id: string; youth_id: string; status: string; effective_level: string | null; noticed_missing_at: Date }[] = await this.dataSource.query(
      `SELECT DISTINCT ON (youth_id) id, youth_id, status, effective_level, noticed_missing_at
         FROM fugues WHERE youth_id = ANY($1::uuid[]) AND status IN ('missing', 'located', 'returned')
        ORDER BY youth_id, noticed_missing_at DESC, id DESC`,
      [youthIds],
    );
    return new Map(
      rows.map((r) => [r.youth_id, { id: r.id, youthId: r.youth_id, status: r.status, effectiveLevel: r.effective_level, noticedMissingAt: r.noticed_missing_at }]),
    );
  }

  save(youth: YouthEntity): Promise<YouthEntity> {
    return this.repo.save(youth);
  }
}
