import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { FugueRepository, OutboxMessage, OutboxRepository } from '@vigie/persistence';
import { JobName } from '@vigie/queue';
import { OutboxRelay } from '../outbox/outbox.relay';
import { Clock } from '../clock/clock';

const BATCH = 100;

/**
 * Review timers live in PostgreSQL (`fugues.next_review_at`): a sweep takes the due ones and asks
 * for their triage through the outbox, so neither a restart nor an emptied Redis loses one.
 */
@Injectable()
export class ReviewTimerService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly fugues: FugueRepository,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
    private readonly clock: Clock,
  ) {}

  async fireDueReviews(): Promise<number> {
    const messages = await this.dataSource.transaction(async (manager) => {
      const due = await this.fugues.takeDueReviews(manager, this.clock.now(), BATCH);
      const added: OutboxMessage[] = [];
      for (const { id, reviewAt } of due) {
        added.push(await this.outbox.add(manager, JobName.FugueTriage, { fugueId: id, cause: 'review', reviewAt: reviewAt.toISOString() }));
      }
      return added;
    });
    if (messages.length > 0) await this.relay.publish(messages).catch(() => undefined);
    return messages.length;
  }
}
