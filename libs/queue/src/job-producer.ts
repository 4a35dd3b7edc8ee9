import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { VigieConfig } from '@vigie/config';
import { ALL_QUEUE_NAMES, JOB_QUEUE, JobData, JobName, outboxJobId, QueueName } from './queue.contracts';
import IORedis from 'ioredis';
import { createRedis, redisOptions } from './redis-connection';

/** A job that is not accepted by Redis within this time is left to the outbox relay. */
const ENQUEUE_TIMEOUT_MS = 1000;

/** Options of every job, set in this one place. */
export const JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 10000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

@Injectable()
export class JobProducer implements OnModuleDestroy {
  private readonly queues = new Map<QueueName, Queue>();
  private admin: IORedis | null = null;

  constructor(private readonly config: VigieConfig) {}

  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, {
        connection: redisOptions(this.config.REDIS_URL, 'producer'),
        prefix: this.config.VIGIE_QUEUE_PREFIX,
      });
      // Errors surface through enqueue(); an idle producer must not crash the process.
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  allQueues(): Queue[] {
    return ALL_QUEUE_NAMES.map((name) => this.queue(name));
  }

  /** Adds the job for one outbox row; a wrong payload for the name is a compile error. */
  async enqueue<N extends JobName>(name: N, data: JobData<N>): Promise<void> {
    const add = this.queue(JOB_QUEUE[name]).add(name, data, { ...JOB_OPTIONS, jobId: outboxJobId(data.outboxId) });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('Redis did not accept the job in time')), ENQUEUE_TIMEOUT_MS);
    });
    try {
      await Promise.race([add, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Redis's eviction policy: BullMQ is only safe with `noeviction`. Fails fast when Redis is down. */
  async maxmemoryPolicy(): Promise<string> {
    if (!this.admin) {
      this.admin = createRedis(this.config.REDIS_URL, 'producer');
      this.admin.on('error', () => undefined);
    }
    const reply = (await this.admin.config('GET', 'maxmemory-policy')) as string[];
    return reply[1] ?? 'unknown';
  }

  async onModuleDestroy(): Promise<void> {
    this.admin?.disconnect();
    this.admin = null;
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
    this.queues.clear();
  }
}
