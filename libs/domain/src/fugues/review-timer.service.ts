import { Injectable } from '@nestjs/common';
import { FugueRepository } from '@vigie/persistence';
import { JobName } from '@vigie/queue';
import { Clock } from '../clock/clock';
import { UnitOfWork } from '../unit-of-work/unit-of-work';

const BATCH = 100;

/**
 * Review timers live in PostgreSQL (`fugues.next_review_at`): a sweep takes the due ones and asks
 * for their triage through the outbox, so neither a restart nor an emptied Redis loses one.
 */
@Injectable()
export class ReviewTimerService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly fugues: FugueRepository,
    private readonly clock: Clock,
  ) {}

  fireDueReviews(): Promise<number> {
    return this.uow.run(async (work) => {
      const due = await this.fugues.takeDueReviews(work.manager, this.clock.now(), BATCH);
      for (const { id, reviewAt } of due) await work.enqueue(JobName.FugueTriage, { fugueId: id, cause: 'review', reviewAt: reviewAt.toISOString() });
      return due.length;
    });
  }
}
