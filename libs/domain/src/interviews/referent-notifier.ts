import { Injectable, Logger } from '@nestjs/common';
import { AlertRepository, NewNotification, NotificationKind, NotificationRepository, ReferentRepository, ReferentRole } from '@vigie/persistence';
import { firstSends, targetOf } from '../escalation/escalation.service';
import { Clock } from '../clock/clock';
import { Work } from '../unit-of-work/unit-of-work';

export interface ReferentNotice {
  kind: Exclude<NotificationKind, 'alert.notification' | 'alert.resolved'>;
  /** The episode the notice is about: its département, and its foyer for foyer_duty. */
  fugue: { id: string; departmentCode: string; foyerId: string };
  roles: readonly string[];
  /** Unique per notice; the referent and channel are appended, so a replay inserts nothing. */
  dedupKey: string;
  /** When the roles reach nobody, notify department_duty instead (as an alert step does). */
  fallbackToDepartmentDuty: boolean;
  /** (referent, channel) pairs told the same thing another way, left out. */
  except?: readonly { referentId: string; channel: string }[];
}

export interface NoticeResult {
  notificationIds: string[];
  referentIds: string[];
  fallback: boolean;
}

/**
 * Notices outside alerts (the return, interview deadlines, disclosures): one notification row
 * per (referent, channel), in the caller's work, delivered by the delivery engine
 * through the fast path (scheduled once the work commits) and the delivery sweep.
 */
@Injectable()
export class ReferentNotifier {
  private readonly logger = new Logger(ReferentNotifier.name);

  constructor(
    private readonly alerts: AlertRepository,
    private readonly referents: ReferentRepository,
    private readonly notifications: NotificationRepository,
    private readonly clock: Clock,
  ) {}

  async notify(work: Work, notice: ReferentNotice, now = this.clock.now()): Promise<NoticeResult> {
    const { manager } = work;
    const { fugue } = notice;
    let recipients = await this.referents.findRecipients(manager, fugue.departmentCode, fugue.foyerId, notice.roles as ReferentRole[]);
    const fallback = recipients.length === 0 && notice.fallbackToDepartmentDuty;
    if (fallback) recipients = await this.referents.findRecipients(manager, fugue.departmentCode, fugue.foyerId, ['department_duty']);
    if (recipients.length === 0 && notice.fallbackToDepartmentDuty) {
      this.logger.error(`A ${notice.kind} notice of episode ${fugue.id} reached nobody in ${fugue.departmentCode}: no referent of roles ${notice.roles.join(', ')} nor department_duty`);
    }
    const skipped = new Set((notice.except ?? []).map((e) => `${e.referentId}:${e.channel}`));
    const rows: NewNotification[] = recipients.flatMap((r) =>
      r.channels.filter((channel) => !skipped.has(`${r.id}:${channel.type}`)).map((channel) => ({
        dedupKey: `${notice.dedupKey}:${r.id}:${channel.type}`,
        kind: notice.kind,
        alertId: null,
        fugueId: fugue.id,
        step: null,
        referentId: r.id,
        channel: channel.type,
        target: targetOf(channel),
        fallback,
      })),
    );
    const ids = await this.notifications.insertMissing(manager, rows, now);
    work.schedule(...firstSends(ids, now));
    return {
      notificationIds: ids,
      referentIds: [...new Set(rows.map((row) => row.referentId))],
      fallback,
    };
  }

  /**
   * The (referent, channel) pairs the episode's alert told of the return: the alert.resolved
   * notifications of its resolution "returned", written earlier in the same transaction. Read
   * from those rows, not from the step notifications again: a send that settles between the two
   * reads would otherwise be counted as told by one and not by the other, and its referent told by
   * neither. An alert that ended earlier for another reason told them nothing of the return.
   */
  async toldOfReturnByAlert(work: Work, fugueId: string): Promise<{ referentId: string; channel: string }[]> {
    const alert = await this.alerts.findLatestForFugue(fugueId, work.manager);
    if (!alert || alert.state !== 'resolved' || alert.resolution !== 'returned') return [];
    return this.notifications.findResolutionNotices(work.manager, alert.id);
  }
}
