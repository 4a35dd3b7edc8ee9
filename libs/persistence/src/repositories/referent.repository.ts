import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { ReferentEntity, ReferentRole } from '../entities/referent.entity';
import { keysetPage, Page } from './pagination';
import { preparedQuery } from './prepared';
import { columnList, entityFromRow } from './raw-rows';

@Injectable()
export class ReferentRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(ReferentEntity);
  }

  /** `id` is given: the encrypted webhook secret is bound to it. */
  create(
    input: Omit<ReferentEntity, 'createdAt' | 'updatedAt' | 'deletedAt' | 'previousWebhookSecretEnc' | 'previousWebhookSecretExpiresAt'>,
  ): Promise<ReferentEntity> {
    return this.repo().save(this.repo().create({ ...input, deletedAt: null, previousWebhookSecretEnc: null, previousWebhookSecretExpiresAt: null }));
  }

  save(referent: ReferentEntity): Promise<ReferentEntity> {
    return this.repo().save(referent);
  }

  findActive(id: string, manager?: EntityManager): Promise<ReferentEntity | null> {
    return this.repo(manager).findOneBy({ id, deletedAt: IsNull() });
  }

  findById(id: string, manager?: EntityManager): Promise<ReferentEntity | null> {
    return this.repo(manager).findOneBy({ id });
  }

  findByIds(ids: readonly string[], manager?: EntityManager): Promise<ReferentEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.repo(manager).find({ where: { id: In([...ids]) }, order: { displayName: 'ASC', id: 'ASC' } });
  }

  findByApiClient(apiClientId: string): Promise<ReferentEntity | null> {
    return this.repo().findOneBy({ apiClientId, deletedAt: IsNull() });
  }

  /** The referents an escalation step reaches: by role in the département; foyer_duty of the episode's foyer only. */
  async findRecipients(manager: EntityManager, departmentCode: string, foyerId: string, roles: ReferentRole[]): Promise<ReferentEntity[]> {
    const rows = await preparedQuery<Record<string, unknown>>(
      manager,
      'vigie_referent_recipients',
      `SELECT ${columnList(manager, ReferentEntity, 'r')} FROM referents r
        WHERE r.deleted_at IS NULL AND r.department_code = $1 AND r.role = ANY($2::text[])
          AND (r.role <> 'foyer_duty' OR r.foyer_id = $3) AND jsonb_array_length(r.channels) > 0
        ORDER BY r.created_at ASC, r.id ASC`,
      [departmentCode, roles, foyerId],
    );
    return rows.map((row) => entityFromRow(manager, ReferentEntity, row));
  }

  /** Active referents of a département with at least one channel, for the coverage report. */
  findReachableInDepartment(departmentCode: string): Promise<ReferentEntity[]> {
    return this.repo()
      .createQueryBuilder('r')
      .where('r.deleted_at IS NULL AND r.department_code = :departmentCode AND jsonb_array_length(r.channels) > 0', { departmentCode })
      .getMany();
  }

  async list(filter: { departmentCode?: string; role?: ReferentRole }, limit: number, cursor: string | null): Promise<Page<ReferentEntity>> {
    const qb = this.repo().createQueryBuilder('r').where('r.deleted_at IS NULL');
    if (filter.departmentCode) qb.andWhere('r.department_code = :code', { code: filter.departmentCode });
    if (filter.role) qb.andWhere('r.role = :role', { role: filter.role });
    return keysetPage(qb, 'r.created_at', 'r.id', cursor, limit);
  }
}
