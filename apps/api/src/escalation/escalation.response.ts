import type { AlertDetails, Caller, PolicyInForce, SavedReferent } from '@vigie/domain';
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

const EMAIL = /[^\s<>()"',;:]+@[^\s<>()"',;:]+/g;
const URL_LIKE = /\b[a-z][a-z0-9+.-]*:\/\/[^\s<>"']+/gi;
/** A run of digits and separators; a phone number when it holds 8 digits or more (not `550 5.1.1`). */
const DIGIT_RUN = /\+?\d[\d ().-]{6,}\d/g;

/**
 * A delivery error as a non-administrator may read it: SMTP servers and gateways quote the
 * recipient's e-mail address, phone number or URL, which only an administrator (who manages
 * referents) needs.
 */
export function withoutAddresses(text: string | null): string | null {
  if (text === null) return null;
  return text
    .replace(EMAIL, '[address]')
    .replace(URL_LIKE, '[address]')
    .replace(DIGIT_RUN, (run) => (run.replace(/\D/g, '').length >= 8 ? '[address]' : run));
}

/** `fullErrors`: the caller administers Vigie and sees delivery errors as they came. */
export function notificationView(n: NotificationEntity, fullErrors = true) {
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
    lastError: fullErrors ? n.lastError : withoutAddresses(n.lastError),
  };
}

export function alertView({ alert, notifications }: AlertDetails, caller: Pick<Caller, 'role'>) {
  const fullErrors = caller.role === 'admin';
  return { ...alertSummary(alert), policy: alert.policy, notifications: notifications.map((n) => notificationView(n, fullErrors)) };
}

export const policyView = (p: PolicyInForce) => p;
