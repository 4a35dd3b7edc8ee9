import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { IdempotencyScope, OutboxMessage, OutboxRepository } from '@vigie/persistence';
import { JobPayloads, OutboxJobName } from '@vigie/queue';
import { OutboxRelay } from '../outbox/outbox.relay';
import { Timer, TimerJobs } from './timer-jobs';

/**
 * One piece of work on the database and what must happen once it has committed. Domain services
 * receive it instead of an EntityManager when they write inside someone else's transaction: they
 * write through `manager`, and say what comes after through `enqueue` and `schedule`, never by
 * calling Redis themselves.
 */
export class Work {
  private readonly messages: OutboxMessage[] = [];
  private readonly timers: Timer[] = [];
  /** Committed or rolled back: what is said after that would be silently lost, so it throws. */
  private ended = false;

  constructor(
    readonly manager: EntityManager,
    private readonly outbox: OutboxRepository,
  ) {}

  /**
   * A job that must not be lost (a triage): an outbox row written in this transaction, published
   * once it commits, and by the outbox sweep whatever happens to Redis.
   */
  async enqueue<N extends OutboxJobName>(name: N, payload: JobPayloads[N]): Promise<void> {
    this.checkOpen();
    this.messages.push(await this.outbox.add(this.manager, name, payload as unknown as Record<string, unknown>));
  }

  /** An outbox row this work wrote itself (a statement that inserts it beside its change), to publish after commit. */
  written(message: OutboxMessage): void {
    this.checkOpen();
    this.messages.push(message);
  }

  /** A timer whose deadline this work stored in PostgreSQL: added after commit, fired by a sweep if lost. */
  schedule(...timers: Timer[]): void {
    this.checkOpen();
    this.timers.push(...timers);
  }

  /** What the commit sets off; read once by the unit of work, which ends the work. */
  afterCommit(): { messages: readonly OutboxMessage[]; timers: readonly Timer[] } {
    this.ended = true;
    return { messages: this.messages, timers: this.timers };
  }

  /** The transaction rolled back: nothing of this work is set off. */
  rolledBack(): void {
    this.ended = true;
  }

  private checkOpen(): void {
    if (this.ended) throw new Error('This unit of work has ended: what it sets off must be said before its commit');
  }
}

/**
 * The one path for work after a commit. `run` wraps a transaction; once it commits, the outbox
 * rows it wrote are published and its timers added. A rollback drops both with the change.
 * Neither waits on Redis: publication is fire-and-forget, the outbox and the sweeps catch up.
 */
@Injectable()
export class UnitOfWork {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
    private readonly timers: TimerJobs,
  ) {}

  async run<T>(body: (work: Work) => Promise<T>): Promise<T> {
    let work: Work | undefined;
    let result: T;
    try {
      result = await this.dataSource.transaction((manager) => {
        work = new Work(manager, this.outbox);
        return body(work);
      });
    } catch (error) {
      work?.rolledBack();
      throw error;
    }
    if (work) this.publish(work);
    return result;
  }

  /**
   * Work done by one autocommitted statement (the declaration: its change, outbox row and webhook
   * deliveries in one INSERT … RETURNING), without the round trips of BEGIN and COMMIT. The body
   * must write with a single statement: a second one would commit apart from the first. Under an
   * Idempotency-Key it runs in a transaction after all, which marks the key with the change.
   */
  async statement<T>(body: (work: Work) => Promise<T>): Promise<T> {
    if (IdempotencyScope.current()) return this.run(body);
    const work = new Work(this.dataSource.manager, this.outbox);
    let result: T;
    try {
      result = await body(work);
    } catch (error) {
      work.rolledBack();
      throw error;
    }
    this.publish(work);
    return result;
  }

  private publish(work: Work): void {
    const { messages, timers } = work.afterCommit();
    if (messages.length > 0) this.relay.publishSoon([...messages]);
    if (timers.length > 0) this.timers.schedule(timers);
  }
}
