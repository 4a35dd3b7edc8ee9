import type { AlertDetails, PolicyInForce, SavedReferent } from '@vigie/domain';
import type { AlertEntity, NotificationEntity, ReferentEntity } from '@vigie/persistence';

export function referentView(r: ReferentEntity, webhookSecret?: string | null) {
  return {
    id: r.id,
    displayName: r.displayName,
    role: r.role,
    departmentCode: r.departmentCode,
    foyerId: r.foyerId,
    channels: r.channels,
    apiClientId: r.apiClientId,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    ...(webhookSecret ? { webhookSecret } : {}),
  };
}

export const savedReferentView = (s: SavedReferent) => referentView(s.referent, s.webhookSecret);

export function alertSummary(a: AlertEntity) {
  return {
    id: a.id,
    fugueId: a.fugueId,
    departmentCode: a.departmentCode,
    state: a.state,
    openedAt: a.openedAt,
    acknowledgedAt: a.acknowledgedAt,
    acknowledgedBy: a.acknowledgedAt ? { referentId: a.acknowledgedByReferentId, apiClientId: a.acknowledgedByClientId, via: a.acknowledgedVia } : null,
    resolvedAt: a.resolvedAt,
    resolution: a.resolution,
    currentStep: a.lastStep,
    nextStepAt: a.nextStepAt,
  };
}

export function notificationView(n: NotificationEntity) {
  return {
    id: n.id,
    kind: n.kind,
    alertId: n.alertId,
    fugueId: n.fugueId,
    referentId: n.referentId,
    channel: n.channel,
    step: n.step,
    fallback: n.fallback,
    status: n.status,
    attempts: n.attempts,
    nextAttemptAt: n.status === 'pending' ? n.nextAttemptAt : null,
    sentAt: n.sentAt,
    lastError: n.lastError,
  };
}

export function alertView({ alert, notifications }: AlertDetails) {
  return { ...alertSummary(alert), policy: alert.policy, notifications: notifications.map(notificationView) };
}

export const policyView = (p: PolicyInForce) => p;
