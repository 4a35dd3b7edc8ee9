import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Worker } from 'bullmq';
import { VigieConfig } from '@vigie/config';
import { errorSummary, OutboxRelay } from '@vigie/domain';
import { ALL_JOB_NAMES, isConnectionError, JOB_QUEUE, JobProducer, RedisOutage, redisOptions } from '@vigie/queue';
import { QUEUE_PROCESSORS, QueueProcessor } from './processors/queue-processor';

/**
 * Starts one BullMQ worker per queue, after checking that every job name has exactly one
 * handler on the right queue. Closes them gracefully on shutdown: active jobs finish, or are
 * released to another worker after the lock expires.
 */
@Injectable()
export class WorkerRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerRunner.name);
  private readonly workers: Worker[] = [];

  constructor(
    @Inject(QUEUE_PROCESSORS) private readonly processors: QueueProcessor[],
    private readonly config: VigieConfig,
    private readonly producer: JobProducer,
    private readonly relay: OutboxRelay,
    private readonly outage: RedisOutage,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    checkHandlers(this.processors);
    await this.warnOnEvictionPolicy();
    for (const processor of this.processors) {
      const worker = new Worker(processor.queue, (job) => processor.process(job), {
        connection: redisOptions(this.config.REDIS_URL, 'worker'),
        prefix: this.config.VIGIE_QUEUE_PREFIX,
        concurrency: this.config.VIGIE_WORKER_CONCURRENCY,
        lockDuration: this.config.VIGIE_JOB_LOCK_MS,
        stalledInterval: Math.max(500, Math.floor(this.config.VIGIE_JOB_LOCK_MS / 2)),
        maxStalledCount: 10,
      });
      worker.on('error', (error) => {
        if (isConnectionError(error)) this.outage.report();
        else this.logger.warn(`Worker ${processor.queue}: ${errorSummary(error)}`);
      });
      // Payloads carry ids only (queue.contracts.ts): they go into the line as fields, with the
      // outbox row and the correlation id of the request that caused the job. The error is
      // summarised (SQLSTATE and constraint for a database error): its text may carry values.
      worker.on('failed', (job, error) => {
        this.logger.warn(
          { queue: processor.queue, jobName: job?.name, jobId: job?.id, attempt: job?.attemptsMade, ...(job?.data as object) },
          `Job ${job?.name} ${job?.id} failed (attempt ${job?.attemptsMade}): ${errorSummary(error)}`,
        );
        const outboxId = (job?.data as { outboxId?: unknown } | undefined)?.outboxId;
        if (job && typeof outboxId === 'string') {
          this.relay
            .jobFailed(outboxId, job.name, job.attemptsMade, job.opts.attempts ?? 1, error)
            .catch((cause: Error) => this.logger.warn(`Failure of outbox row ${outboxId} not recorded: ${errorSummary(cause)}`));
        }
      });
      this.workers.push(worker);
    }
    this.logger.log(`Processing queues: ${this.processors.map((p) => p.queue).join(', ')}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close().catch(() => undefined)));
    this.workers.length = 0;
  }

  private async warnOnEvictionPolicy(): Promise<void> {
    // Unreachable: RedisOutage has said so, in words; the policy is checked by /health/ready later.
    const policy = await this.producer.maxmemoryPolicy().catch(() => null);
    if (policy !== null && policy !== 'noeviction') {
      this.logger.error(
        `Redis maxmemory-policy is "${policy}", not "noeviction": Redis may evict queued jobs. ` +
          'The outbox and sweeps will recover them, but configure Redis with maxmemory-policy noeviction.',
      );
    }
  }
}

export function checkHandlers(processors: QueueProcessor[]): void {
  for (const name of ALL_JOB_NAMES) {
    const owners = processors.filter((p) => p.handles.includes(name));
    if (owners.length !== 1) throw new Error(`Job ${name} must have exactly one handler, found ${owners.length}`);
    if (owners[0].queue !== JOB_QUEUE[name]) throw new Error(`Job ${name} is handled on queue ${owners[0].queue}, not ${JOB_QUEUE[name]}`);
  }
}
