import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { VigieConfig } from '@vigie/config';
import { OutboxMessage, OutboxRepository } from '@vigie/persistence';
import { JobData, JobProducer, OutboxJobName } from '@vigie/queue';
import { errorSummary } from '../errors/database-errors';

/** How long a fresh row is left to the fast path before the sweep publishes it. */
const FAST_PATH_GRACE_MS = 1000;
const SWEEP_BATCH = 200;
/** Processed rows are kept this long for investigation, then deleted. */
export const OUTBOX_KEEP_DAYS = 7;
const PRUNE_EVERY_MS = 3600_000;

/**
 * Publishes outbox rows to BullMQ. The fast path runs right after the transaction that wrote
 * them; the sweep (in the worker) publishes whatever the fast path missed and re-publishes rows
 * whose job was lost or failed all its attempts. Job ids are the row ids, so publishing twice is
 * a no-op; a failed job is run again rather than left to shadow its row.
 */
@Injectable()
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  /** Fast-path rows waiting for the next UPDATE, and the UPDATE before it (at most one in flight). */
  private nextMark: { ids: string[]; done: Promise<void> } | null = null;
  private lastMark: Promise<void> = Promise.resolve();
  private lastPrune = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxRepository,
    private readonly producer: JobProducer,
    private readonly config: VigieConfig,
  ) {}

  /** Fire-and-forget publication after commit: the caller never waits on Redis. */
  publishSoon(messages: OutboxMessage[]): void {
    void this.publish(messages).catch((error: Error) => {
      this.logger.debug(`Outbox fast path deferred to the sweep: ${errorSummary(error)}`); // RedisOutage says it once
    });
  }

  async publish(messages: OutboxMessage[]): Promise<void> {
    await Promise.all(messages.map((m) => this.enqueue(m)));
    await this.markPublished(messages.map((m) => m.id));
  }

  /**
   * Marks rows published. Calls made while an UPDATE is in flight share the next one: under load
   * the fast path costs one UPDATE (one commit) per burst of declarations instead of one each.
   * Each call resolves once its own rows are marked, or rejects with the error of that UPDATE.
   */
  private markPublished(ids: string[]): Promise<void> {
    if (!this.nextMark) {
      const mark = { ids: [] as string[], done: Promise.resolve() };
      mark.done = this.lastMark.then(() => {
        if (this.nextMark === mark) this.nextMark = null;
        return this.outbox.markPublished(mark.ids);
      });
      this.lastMark = mark.done.catch(() => undefined);
      this.nextMark = mark;
    }
    this.nextMark.ids.push(...ids);
    return this.nextMark.done;
  }

  /** Publishes what is due; returns how many rows were published. Stops at the first Redis error. */
  async sweep(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const due = await this.outbox.claimForPublishing(
        manager,
        this.config.VIGIE_OUTBOX_REPUBLISH_AFTER_MS,
        FAST_PATH_GRACE_MS,
        SWEEP_BATCH,
      );
      const published: string[] = [];
      for (const message of due) {
        try {
          const done = await this.producer.republish(message.jobName as OutboxJobName, this.jobData(message));
          if (done === 'failed') this.logger.warn(`Outbox row ${message.id}: its ${message.jobName} job had failed all its attempts; running it again`);
          if (done === 'completed') this.logger.warn(`Outbox row ${message.id}: its ${message.jobName} job completed without processing it; running it again`);
        } catch (error) {
          this.logger.debug(`Outbox sweep paused, Redis unavailable: ${errorSummary(error)}`); // RedisOutage says it once
          break;
        }
        published.push(message.id);
      }
      await this.outbox.markPublished(published, manager);
      return published.length;
    });
  }

  /** Deletes processed rows older than OUTBOX_KEEP_DAYS, at most once an hour per process. */
  async pruneIfDue(now = Date.now()): Promise<number> {
    if (now - this.lastPrune < PRUNE_EVERY_MS) return 0;
    this.lastPrune = now;
    return this.outbox.pruneProcessed(OUTBOX_KEEP_DAYS);
  }

  /**
   * Counts a failed attempt of an outbox job on its row, where `vigie_attention` sees it, and
   * says so once its attempts are spent: the sweep runs it again every republish interval.
   * Ids, counts and error codes only: an error's text may quote the data.
   */
  async jobFailed(outboxId: string, jobName: string, attempt: number, attempts: number, error: unknown): Promise<void> {
    const failures = await this.outbox.recordFailure(outboxId);
    if (failures === null || attempt < attempts) return;
    this.logger.error(
      `Outbox row ${outboxId}: its ${jobName} job failed all its ${attempts} attempts (${failures} failures in all, last: ${errorSummary(error)}); ` +
        `it runs again within ${this.config.VIGIE_OUTBOX_REPUBLISH_AFTER_MS} ms`,
    );
  }

  private enqueue(message: OutboxMessage): Promise<void> {
    return this.producer.enqueue(message.jobName as OutboxJobName, this.jobData(message));
  }

  private jobData(message: OutboxMessage): JobData<OutboxJobName> {
    return { ...message.payload, outboxId: message.id } as JobData<OutboxJobName>;
  }
}
