import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  AlertRepository,
  AlertResolution,
  EscalationPolicyRepository,
  FugueEntity,
  FugueEventRepository,
  NewNotification,
  NotificationKind,
  NotificationRepository,
  ReferentEntity,
  ReferentRepository,
  ReferentRole,
} from '@vigie/persistence';
import { JobName } from '@vigie/queue';
import { DEFAULT_POLICY, EscalationPolicy, scheduledStep } from './escalation-policy';
import { Clock } from '../clock/clock';
import { Timer } from '../unit-of-work/timer-jobs';
import { UnitOfWork, Work } from '../unit-of-work/unit-of-work';

/**
 * Opens, escalates and resolves alerts (integrations.md § Escalation). Every method works inside
 * the caller's work or its own, writes PostgreSQL only, and schedules through the work the timer
 * jobs to add after commit; the sweep fires whatever those jobs miss.
 */
@Injectable()
export class EscalationService {
  private readonly logger = new Logger(EscalationService.name);

  constructor(
    private readonly uow: UnitOfWork,
    private readonly alerts: AlertRepository,
    private readonly policies: EscalationPolicyRepository,
    private readonly referents: ReferentRepository,
    private readonly notifications: NotificationRepository,
    private readonly events: FugueEventRepository,
    private readonly clock: Clock,
  ) {}

  async policyFor(departmentCode: string, manager?: EntityManager): Promise<EscalationPolicy> {
    return (await this.policies.findInForce(departmentCode, manager))?.policy ?? DEFAULT_POLICY;
  }

  /**
   * After a classification: a worrying episode still missing gets its one alert; a routine one
   * sends one information notification to foyer duty; an episode lowered to routine by a
   * referent stops escalating.
   */
  async onClassified(
    work: Work,
    fugue: FugueEntity,
    now = this.clock.now(),
    { mayHaveAlert = true, routineRecipients }: { mayHaveAlert?: boolean; routineRecipients?: ReferentEntity[] } = {},
  ): Promise<void> {
    if (fugue.status !== 'missing') return;
    if (fugue.effectiveLevel === 'worrying') return this.openAlert(work, fugue, now);
    if (fugue.effectiveLevel === 'routine') {
      // `mayHaveAlert: false` (an episode's first classification) spares looking for an alert to resolve.
      if (mayHaveAlert) await this.resolveForFugue(work, fugue, 'level_lowered', now);
      await this.informRoutine(work, fugue, now, routineRecipients);
    }
  }

  /**
   * The roles `onClassified` informs of this classification (the policy's routine ones), for a
   * caller that reads their referents with its own statement and passes them as
   * `routineRecipients`; null when `onClassified` informs nobody.
   */
  async routineRecipientRoles(fugue: Pick<FugueEntity, 'status' | 'effectiveLevel' | 'departmentCode'>, manager?: EntityManager): Promise<ReferentRole[] | null> {
    if (fugue.status !== 'missing' || fugue.effectiveLevel !== 'routine') return null;
    return (await this.policyFor(fugue.departmentCode, manager)).routine.notify as ReferentRole[];
  }

  private async openAlert(work: Work, fugue: FugueEntity, now: Date): Promise<void> {
    const { manager } = work;
    if (await this.alerts.findUnresolvedForUpdate(manager, fugue.id)) return;
    const policy = await this.policyFor(fugue.departmentCode, manager);
    const first = scheduledStep(policy, now, 0);
    const alert = await this.alerts.insert(manager, {
      fugueId: fugue.id,
      departmentCode: fugue.departmentCode,
      foyerId: fugue.foyerId,
      state: 'open',
      policy,
      openedAt: now,
      lastStep: null,
      nextStep: 0,
      nextStepAt: first?.at ?? null,
      acknowledgedAt: null,
      acknowledgedByReferentId: null,
      acknowledgedByClientId: null,
      acknowledgedVia: null,
      acknowledgementNoteEnc: null,
      resolvedAt: null,
      resolution: null,
    });
    await this.events.append(manager, { fugueId: fugue.id, type: 'alert.opened', at: now, data: { alertId: alert.id, steps: policy.worrying.steps.length } });
    if (first) work.schedule({ job: JobName.AlertStep, alertId: alert.id, step: 0, at: first.at });
  }

