import { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { rowsOf } from './raw-rows';

/** The columns every delivery table has: one row per message to one recipient, with its retry state. */
export interface DeliveryRowEntity extends ObjectLiteral {
  id: string;
  status: string;
  attempts: number;
  nextAttemptAt: Date;
  sendingSince: Date | null;
  lastError: string | null;
}

/** A row found in `sending` long after its attempt should have ended, and when that attempt began. */
export interface InterruptedRow<E extends DeliveryRowEntity> {
  row: E;
  sendingSince: Date;
}

/**
 * The queries the delivery engine runs on a delivery table (notifications, webhook_deliveries):
 * one repository per table, the tables never merged. `table` is the name of `entity`'s table.
 */
export abstract class DeliveryRowRepository<E extends DeliveryRowEntity> {
  protected constructor(
    protected readonly dataSource: DataSource,
    private readonly entity: EntityTarget<E>,
    private readonly table: string,
  ) {}

  protected repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository<E>(this.entity);
  }

  findById(id: string, manager?: EntityManager): Promise<E | null> {
    return this.repo(manager).createQueryBuilder('r').where('r.id = :id', { id }).getOne();
  }

  /** Locks the row for the rest of the caller's transaction. */
  findByIdForUpdate(manager: EntityManager, id: string): Promise<E | null> {
    return this.repo(manager).createQueryBuilder('r').setLock('pessimistic_write').where('r.id = :id', { id }).getOne();
  }

  save(manager: EntityManager, row: E): Promise<E> {
    return this.repo(manager).save(row);
  }

  /**
   * What a sweep needs of this table, in one autocommitted statement: the pending rows whose
   * attempt has been due for at least `graceMs` (their fast-path job was lost or is late), oldest
   * first, and whether a row has been left `sending` for `olderThanMs` (a look-up in the partial
   * index on sending rows). A sweep with nothing interrupted then opens no transaction to settle.
   */
  async survey(now: Date, graceMs: number, limit: number, olderThanMs: number): Promise<{ overdue: string[]; interrupted: boolean }> {
    const [row] = rowsOf<{ overdue: string[]; interrupted: boolean }>(
      await this.dataSource.query(
        `SELECT ARRAY(SELECT id::text FROM ${this.table}
                       WHERE status = 'pending' AND next_attempt_at <= $3::timestamptz - ($1::int * interval '1 millisecond')
                       ORDER BY next_attempt_at LIMIT $2) AS overdue,
                EXISTS (SELECT 1 FROM ${this.table}
                         WHERE status = 'sending' AND sending_since <= $3::timestamptz - ($4::int * interval '1 millisecond')) AS interrupted`,
        [graceMs, limit, now, olderThanMs],
      ),
    );
    return { overdue: row.overdue, interrupted: row.interrupted };
  }

  /**
   * Rows left in `sending` for `olderThanMs` by a process that died mid-send fail, with `error`:
   * nobody knows whether the message left (at most once: never sent again automatically).
   */
  failInterrupted(manager: EntityManager, now: Date, olderThanMs: number, error: string): Promise<InterruptedRow<E>[]> {
    return this.settleInterrupted(manager, `status = 'failed'`, now, olderThanMs, error);
  }

  /** Rows left in `sending` for `olderThanMs` go back to pending, due now, with `error` (at least once: sent again). */
  requeueInterrupted(manager: EntityManager, now: Date, olderThanMs: number, error: string): Promise<InterruptedRow<E>[]> {
    return this.settleInterrupted(manager, `status = 'pending', next_attempt_at = $2`, now, olderThanMs, error);
  }

  /** Rows being settled by another sweep are skipped (SKIP LOCKED), not waited for. */
  private async settleInterrupted(manager: EntityManager, change: string, now: Date, olderThanMs: number, error: string): Promise<InterruptedRow<E>[]> {
    const rows = rowsOf<{ id: string; sending_since: Date }>(
      await manager.query(
        `UPDATE ${this.table} r
            SET ${change}, sending_since = NULL, updated_at = now(), last_error = $3
           FROM (SELECT id, sending_since FROM ${this.table}
                  WHERE status = 'sending' AND sending_since <= $2::timestamptz - ($1::int * interval '1 millisecond')
                  FOR UPDATE SKIP LOCKED) stuck
          WHERE r.id = stuck.id
          RETURNING r.id, stuck.sending_since`,
        [olderThanMs, now, error],
      ),
    );
    if (rows.length === 0) return [];
    const found = await this.repo(manager).createQueryBuilder('r').where('r.id = ANY(:ids)', { ids: rows.map((r) => r.id) }).getMany();
    const byId = new Map(found.map((row) => [row.id, row]));
    return rows.flatMap((r) => {
      const row = byId.get(r.id);
      return row ? [{ row, sendingSince: r.sending_since }] : [];
    });
  }
}
