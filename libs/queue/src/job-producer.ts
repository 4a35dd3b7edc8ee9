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
export function jobOptions(config: Pick<VigieConfig, 'VIGIE_JOB_ATTEMPTS' | 'VIGIE_JOB_BACKOFF_MS'>) {
  return {
    attempts: config.VIGIE_JOB_ATTEMPTS,
    backoff: { type: 'exponential', delay: config.VIGIE_JOB_BACKOFF_MS },
    removeOnComplete: { age: 24 * 3600, count: 10000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  } as const;
}

/** Outbox jobs waiting for their queue's next `addBulk`. */
interface PendingBulk {
  jobs: { name: string; data: object; opts: ReturnType<typeof jobOptions> & { jobId: string } }[];
  done: Promise<void>;
}

@Injectable()
export class JobProducer implements OnModuleInit, OnModuleDestroy {
  private readonly queues = new Map<QueueName, Queue>();
  /** Per queue: the outbox jobs gathering for the next add, and the add before it (at most one on its way). */
  private readonly lanes = new Map<QueueName, { next: PendingBulk | null; last: Promise<void> }>();
  private admin: IORedis | null = null;
  private adminConnected: Promise<void> | null = null;
  private closed = false;
  private readonly options: ReturnType<typeof jobOptions>;

  constructor(
    private readonly config: VigieConfig,
    private readonly outage: RedisOutage,
  ) {
    this.options = jobOptions(config);
  }

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

  /**
   * Adds the job for one outbox row; a wrong payload for the name is a compile error. Jobs added
   * while an earlier add of their queue is on its way share the next one (one `addBulk`, one
   * round trip): under load, publishing the outbox costs one Redis write per burst of rows
   * rather than one per row. Resolves once its own job is added, or rejects with that add's error.
   */
  enqueue<N extends OutboxJobName>(name: N, data: JobData<N>): Promise<void> {
    const queueName = JOB_QUEUE[name];
    let lane = this.lanes.get(queueName);
    if (!lane) {
      lane = { next: null, last: Promise.resolve() };
      this.lanes.set(queueName, lane);
    }
    let bulk = lane.next;
    if (!bulk) {
      const own = lane;
      const gathering: PendingBulk = { jobs: [], done: Promise.resolve() };
      gathering.done = own.last.then(async () => {
        if (own.next === gathering) own.next = null;
        await this.withTimeout(this.queue(queueName).addBulk(gathering.jobs));
      });
      own.last = gathering.done.catch(() => undefined);
      own.next = bulk = gathering;
    }
    bulk.jobs.push({ name, data, opts: { ...this.options, jobId: outboxJobId(data.outboxId) } });
    return bulk.done;
  }

  /**
   * Publishes an outbox row again (the sweep, for a row still not processed). A job that BullMQ
   * keeps as failed or completed would make a plain add a no-op for days: it is run again with
   * fresh attempts. A job waiting for its next retry runs now, so that once the cause is gone
   * the row is processed within one republish interval, however long the back-off had grown.
   * Returns what was done, for the logs (`failed`, `completed`: that job was run again); a job
   * waiting or running is left alone.
   */
  async republish<N extends OutboxJobName>(name: N, data: JobData<N>): Promise<'added' | 'failed' | 'completed' | 'promoted' | 'pending'> {
    const queue = this.queue(JOB_QUEUE[name]);
    const jobId = outboxJobId(data.outboxId);
    const state = await this.withTimeout(queue.getJobState(jobId));
    if (state === 'unknown') {
      await this.enqueue(name, data);
      return 'added';
    }
    // Outbox jobs are added without a delay: a delayed one waits for its next retry.
    if (state !== 'failed' && state !== 'completed' && state !== 'delayed') return 'pending';
    const job = await this.withTimeout(queue.getJob(jobId));
    // Removed in between (kept jobs expire): the next republication adds it.
    if (!job) return 'pending';
    if (state === 'delayed') {
      await this.withTimeout(job.promote());
      return 'promoted';
    }
    await this.withTimeout(job.retry(state, { resetAttemptsMade: true, resetAttemptsStarted: true }));
    return state;
  }

  /**
   * Adds a timer job (an escalation step, a delivery attempt) under a deterministic id, to run
   * after `delayMs`. The deadline itself lives in PostgreSQL; this is only the fast path.
   */
  schedule<N extends Exclude<JobName, OutboxJobName>>(name: N, data: JobPayloads[N], jobId: string, delayMs = 0): Promise<void> {
    return this.add(name, data, jobId, Math.max(0, Math.round(delayMs)));
  }

  private async add(name: JobName, data: object, jobId: string, delay: number): Promise<void> {
    await this.withTimeout(this.queue(JOB_QUEUE[name]).add(name, data, { ...this.options, jobId, delay }));
  }

  private async withTimeout<T>(command: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('Redis did not answer in time')), ENQUEUE_TIMEOUT_MS);
    });
    try {
      const result = await Promise.race([command, timeout]);
      this.outage.recovered();
      return result;
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