  /**
   * Fires the alert's next step if it is due and the alert still open; otherwise does nothing.
   * Its notifications and the next step are scheduled once it commits. True when a step fired.
   */
  fireStep(alertId: string, expectedStep?: number, now = this.clock.now()): Promise<boolean> {
    return this.uow.run(async (work) => {
      const { manager } = work;
      const alert = await this.alerts.findByIdForUpdate(manager, alertId);
      if (!alert || alert.state !== 'open' || !alert.nextStepAt || alert.nextStepAt > now) return false;
      if (expectedStep !== undefined && expectedStep !== alert.nextStep) return false;
      const step = scheduledStep(alert.policy, alert.openedAt, alert.nextStep);
      if (!step) {
        alert.nextStepAt = null;
        await this.alerts.save(manager, alert);
        return false;
      }
      let recipients = await this.referents.findRecipients(manager, alert.departmentCode, alert.foyerId, step.roles);
      const fallback = recipients.length === 0;
      if (fallback) recipients = await this.referents.findRecipients(manager, alert.departmentCode, alert.foyerId, ['department_duty']);
      const ids = await this.notifications.insertMissing(
        manager,
        notificationRows(recipients, 'alert.notification', alert.fugueId, alert.id, step.step, fallback),
        now,
      );
      const next = scheduledStep(alert.policy, alert.openedAt, step.step + 1);
      alert.lastStep = step.step;
      alert.nextStep = step.step + 1;
      alert.nextStepAt = next?.at ?? null;
      await this.alerts.save(manager, alert);
      await this.events.append(manager, {
        fugueId: alert.fugueId,
        type: 'alert.step',
        at: now,
        data: {
          alertId: alert.id,
          step: step.step,
          repeat: step.repeat,
          roles: step.roles,
          fallbackToDepartmentDuty: fallback,
          referents: recipients.map((r) => r.id),
          notifications: ids.length,
        },
      });
      if (recipients.length === 0) {
        this.logger.error(`Alert ${alert.id} step ${step.step} reached nobody: no referent of roles ${step.roles.join(', ')} nor department_duty in ${alert.departmentCode}`);
      }
      work.schedule(...firstSends(ids, now));
      if (next) work.schedule({ job: JobName.AlertStep, alertId: alert.id, step: next.step, at: next.at });
      return true;
    });
  }

  /** Stops the escalation of the episode's alert and tells everyone already notified. */
  async resolveForFugue(work: Work, fugue: Pick<FugueEntity, 'id'>, resolution: AlertResolution, now = this.clock.now()): Promise<void> {
    const { manager } = work;
    const alert = await this.alerts.findUnresolvedForUpdate(manager, fugue.id);
    if (!alert) return;
    alert.state = 'resolved';
    alert.resolvedAt = now;
    alert.resolution = resolution;
    alert.nextStepAt = null;
    await this.alerts.save(manager, alert);
    await this.notifications.cancelPendingAlertNotifications(manager, alert.id, `Alert resolved (${resolution}) before sending`);
    const notified = await this.notifications.findReachedByAlert(manager, alert.id);
    const recipients: (ReferentEntity | null)[] = [];
    for (const n of notified) recipients.push(await this.referents.findById(n.referentId, manager));
    const rows: NewNotification[] = notified.flatMap((n, i) => {
      const referent = recipients[i];
      const channel = referent?.channels.find((c) => c.type === n.channel);
      if (!referent || referent.deletedAt || !channel) return [];
      return [{ dedupKey: `alert:${alert.id}:resolved:${referent.id}:${channel.type}`, kind: 'alert.resolved', alertId: alert.id, fugueId: alert.fugueId, step: null, referentId: referent.id, channel: channel.type, target: targetOf(channel), fallback: false }];
    });
    const ids = await this.notifications.insertMissing(manager, rows, now);
    await this.events.append(manager, { fugueId: alert.fugueId, type: 'alert.resolved', at: now, data: { alertId: alert.id, resolution, notifications: ids.length } });
    work.schedule(...firstSends(ids, now));
  }

  /** `recipients`: the referents of the policy's routine roles, when the caller read them already. */
  private async informRoutine(work: Work, fugue: FugueEntity, now: Date, recipients?: ReferentEntity[]): Promise<void> {
    const { manager } = work;
    if (!recipients) {
      const roles = (await this.routineRecipientRoles(fugue, manager)) ?? [];
      recipients = await this.referents.findRecipients(manager, fugue.departmentCode, fugue.foyerId, roles);
    }
    const rows = notificationRows(recipients, 'routine.information', fugue.id, null, null, false).map((r) => ({
      ...r,
      dedupKey: `routine:${fugue.id}:${r.referentId}:${r.channel}`,
    }));
    const ids = await this.notifications.insertMissing(manager, rows, now);
    if (ids.length > 0) {
      await this.events.append(manager, { fugueId: fugue.id, type: 'routine.notified', at: now, data: { referents: [...new Set(rows.map((r) => r.referentId))], notifications: ids.length } });
    }
    work.schedule(...firstSends(ids, now));
  }
}

/** The timers of notifications just written: their first send, due now. */
export function firstSends(notificationIds: readonly string[], at: Date): Timer[] {
  return notificationIds.map((notificationId) => ({ job: JobName.NotificationSend, notificationId, attempt: 0, at }));
}

/** Where a channel delivers: its address, phone number or URL. */
export function targetOf(channel: ReferentEntity['channels'][number]): string {
  switch (channel.type) {
    case 'email':
      return channel.address;
    case 'sms':
      return channel.phone;
    case 'webhook':
      return channel.url;
  }
}

function notificationRows(
  recipients: ReferentEntity[],
  kind: NotificationKind,
  fugueId: string,
  alertId: string | null,
  step: number | null,
  fallback: boolean,
): NewNotification[] {
  return recipients.flatMap((r) =>
    r.channels.map((channel) => ({
      dedupKey: `alert:${alertId}:step:${step}:${r.id}:${channel.type}`,
      kind,
      alertId,
      fugueId,
      step,
      referentId: r.id,
      channel: channel.type,
      target: targetOf(channel),
      fallback,
    })),
  );
}

