import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { FugueTriageService } from '@vigie/domain';
import { JobData, JobName, QueueName } from '@vigie/queue';
import { QueueProcessor } from './queue-processor';

/** The triage queue: one job name, one service call. */
@Injectable()
export class TriageProcessor implements QueueProcessor {
  readonly queue = QueueName.Triage;
  readonly handles = [JobName.FugueTriage];

  constructor(private readonly triage: FugueTriageService) {}

  async process(job: Job): Promise<void> {
    switch (job.name as JobName) {
      case JobName.FugueTriage:
        return this.triage.runTriageJob(job.data as JobData<typeof JobName.FugueTriage>, job.id);
    }
  }
}
