import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditAction, AuditEntryEntity } from '../entities/audit-entry.entity';
import { InvalidCursorError, Page } from './pagination';

export interface AuditRecord {
  clientId: string | null;
  action: AuditAction;
  method: string;
  route: string;
  statusCode: number;
  youthId: string | null;
  fugueId: string | null;
  correlationId: string;
}

@Injectable()
export class AuditRepository {
  constructor(private readonly dataSource: DataSource) {}

  async append(records: AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    const values: unknown[] = [];
    const rows = records.map((r, i) => {
      values.push(r.clientId, r.action, r.method, r.route, r.statusCode, r.youthId, r.fugueId, r.correlationId);
      const o = i * 8;
      return `($${o + 1}, $${o + 2}, $${o + 3}, $${o + 4}, $${o + 5}, $${o + 6}, $${o + 7}, $${o + 8})`;
    });
    await this.dataSource.query(
      `INSERT INTO audit_log (client_id, action, method, route, status_code, youth_id, fugue_id, correlation_id) VALUES ${rows.join(', ')}`,
      values,
    );
  }

  /** Newest first; the cursor is the last id seen. */
  async list(filter: { youthId?: string; fugueId?: string; clientId?: string }, limit: number, cursor: string | null): Promise<Page<AuditEntryEntity>> {
    const qb = this.dataSource.getRepository(AuditEntryEntity).createQueryBuilder('a');
    if (filter.youthId) qb.andWhere('a.youth_id = :youthId', { youthId: filter.youthId });
    if (filter.fugueId) qb.andWhere('a.fugue_id = :fugueId', { fugueId: filter.fugueId });
    if (filter.clientId) qb.andWhere('a.client_id = :clientId', { clientId: filter.clientId });
    if (cursor) {
      if (!/^\d{1,19}$/.test(cursor)) throw new InvalidCursorError('Invalid cursor');
      qb.andWhere('a.id < :cursor', { cursor });
    }
    const rows = await qb.orderBy('a.id', 'DESC').limit(limit + 1).getMany();
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? String(items[items.length - 1].id) : null };
  }
}
