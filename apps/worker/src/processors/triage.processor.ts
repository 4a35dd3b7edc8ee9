import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { EscalationJobs, FugueTriageService, MetricsService } from '@vigie/domain';
import { JobData, JobName, QueueName } from '@vigie/queue';
import { QueueProcessor } from './queue-processor';

/** The triage queue: one job name, one service call. */
@Injectable()
export class TriageProcessor implements QueueProcessor {
  readonly queue = QueueName.Triage;
  readonly handles = [JobName.FugueTriage];
  private readonly logger = new Logger(TriageProcessor.name);

  constructor(
    private readonly triage: FugueTriageService,
    private readonly metrics: MetricsService,
    private readonly jobs: EscalationJobs,
  ) {}

  async process(job: Job): Promise<void> {
    switch (job.name as JobName) {
      case JobName.FugueTriage: {
        const data = job.data as JobData<typeof JobName.FugueTriage>;
        const outcome = await this.triage.triageFugue(data);
        this.jobs.dispatch(outcome.followUps);
        if (outcome.applied && outcome.classification) {
          this.metrics.classifications.inc({ level: outcome.classification.level });
          if (outcome.latencyMs !== null) this.metrics.triageLatency.observe({ cause: data.cause }, outcome.latencyMs / 1000);
          this.logger.log(
            { fugueId: data.fugueId, cause: data.cause, classificationLevel: outcome.classification.level, outboxId: data.outboxId, jobId: job.id, correlationId: data.correlationId },
            'Fugue triaged',
          );
        }
        return;
      }
    }
  }
}
