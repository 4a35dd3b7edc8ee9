import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { FoyerEntity, FoyerKind } from '../entities/foyer.entity';
import { Page, keysetPage } from './pagination';

@Injectable()
export class FoyerRepository {
  constructor(private readonly dataSource: DataSource) {}

  create(input: { name: string; departmentCode: string; kind: FoyerKind; phone?: string | null; address?: string | null }): Promise<FoyerEntity> {
    const repo = this.dataSource.getRepository(FoyerEntity);
    return repo.save(repo.create({ ...input, phone: input.phone ?? null, address: input.address ?? null }));
  }

  /** Saves the given fields of an open foyer; null when it does not exist or is closed. */
  async update(id: string, patch: { name?: string; phone?: string | null; address?: string | null }): Promise<FoyerEntity | null> {
    const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    if (Object.keys(set).length > 0) {
      await this.dataSource.getRepository(FoyerEntity).createQueryBuilder().update().set(set).where('id = :id AND closed_at IS NULL', { id }).execute();
    }
    return this.dataSource.getRepository(FoyerEntity).findOneBy({ id });
  }

  /**
   * Closes the foyer at `at` unless one of its episodes is still open (missing or located), the
   * foyer's row locked between the check and the change.
   * 'closed' when done, 'open-episodes' or 'already-closed' when refused, null when no such foyer.
   */
  async close(id: string, at: Date): Promise<'closed' | 'open-episodes' | 'already-closed' | null> {
    return this.dataSource.transaction(async (m) => {
      const rows: { closed_at: Date | null }[] = await m.query(`SELECT closed_at FROM foyers WHERE id = $1 FOR UPDATE`, [id]);
      if (rows.length === 0) return null;
      if (rows[0].closed_at) return 'already-closed';
      const open: { n: number }[] = await m.query(`SELECT count(*)::int AS n FROM fugues WHERE foyer_id = $1 AND status IN ('missing', 'located')`, [id]);
      if (open[0].n > 0) return 'open-episodes';
      await m.query(`UPDATE foyers SET closed_at = $2 WHERE id = $1`, [id, at]);
      return 'closed';
    });
  }

  findById(id: string): Promise<FoyerEntity | null> {
    return this.dataSource.getRepository(FoyerEntity).findOneBy({ id });
  }

  findByIds(ids: string[]): Promise<FoyerEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.dataSource.getRepository(FoyerEntity).createQueryBuilder('f').where('f.id = ANY(:ids)', { ids }).getMany();
  }

  async list(filter: { departmentCodes?: string[]; foyerIds?: string[] }, limit: number, cursor: string | null): Promise<Page<FoyerEntity>> {
    const qb = this.dataSource.getRepository(FoyerEntity).createQueryBuilder('f');
    if (filter.departmentCodes) qb.andWhere('f.department_code = ANY(:codes)', { codes: filter.departmentCodes });
    if (filter.foyerIds) qb.andWhere('f.id = ANY(:ids)', { ids: filter.foyerIds });
    return keysetPage(qb, 'f.created_at', 'f.id', cursor, limit);
  }
}
