import { Injectable } from '@nestjs/common';
import { NotificationEntity, NotificationRepository, Page } from '@vigie/persistence';
import { DeliveryEngine } from '../delivery/delivery-engine';
import { DomainError } from '../errors/domain-error';

/** The dead-letter list: notifications that failed for good, which an administrator may replay. */
@Injectable()
export class NotificationAdminService {
  constructor(
    private readonly notifications: NotificationRepository,
    private readonly engine: DeliveryEngine,
  ) {}

  listDeadLetter(limit: number, cursor: string | null): Promise<Page<NotificationEntity>> {
    return this.notifications.listFailed(limit, cursor);
  }

  /** Puts a failed notification back to pending, due now, with a fresh 24 h of retries; sent once the replay commits. */
  replay(id: string): Promise<NotificationEntity> {
    return this.engine.replay('notification', id, async (_manager, n) => {
      if (!n) throw DomainError.notFound('Notification');
      if (n.status !== 'failed') throw DomainError.transition(`Only a failed notification can be replayed (this one is ${n.status})`);
      return n;
    });
  }
}
