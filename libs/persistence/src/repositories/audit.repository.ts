import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditAction, AuditEntryEntity } from '../entities/audit-entry.entity';
import { decodeIdCursor, Page } from './pagination';

export interface AuditRecord {
  clientId: string | null;
  /** The person who acted (signed in with a session), if any. */
  personId?: string | null;
  action: AuditAction;
  method: string;
  route: string;
  statusCode: number;
  youthId: string | null;
  fugueId: string | null;
  correlationId: string;
  /** The client's X-Correlation-Id when it was a UUID. */
  clientCorrelationId?: string | null;
}

/** At most this many entries in one INSERT (10 parameters each, far below PostgreSQL's 65,535). */
const MAX_BATCH = 500;

@Injectable()
export class AuditRepository {
  /** Entries waiting for the next INSERT, and the INSERT queued before them (at most one in flight). */
  private next: { records: AuditRecord[]; calls: number; done: Promise<void> } | null = null;
  private last: Promise<void> = Promise.resolve();

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Appends entries; resolves once they are stored. Calls made while an INSERT is in flight share
   * the next one: under load, one round trip and one commit for a burst of requests instead of
   * one each. When a shared INSERT is refused for its data, each call is retried on its own, so a
   * call fails for its own entries only.
   */
  append(records: AuditRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    if (!this.next || this.next.records.length + records.length > MAX_BATCH) {
      const batch = { records: [] as AuditRecord[], calls: 0, done: Promise.resolve() };
      batch.done = this.last.then(() => {
        if (this.next === batch) this.next = null;
        return this.insert(batch.records);
      });
      this.last = batch.done.catch(() => undefined);
      this.next = batch;
    }
    const batch = this.next;
    batch.records.push(...records);
    batch.calls += 1;
    return batch.done.catch((error: { code?: string; driverError?: { code?: string } }) => {
      const sqlState = error?.driverError?.code ?? error?.code;
      const refusedData = typeof sqlState === 'string' && /^2[23]/.test(sqlState);
      if (batch.calls > 1 && refusedData) return this.insert(records);
      throw error;
    });
  }

  private async insert(records: AuditRecord[]): Promise<void> {
    const values: unknown[] = [];
    const rows = records.map((r, i) => {
      values.push(r.clientId, r.action, r.method, r.route, r.statusCode, r.youthId, r.fugueId, r.correlationId, r.clientCorrelationId ?? null, r.personId ?? null);
      const o = i * 10;
      return `($${o + 1}, $${o + 2}, $${o + 3}, $${o + 4}, $${o + 5}, $${o + 6}, $${o + 7}, $${o + 8}, $${o + 9}, $${o + 10})`;
    });
    await this.dataSource.query(
      `INSERT INTO audit_log (client_id, action, method, route, status_code, youth_id, fugue_id, correlation_id, client_correlation_id, person_id) VALUES ${rows.join(', ')}`,
      values,
    );
  }

  /** Newest first; the cursor is the last id seen. */
  async list(filter: { youthId?: string; fugueId?: string; clientId?: string; personId?: string }, limit: number, cursor: string | null): Promise<Page<AuditEntryEntity>> {
    const qb = this.dataSource.getRepository(AuditEntryEntity).createQueryBuilder('a');
    if (filter.youthId) qb.andWhere('a.youth_id = :youthId', { youthId: filter.youthId });
    if (filter.fugueId) qb.andWhere('a.fugue_id = :fugueId', { fugueId: filter.fugueId });
    if (filter.clientId) qb.andWhere('a.client_id = :clientId', { clientId: filter.clientId });
    if (filter.personId) qb.andWhere('a.person_id = :personId', { personId: filter.personId });
    if (cursor) {
      qb.andWhere('a.id < :cursor', { cursor: decodeIdCursor(cursor) });
    }
    const rows = await qb.orderBy('a.id', 'DESC').limit(limit + 1).getMany();
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? String(items[items.length - 1].id) : null };
  }
}
