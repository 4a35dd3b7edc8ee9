import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import {
  AlertRepository,
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
import { DEFAULT_POLICY, EscalationPolicy, scheduledStep } from './escalation-policy';
import { FollowUp } from './escalation-jobs';
import { Clock } from '../clock/clock';

/**
 * Opens, escalates and resolves alerts (integrations.md § Escalation). Every method works inside
 * the caller's transaction or its own, writes PostgreSQL only, and returns the timer jobs to add
 * after commit; the sweep fires whatever those jobs miss.
 */
@Injectable()
export class EscalationService {
  private readonly logger = new Logger(EscalationService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly alerts: AlertRepository,
    private readonly policies: EscalationPolicyRepository,
    private readonly referents: ReferentRepository,
    private readonly notifications: NotificationRepository,
    private readonly events: FugueEventRepository,
    private readonly clock: Clock,
  ) {}

  async policyFor(departmentCode: string, manager?: EntityManager): Promise<EscalationPolicy> {
    return (await this.policies.find(departmentCode, manager))?.policy ?? DEFAULT_POLICY;
  }

  /**
   * After a classification: a worrying episode still missing gets its one alert; a routine one
   * sends one information notification to foyer duty; an episode lowered to routine by a
   * referent stops escalating.
   */
  async onClassified(manager: EntityManager, fugue: FugueEntity, now = this.clock.now(), { mayHaveAlert = true } = {}): Promise<FollowUp[]> {
    if (fugue.status !== 'missing') return [];
    if (fugue.effectiveLevel === 'worrying') return this.openAlert(manager, fugue, now);
    if (fugue.effectiveLevel === 'routine') {
      // `mayHaveAlert: false` (an episode's first classification) spares looking for an alert to resolve.
      const lowered = mayHaveAlert ? await this.resolveForFugue(manager, fugue, 'level_lowered', now) : [];
      return [...lowered, ...(await this.informRoutine(manager, fugue, now))];
    }
    return [];
  }

  private async openAlert(manager: EntityManager, fugue: FugueEntity, now: Date): Promise<FollowUp[]> {
    if (await this.alerts.findUnresolvedForUpdate(manager, fugue.id)) return [];
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
    return first ? [{ kind: 'step', alertId: alert.id, step: 0, at: first.at }] : [];
  }

  /** Fires the alert's next step if it is due and the alert still open; otherwise does nothing. */
  fireStep(alertId: string, expectedStep?: number, now = this.clock.now()): Promise<FollowUp[]> {
    return this.dataSource.transaction(async (manager) => {
      const alert = await this.alerts.findByIdForUpdate(manager, alertId);
      if (!alert || alert.state !== 'open' || !alert.nextStepAt || alert.nextStepAt > now) return [];
      if (expectedStep !== undefined && expectedStep !== alert.nextStep) return [];
      const step = scheduledStep(alert.policy, alert.openedAt, alert.nextStep);
      if (!step) {
        alert.nextStepAt = null;
        await this.alerts.save(manager, alert);
        return [];
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
      const followUps: FollowUp[] = ids.map((id) => ({ kind: 'send', notificationId: id, attempt: 0, at: now }));
      if (next) followUps.push({ kind: 'step', alertId: alert.id, step: next.step, at: next.at });
      return followUps;
    });
  }

  /** Stops the escalation of the episode's alert and tells everyone already notified. */
  async resolveForFugue(manager: EntityManager, fugue: Pick<FugueEntity, 'id'>, resolution: string, now = this.clock.now()): Promise<FollowUp[]> {
    const alert = await this.alerts.findUnresolvedForUpdate(manager, fugue.id);
    if (!alert) return [];
    alert.state = 'resolved';
    alert.resolvedAt = now;
    alert.resolution = resolution;
    alert.nextStepAt = null;
    await this.alerts.save(manager, alert);
    await this.notifications.cancelPendingAlertNotifications(manager, alert.id, `Alert resolved (${resolution}) before sending`);
    const notified = await this.notifications.findSentForAlert(manager, alert.id);
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
    return ids.map((id) => ({ kind: 'send', notificationId: id, attempt: 0, at: now }));
  }

  private async informRoutine(manager: EntityManager, fugue: FugueEntity, now: Date): Promise<FollowUp[]> {
    const policy = await this.policyFor(fugue.departmentCode, manager);
    const recipients = await this.referents.findRecipients(manager, fugue.departmentCode, fugue.foyerId, policy.routine.notify as ReferentRole[]);
    const rows = notificationRows(recipients, 'routine.information', fugue.id, null, null, false).map((r) => ({
      ...r,
      dedupKey: `routine:${fugue.id}:${r.referentId}:${r.channel}`,
    }));
    const ids = await this.notifications.insertMissing(manager, rows, now);
    if (ids.length > 0) {
      await this.events.append(manager, { fugueId: fugue.id, type: 'routine.notified', at: now, data: { referents: [...new Set(rows.map((r) => r.referentId))], notifications: ids.length } });
    }
    return ids.map((id) => ({ kind: 'send', notificationId: id, attempt: 0, at: now }));
  }
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

