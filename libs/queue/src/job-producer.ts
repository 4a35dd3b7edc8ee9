import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';
import { VigieConfig } from '@vigie/config';
import { ALL_QUEUE_NAMES, JOB_QUEUE, JobData, JobName, JobPayloads, OutboxJobName, outboxJobId, QueueName } from './queue.contracts';
import IORedis from 'ioredis';
import { createRedis, redisOptions } from './redis-connection';
import { RedisOutage } from './redis-outage';

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
export class JobProducer implements OnModuleInit, OnModuleDestroy {
  private readonly queues = new Map<QueueName, Queue>();
  private admin: IORedis | null = null;
  private adminConnected: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly config: VigieConfig,
    private readonly outage: RedisOutage,
  ) {}

  /**
   * Connects the queues at start-up. Producers run without an offline queue, so a queue first
   * created by a request would refuse the jobs added before its connection is up, and the first
   * episodes after a start would wait for the outbox sweep.
   */
  onModuleInit(): void {
    this.allQueues();
  }

  queue(name: QueueName): Queue {
    // Modules are destroyed before the workers finish their last jobs: a queue opened by such a
    // job after the shutdown would keep its connection, and the process, alive.
    if (this.closed) throw new Error('The job producer is shut down; the outbox and sweeps will publish the job');
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
  enqueue<N extends OutboxJobName>(name: N, data: JobData<N>): Promise<void> {
    return this.add(name, data, outboxJobId(data.outboxId), 0);
  }

  /**
   * Adds a timer job (an escalation step, a delivery attempt) under a deterministic id, to run
   * after `delayMs`. The deadline itself lives in PostgreSQL; this is only the fast path.
   */
  schedule<N extends Exclude<JobName, OutboxJobName>>(name: N, data: JobPayloads[N], jobId: string, delayMs = 0): Promise<void> {
    return this.add(name, data, jobId, Math.max(0, Math.round(delayMs)));
  }

  private async add(name: JobName, data: object, jobId: string, delay: number): Promise<void> {
    const add = this.queue(JOB_QUEUE[name]).add(name, data, { ...JOB_OPTIONS, jobId, delay });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('Redis did not accept the job in time')), ENQUEUE_TIMEOUT_MS);
    });
    try {
      await Promise.race([add, timeout]);
      this.outage.recovered();
    } catch (error) {
      this.outage.report();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Redis's eviction policy: BullMQ is only safe with `noeviction`. Fails fast when Redis is down. */
  async maxmemoryPolicy(): Promise<string> {
    if (!this.admin) {
      this.admin = createRedis(this.config.REDIS_URL, 'producer', { lazyConnect: true });
      this.admin.on('error', () => undefined);
      // Without an offline queue, a command sent before the first connection is up fails: the
      // first call waits for it (a start-up check would otherwise always read "unreachable").
      this.adminConnected = this.admin.connect().catch(() => undefined);
    }
    await this.adminConnected;
    const reply = (await this.admin.config('GET', 'maxmemory-policy').catch((error: Error) => {
      this.outage.report();
      throw error;
    })) as string[];
    this.outage.recovered();
    return reply[1] ?? 'unknown';
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    this.admin?.disconnect();
    this.admin = null;
    this.adminConnected = null;
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
    this.queues.clear();
  }
}
