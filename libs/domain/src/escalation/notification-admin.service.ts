import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NOTIFICATION_RETRY_WINDOW_MS, NotificationEntity, NotificationRepository, Page } from '@vigie/persistence';
import { DomainError } from '../errors/domain-error';
import { FollowUp } from './escalation-jobs';
import { Clock } from '../clock/clock';

/** The dead-letter list: notifications that failed for good, which an administrator may replay. */
@Injectable()
export class NotificationAdminService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly notifications: NotificationRepository,
    private readonly clock: Clock,
  ) {}

  listDeadLetter(limit: number, cursor: string | null): Promise<Page<NotificationEntity>> {
    return this.notifications.listFailed(limit, cursor);
  }

  /** Puts a failed notification back to pending, due now, with a fresh 24 h of retries. */
  replay(id: string): Promise<{ notification: NotificationEntity; followUps: FollowUp[] }> {
    return this.dataSource.transaction(async (manager) => {
      const n = await this.notifications.findByIdForUpdate(manager, id);
      if (!n) throw DomainError.notFound('Notification');
      if (n.status !== 'failed') throw DomainError.transition(`Only a failed notification can be replayed (this one is ${n.status})`);
      const now = this.clock.now();
      n.status = 'pending';
      n.nextAttemptAt = now;
      n.retryUntil = new Date(now.getTime() + NOTIFICATION_RETRY_WINDOW_MS);
      n.lastError = `Replayed after: ${n.lastError ?? 'failure'}`.slice(0, 500);
      await this.notifications.save(manager, n);
      return { notification: n, followUps: [{ kind: 'send', notificationId: n.id, attempt: n.attempts, at: now }] };
    });
  }
}
