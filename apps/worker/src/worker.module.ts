import { Module } from '@nestjs/common';
import { QUEUE_PROCESSORS } from './processors/queue-processor';
import { TriageProcessor } from './processors/triage.processor';
import { Sweeper } from './sweeper';
import { WorkerRunner } from './worker-runner';

const PROCESSORS = [TriageProcessor];

/** The worker: queue processors and sweeps. Core modules come from the process module. */
@Module({
  providers: [
    ...PROCESSORS,
    { provide: QUEUE_PROCESSORS, inject: PROCESSORS, useFactory: (...processors: TriageProcessor[]) => processors },
    WorkerRunner,
    Sweeper,
  ],
})
export class WorkerModule {}
