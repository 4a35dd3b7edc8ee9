import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { YouthEntity } from '../entities/youth.entity';
import { preparedQuery } from './prepared';

@Injectable()
export class YouthRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(YouthEntity);
  }

  create(input: Pick<YouthEntity, 'foyerId' | 'identityEnc' | 'sex' | 'vitalTreatment' | 'vulnerabilities' | 'externalRef'>): Promise<YouthEntity> {
    return this.repo.save(this.repo.create({ ...input, erasedAt: null }));
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

  save(youth: YouthEntity): Promise<YouthEntity> {
    return this.repo.save(youth);
  }
}
