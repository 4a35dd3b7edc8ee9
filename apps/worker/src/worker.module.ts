import { Module } from '@nestjs/common';
import { QUEUE_PROCESSORS, QueueProcessor } from './processors/queue-processor';
import { EscalationProcessor } from './processors/escalation.processor';
import { TriageProcessor } from './processors/triage.processor';
import { WebhooksProcessor } from './processors/webhooks.processor';
import { Housekeeping } from './housekeeping';
import { Sweeper } from './sweeper';
import { WorkerRunner } from './worker-runner';

const PROCESSORS = [TriageProcessor, EscalationProcessor, WebhooksProcessor];

/** The worker: queue processors and sweeps. Core modules come from the process module. */
@Module({
  providers: [
    ...PROCESSORS,
    { provide: QUEUE_PROCESSORS, inject: PROCESSORS, useFactory: (...processors: QueueProcessor[]) => processors },
    WorkerRunner,
    Housekeeping,
    Sweeper,
  ],
})
export class WorkerModule {}
