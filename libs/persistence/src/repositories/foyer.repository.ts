import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { FoyerEntity, FoyerKind } from '../entities/foyer.entity';
import { Page, keysetPage } from './pagination';

@Injectable()
export class FoyerRepository {
  constructor(private readonly dataSource: DataSource) {}

  create(input: { name: string; departmentCode: string; kind: FoyerKind; phone?: string | null }): Promise<FoyerEntity> {
    const repo = this.dataSource.getRepository(FoyerEntity);
    return repo.save(repo.create({ ...input, phone: input.phone ?? null }));
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
