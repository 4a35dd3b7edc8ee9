import type { Job } from 'bullmq';
import type { JobName, QueueName } from '@vigie/queue';

/** One processor per queue: a switch on the job name, one service call per job. */
export interface QueueProcessor {
  readonly queue: QueueName;
  readonly handles: readonly JobName[];
  process(job: Job): Promise<void>;
}

export const QUEUE_PROCESSORS = Symbol('QUEUE_PROCESSORS');
