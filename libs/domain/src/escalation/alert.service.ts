import { Injectable } from '@nestjs/common';
import {
  AlertEntity,
  AlertListFilter,
  AlertRepository,
  AlertScope,
  DataCipher,
  FugueEventRepository,
  NotificationEntity,
  NotificationRepository,
  Page,
  ReferentRepository,
  slot,
} from '@vigie/persistence';
import { Caller, fugueScope, requireRole } from '../access/caller';
import { DomainError } from '../errors/domain-error';
import { WebhookEventService } from '../webhooks/webhook-event.service';
import { Clock } from '../clock/clock';
import { UnitOfWork } from '../unit-of-work/unit-of-work';

export interface AlertDetails {
  alert: AlertEntity;
  notifications: NotificationEntity[];
}

/** Who acknowledges: an API caller, or a referent through a signed link. */
export type Acknowledger = { via: 'api'; caller: Caller } | { via: 'link'; referentId: string };

@Injectable()
export class AlertService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly alerts: AlertRepository,
    private readonly notifications: NotificationRepository,
    private readonly referents: ReferentRepository,
    private readonly events: FugueEventRepository,
    private readonly cipher: DataCipher,
    private readonly webhooks: WebhookEventService,
    private readonly clock: Clock,
  ) {}

  listAlerts(caller: Caller, filter: AlertListFilter, limit: number, cursor: string | null): Promise<Page<AlertEntity>> {
    return this.alerts.list(alertScope(caller), filter, limit, cursor);
  }

  async getAlert(caller: Caller, id: string): Promise<AlertDetails> {
    const found = await this.alerts.findByIdWithEpisodeLevel(id);
    if (!found || !canSeeAlert(caller, found.alert, found.episodeLevel)) throw DomainError.notFound('Alert');
    return { alert: found.alert, notifications: await this.notifications.findByAlert(id) };
  }

  /**
   * Stops the escalation: later steps do not fire and pending step notifications are not sent.
   * Idempotent: acknowledging an acknowledged alert changes nothing and answers the same.
   */
  async acknowledgeAlert(id: string, by: Acknowledger, note?: string | null, now = this.clock.now()): Promise<AlertEntity> {
    if (by.via === 'api') requireRole(by.caller, ['admin', 'foyer', 'police', 'child_protection']);
    return this.uow.run(async (work) => {
      const { manager } = work;
      const alert = await this.alerts.findByIdForUpdate(manager, id);
      // The hotline may not acknowledge (above): the episode's level does not matter to those who may.
      if (!alert || (by.via === 'api' && !canSeeAlert(by.caller, alert, null))) throw DomainError.notFound('Alert');
      const linkReferent = by.via === 'link' ? await this.referents.findActive(by.referentId, manager) : null;
      if (by.via === 'link' && !linkReferent) throw DomainError.notFound('Acknowledgement link');
      if (alert.state === 'acknowledged') return alert;
      if (alert.state === 'resolved') throw DomainError.transition('This alert is already resolved: the episode has ended');
      const referentId = by.via === 'link' ? by.referentId : ((await this.referents.findByApiClient(by.caller.clientId))?.id ?? null);
      alert.state = 'acknowledged';
      alert.acknowledgedAt = now;
      alert.acknowledgedVia = by.via;
      alert.acknowledgedByReferentId = referentId;
      alert.acknowledgedByClientId = by.via === 'api' ? by.caller.clientId : null;
      alert.acknowledgementNoteEnc = note ? this.cipher.encrypt({ note }, slot('alerts', 'acknowledgement_note_enc', alert.id)) : null;
      alert.nextStepAt = null;
      await this.alerts.save(manager, alert);
      const cancelled = await this.notifications.cancelPendingAlertNotifications(manager, alert.id, 'Alert acknowledged before sending');
      // The acknowledger's role: the referent's through a link, the caller's otherwise. In the
      // timeline too, where every reader of the episode learns who took the alert in hand.
      const role = by.via === 'link' ? linkReferent?.role : by.caller.role;
      await this.events.append(manager, {
        fugueId: alert.fugueId,
        type: 'alert.acknowledged',
        at: now,
        actorId: by.via === 'api' ? by.caller.clientId : null,
        data: { alertId: alert.id, via: by.via, referentId, role, afterStep: alert.lastStep, cancelledNotifications: cancelled },
        private: note ? { note } : null,
      });
      await this.webhooks.emit(
        work,
        'alert.acknowledged',
        { alertId: alert.id, fugueId: alert.fugueId, acknowledgedAt: now.toISOString(), role },
        { departmentCode: alert.departmentCode, level: 'worrying' },
      );
      return alert;
    });
  }
}

/**
 * Alerts follow the scope of their episode: its foyer and département, and for the hotline, which
 * reads worrying episodes only, the episode's level now (an episode brought back to routine hides
 * its alerts too).
 */
export function alertScope(caller: Caller): AlertScope {
  const scope = fugueScope(caller);
  return { foyerIds: scope.foyerIds, departmentCodes: scope.departmentCodes, worryingOnly: scope.worryingOnly };
}

/** `episodeLevel` is the effective level of the alert's episode; it matters to the hotline only. */
export function canSeeAlert(caller: Caller, alert: Pick<AlertEntity, 'foyerId' | 'departmentCode'>, episodeLevel: string | null): boolean {
  const scope = alertScope(caller);
  if (scope.foyerIds && !scope.foyerIds.includes(alert.foyerId)) return false;
  if (scope.departmentCodes && !scope.departmentCodes.includes(alert.departmentCode)) return false;
  if (scope.worryingOnly && episodeLevel !== 'worrying') return false;
  return true;
}
