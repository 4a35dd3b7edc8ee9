import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { currentCorrelationId } from '@vigie/config';
import { OutboxEntity } from '../entities/outbox.entity';
import { rowsOf } from './raw-rows';
import { preparedQuery } from './prepared';

/**
 * `processed_at IS NULL` of outbox row `alias`, written so that PostgreSQL cannot answer it from
 * the index of pending rows (`outbox_pending_idx`): a statement that names its rows then reads
 * them through the primary key. With the index, PostgreSQL read every pending row to find the
 * few named whenever its statistics counted few pending rows (taken in a quiet moment, before a
 * burst or a stopped worker let a backlog build up): a cost per statement that grew with the
 * backlog. The value is the same: `IS NULL` is never null.
 */
export const PENDING = (alias: string) => `coalesce(${alias}.processed_at IS NULL, false)`;

export interface OutboxMessage {
  id: string;
  jobName: string;
  payload: Record<string, unknown>;
}

@Injectable()
export class OutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Written in the caller's transaction, beside the change that asks for the job. */
  async add(manager: EntityManager, jobName: string, payload: Record<string, unknown>): Promise<OutboxMessage> {
    const traced = withCorrelationId(payload);
    const [row]: { id: string }[] = await manager.query(`INSERT INTO outbox (job_name, payload) VALUES ($1, $2) RETURNING id`, [
      jobName,
      traced,
    ]);
    return { id: String(row.id), jobName, payload: traced };
  }

  /**
   * Marks rows published. A row locked by its consumer is being processed at this moment: it is
   * skipped (SKIP LOCKED) rather than waited for, so that one mark covering many rows never
   * queues behind, and then in front of, the triages that claim them. A processed row is left
   * as it is: nothing reads when it was published.
   */
  async markPublished(ids: string[], manager: EntityManager = this.dataSource.manager): Promise<void> {
    if (ids.length === 0) return;
    await preparedQuery(
      manager,
      'vigie_outbox_published',
      `UPDATE outbox SET published_at = now(), publish_count = publish_count + 1
        WHERE id IN (SELECT o.id FROM outbox o WHERE o.id = ANY($1::uuid[]) AND ${PENDING('o')} FOR UPDATE SKIP LOCKED)`,
      [ids],
    );
  }

  /**
   * Rows never published, or published long ago and still not processed (their job was lost,
   * for instance when Redis restarted empty). Claimed with SKIP LOCKED so relays do not collide.
   */
  async claimForPublishing(
    manager: EntityManager,
    republishAfterMs: number,
    minAgeMs: number,
    limit: number,
  ): Promise<OutboxMessage[]> {
    const rows: { id: string; job_name: string; payload: Record<string, unknown> }[] = await manager.query(
      `SELECT id, job_name, payload FROM outbox
        WHERE processed_at IS NULL
          AND created_at <= now() - ($1::int * interval '1 millisecond')
          AND (published_at IS NULL OR published_at <= now() - ($2::int * interval '1 millisecond'))
        ORDER BY created_at LIMIT $3 FOR UPDATE SKIP LOCKED`,
      [minAgeMs, republishAfterMs, limit],
    );
    return rows.map((r) => ({ id: String(r.id), jobName: r.job_name, payload: r.payload }));
  }

  /**
   * Set in the consumer's transaction, with the job's effect. Returns when the row was written,
   * or null when it was already processed (the job is a replay) or does not exist.
   */
  async markProcessedAt(manager: EntityManager, id: string): Promise<Date | null> {
    const rows = rowsOf<{ created_at: Date }>(
      await manager.query(`UPDATE outbox SET processed_at = now() WHERE id = $1 AND processed_at IS NULL RETURNING created_at`, [id]),
    );
    return rows[0]?.created_at ?? null;
  }

  /**
   * Counts one failed attempt of the row's job; returns the row's failures so far, or null when
   * the row is processed or gone (a late replay failing says nothing about the row).
   */
  async recordFailure(id: string): Promise<number | null> {
    const rows = rowsOf<{ failures: number }>(
      await this.dataSource.query(
        `UPDATE outbox SET failures = failures + 1, last_failed_at = now() WHERE id = $1 AND processed_at IS NULL RETURNING failures`,
        [id],
      ),
    );
    return rows[0]?.failures ?? null;
  }

  async isProcessed(id: string): Promise<boolean> {
    const rows: { processed: boolean }[] = await this.dataSource.query(`SELECT processed_at IS NOT NULL AS processed FROM outbox WHERE id = $1`, [id]);
    return rows[0]?.processed ?? true;
  }

  /** Seconds since the oldest unprocessed row was written (0 when none): the outbox lag. */
  async lagSeconds(): Promise<number> {
    const [row]: { lag: number | null }[] = await this.dataSource.query(
      `SELECT EXTRACT(EPOCH FROM now() - min(created_at))::float AS lag FROM outbox WHERE processed_at IS NULL`,
    );
    return row?.lag ?? 0;
  }

  /**
   * Processed rows are kept a while for investigation, then deleted, `batch` at a time (short
   * statements, short locks). A job replayed after its row is gone finds nothing to claim and
   * does nothing. Returns how many rows were deleted.
   */
  async pruneProcessed(olderThanDays: number, batch = 5000): Promise<number> {
    let deleted = 0;
    for (;;) {
      const rows = rowsOf<unknown>(
        await this.dataSource.query(
          `DELETE FROM outbox WHERE id IN (
             SELECT id FROM outbox WHERE processed_at < now() - ($1::int * interval '1 day') LIMIT $2
           ) RETURNING 1`,
          [olderThanDays, batch],
        ),
      );
      deleted += rows.length;
      if (rows.length < batch) return deleted;
    }
  }
}

/** The payload with the correlation id of the request that asks for the job, when there is one. */
export function withCorrelationId(payload: Record<string, unknown>): Record<string, unknown> {
  const correlationId = currentCorrelationId();
  return correlationId ? { ...payload, correlationId } : payload;
}
