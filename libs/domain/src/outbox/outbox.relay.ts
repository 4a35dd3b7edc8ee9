import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { VigieConfig } from '@vigie/config';
import { OutboxMessage, OutboxRepository } from '@vigie/persistence';
import { JobData, JobName, JobProducer } from '@vigie/queue';

/** How long a fresh row is left to the fast path before the sweep publishes it. */
const FAST_PATH_GRACE_MS = 1000;
const SWEEP_BATCH = 200;

/**
 * Publishes outbox rows to BullMQ. The fast path runs right after the transaction that wrote
 * them; the sweep (in the worker) publishes whatever the fast path missed and re-publishes rows
 * whose job was lost. Job ids are the row ids, so publishing twice is a no-op.
 */
@Injectable()
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxRepository,
    private readonly producer: JobProducer,
    private readonly config: VigieConfig,
  ) {}

  /** Fire-and-forget publication after commit: the caller never waits on Redis. */
  publishSoon(messages: OutboxMessage[]): void {
    void this.publish(messages).catch((error: Error) => {
      this.logger.warn(`Outbox fast path deferred to the sweep: ${error.message}`);
    });
  }

  async publish(messages: OutboxMessage[]): Promise<void> {
    await Promise.all(messages.map((m) => this.enqueue(m)));
    await this.outbox.markPublished(messages.map((m) => m.id));
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
          await this.enqueue(message);
        } catch (error) {
          this.logger.warn(`Outbox sweep paused, Redis unavailable: ${(error as Error).message}`);
          break;
        }
        published.push(message.id);
      }
      await this.outbox.markPublished(published, manager);
      return published.length;
    });
  }

  private enqueue(message: OutboxMessage): Promise<void> {
    const data = { ...message.payload, outboxId: message.id } as JobData<JobName>;
    return this.producer.enqueue(message.jobName as JobName, data);
  }
}
