import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  AlertRepository,
  FugueEventRepository,
  InterruptedRow,
  NotificationEntity,
  NotificationRepository,
  ReferentEntity,
  ReferentRepository,
  ReturnInterviewRepository,
} from '@vigie/persistence';
import { DeliveryResult } from '@vigie/notifications';
import { DELIVERY_KINDS } from '../delivery/delivery-kinds';
import { Claim, DeliverySender, Settlement } from '../delivery/delivery-sender';
import { windowEnd } from '../delivery/retry-schedule';
import { errorSummary } from '../errors/database-errors';
import { Work } from '../unit-of-work/unit-of-work';
import { NOT_CONFIGURED, NotificationChannels } from './notification-channels';
import { NotificationMessages } from './notification-messages';

/**
 * The referent notification sender of the delivery engine (kind `notification`, at most once).
 * A notification is sent only while it still means something — its alert open, its return
 * interview still to be held, its referent active — else it is cancelled. Its outcome goes on the
 * episode's timeline (`notification.sent`, `notification.failed`).
 */
@Injectable()
export class NotificationSender implements DeliverySender<NotificationEntity, ReferentEntity> {
  readonly kind = 'notification';
  readonly label = 'Notification';
  readonly sentStatus = 'sent';
  readonly refusedStatus = 'cancelled';
  readonly failedList = 'it is in the dead-letter list';

  constructor(
    readonly rows: NotificationRepository,
    private readonly alerts: AlertRepository,
    private readonly interviews: ReturnInterviewRepository,
    private readonly referents: ReferentRepository,
    private readonly events: FugueEventRepository,
    private readonly messages: NotificationMessages,
    private readonly channels: NotificationChannels,
  ) {}

  async claim(manager: EntityManager, n: NotificationEntity): Promise<Claim<ReferentEntity>> {
    if (n.kind === 'alert.notification') {
      const alert = await this.alerts.findById(n.alertId as string, manager);
      if (!alert || alert.state !== 'open') return { refused: `Alert ${alert?.state ?? 'gone'} before sending` };
    }
    if (n.kind === 'interview.reminder' || n.kind === 'interview.overdue') {
      const interview = await this.interviews.findByFugue(n.fugueId, manager);
      if (!interview || interview.status !== 'scheduled') return { refused: 'Return interview recorded before sending' };
    }
    const referent = await this.referents.findActive(n.referentId, manager);
    if (!referent) return { refused: 'Referent removed before sending' };
    return { message: referent };
  }

  async send(n: NotificationEntity, referent: ReferentEntity, timeoutMs: number, now: Date): Promise<DeliveryResult> {
    let outgoing;
    try {
      outgoing = await this.messages.build(n, referent, now, timeoutMs);
    } catch (error) {
      return { ok: false, error: `could not build the message: ${errorSummary(error)}`, durationMs: 0 };
    }
    return this.channels.send(outgoing);
  }

  describe(result: DeliveryResult): string {
    return result.error ?? `status ${result.status}`;
  }

  /** Attempts are counted across replays: a replayed notification goes on at every 30 min. */
  failures(n: NotificationEntity): number {
    return n.attempts;
  }

  retryUntil(n: NotificationEntity): Date {
    return n.retryUntil;
  }

  restart(n: NotificationEntity, now: Date): void {
    n.retryUntil = windowEnd(DELIVERY_KINDS.notification.schedule, now) as Date;
    n.lastError = `Replayed after: ${n.lastError ?? 'failure'}`.slice(0, 500);
  }

  /** A channel that is not configured will not be by the next attempt: it fails at once. */
  async finalFailure(_work: Work, n: NotificationEntity, result: DeliveryResult): Promise<string | null> {
    return result.error?.startsWith(NOT_CONFIGURED) ? n.lastError : null;
  }

  async settled(work: Work, n: NotificationEntity, settlement: Settlement, _result: DeliveryResult, now: Date): Promise<void> {
    if (settlement === 'sent') {
      n.sentAt = now;
      await this.events.append(work.manager, { fugueId: n.fugueId, type: 'notification.sent', at: now, data: eventData(n) });
    }
    if (settlement === 'failed') {
      await this.events.append(work.manager, { fugueId: n.fugueId, type: 'notification.failed', at: now, data: { ...eventData(n), error: n.lastError } });
    }
  }

  async interrupted(work: Work, rows: InterruptedRow<NotificationEntity>[]): Promise<void> {
    for (const { row: n } of rows) {
      await this.events.append(work.manager, {
        fugueId: n.fugueId,
        type: 'notification.failed',
        data: { notificationId: n.id, kind: n.kind, alertId: n.alertId, step: n.step, referentId: n.referentId, channel: n.channel, error: n.lastError },
      });
    }
  }
}

function eventData(n: NotificationEntity): Record<string, unknown> {
  return { notificationId: n.id, kind: n.kind, alertId: n.alertId, step: n.step, referentId: n.referentId, channel: n.channel, attempts: n.attempts };
}
