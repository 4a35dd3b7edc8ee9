import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DepartmentEntity } from '../entities/department.entity';

/** The 101 départements never change at run time: read once, kept in memory. */
@Injectable()
export class DepartmentRepository {
  private cache: Promise<Map<string, DepartmentEntity>> | null = null;

  constructor(private readonly dataSource: DataSource) {}

  async findAll(): Promise<DepartmentEntity[]> {
    return [...(await this.byCode()).values()];
  }

  async findByCode(code: string): Promise<DepartmentEntity | null> {
    return (await this.byCode()).get(code) ?? null;
  }

  private byCode(): Promise<Map<string, DepartmentEntity>> {
    if (!this.cache) {
      this.cache = this.dataSource
        .getRepository(DepartmentEntity)
        .find({ order: { code: 'ASC' } })
        .then((rows) => new Map(rows.map((d) => [d.code, d])));
      this.cache.catch(() => (this.cache = null));
    }
    return this.cache;
  }
}
