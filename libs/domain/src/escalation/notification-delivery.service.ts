import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { VigieConfig } from '@vigie/config';
import {
  AlertRepository,
  DataCipher,
  DepartmentRepository,
  FugueEventRepository,
  FugueRepository,
  NotificationEntity,
  NotificationRepository,
  ReferentEntity,
  ReferentRepository,
  ReturnInterviewEntity,
  ReturnInterviewRepository,
  slot,
  YouthIdentity,
  YouthRepository,
} from '@vigie/persistence';
import { AlertMessageInput, DeliveryResult, EmailChannel, emailMessage, MessageKind, SmsChannel, smsMessage, WebhookChannel } from '@vigie/notifications';
import { revealedLabels } from '../interviews/interview-rules';
import { ageOn, localDateOf } from '../triage/local-time';
import { isRuleCode, ruleDefinition } from '../triage/vocabulary';
import { AckTokens } from './ack-token';
import { FollowUp } from './escalation-jobs';
import { Clock } from '../clock/clock';
import { errorSummary } from '../errors/database-errors';

/** Failed sends retry after 1 s, 5 s, 30 s, 2 min, 10 min, then every 30 min, for 24 h (integrations.md). */
const RETRY_DELAYS_MS = [1000, 5000, 30_000, 120_000, 600_000];
const RETRY_EVERY_MS = 1_800_000;

export function retryDelayMs(attemptsMade: number): number {
  return RETRY_DELAYS_MS[attemptsMade - 1] ?? RETRY_EVERY_MS;
}

/**
 * Delivers one notification, at most once. The row is claimed (`sending`) and committed before
 * the message leaves; a process that dies mid-send leaves it `sending`, and the sweep fails it
 * into the dead-letter list instead of sending it again.
 */
@Injectable()
export class NotificationDeliveryService {
  private readonly logger = new Logger(NotificationDeliveryService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly notifications: NotificationRepository,
    private readonly alerts: AlertRepository,
    private readonly referents: ReferentRepository,
    private readonly fugues: FugueRepository,
    private readonly youths: YouthRepository,
    private readonly departments: DepartmentRepository,
    private readonly events: FugueEventRepository,
    private readonly interviews: ReturnInterviewRepository,
    private readonly cipher: DataCipher,
    private readonly tokens: AckTokens,
    private readonly config: VigieConfig,
    private readonly email: EmailChannel,
    private readonly sms: SmsChannel,
    private readonly webhook: WebhookChannel,
    private readonly clock: Clock,
  ) {}

  async deliver(notificationId: string, now = this.clock.now()): Promise<FollowUp[]> {
    const claimed = await this.claim(notificationId, now);
    if (!claimed) return [];
    const { notification, referent } = claimed;
    let result: DeliveryResult;
    try {
      result = await this.send(notification, referent, now);
    } catch (error) {
      result = { ok: false, error: `could not build the message: ${errorSummary(error)}`, durationMs: 0 };
    }
    return this.finish(notification.id, result);
  }

  /** Locks the row; only a due, pending notification whose alert still escalates is claimed. */
  private claim(id: string, now: Date): Promise<{ notification: NotificationEntity; referent: ReferentEntity } | null> {
    return this.dataSource.transaction(async (manager) => {
      const n = await this.notifications.findByIdForUpdate(manager, id);
      if (!n || n.status !== 'pending' || n.nextAttemptAt > now) return null;
      const cancel = async (reason: string) => {
        n.status = 'cancelled';
        n.lastError = reason;
        await this.notifications.save(manager, n);
        return null;
      };
      if (n.kind === 'alert.notification') {
        const alert = await this.alerts.findById(n.alertId as string, manager);
        if (!alert || alert.state !== 'open') return cancel(`Alert ${alert?.state ?? 'gone'} before sending`);
      }
      if (n.kind === 'interview.reminder' || n.kind === 'interview.overdue') {
        const interview = await this.interviews.findByFugue(n.fugueId, manager);
        if (!interview || interview.status !== 'scheduled') return cancel('Return interview recorded before sending');
      }
      const referent = await this.referents.findActive(n.referentId, manager);
      if (!referent) return cancel('Referent removed before sending');
      n.status = 'sending';
      n.sendingSince = this.clock.now();
      n.attempts += 1;
      await this.notifications.save(manager, n);
      return { notification: n, referent };
    });
  }

  private finish(id: string, result: DeliveryResult): Promise<FollowUp[]> {
    return this.dataSource.transaction(async (manager) => {
      const n = await this.notifications.findByIdForUpdate(manager, id);
      if (!n || n.status !== 'sending') return [];
      n.sendingSince = null;
      const now = this.clock.now();
      if (result.ok) {
        n.status = 'sent';
        n.sentAt = now;
        n.lastError = null;
        await this.notifications.save(manager, n);
        await this.events.append(manager, { fugueId: n.fugueId, type: 'notification.sent', at: now, data: eventData(n) });
        return [];
      }
      n.lastError = (result.error ?? `status ${result.status}`).slice(0, 500);
      const retryAt = new Date(now.getTime() + retryDelayMs(n.attempts));
      if (retryAt <= n.retryUntil && !result.error?.startsWith('not configured')) {
        n.status = 'pending';
        n.nextAttemptAt = retryAt;
        await this.notifications.save(manager, n);
        return [{ kind: 'send', notificationId: n.id, attempt: n.attempts, at: retryAt }];
      }
      n.status = 'failed';
      await this.notifications.save(manager, n);
      await this.events.append(manager, { fugueId: n.fugueId, type: 'notification.failed', at: now, data: { ...eventData(n), error: n.lastError } });
      this.logger.error(`Notification ${n.id} (${n.channel}) failed for good after ${n.attempts} attempts; it is in the dead-letter list`);
      return [];
    });
  }

  private async send(n: NotificationEntity, referent: ReferentEntity, now: Date): Promise<DeliveryResult> {
    const timeoutMs = this.config.VIGIE_DELIVERY_TIMEOUT_MS;
    const interview = n.kind.startsWith('interview.') ? await this.interviews.findByFugue(n.fugueId) : null;
    const message = await this.messageInput(n, now, interview);
    switch (n.channel) {
      case 'email': {
        const mail = emailMessage(message);
        return this.email.send({ to: n.target, ...mail, messageId: `<${n.id}@vigie>` });
      }
      case 'sms':
        if (!this.config.SMS_GATEWAY_URL) return { ok: false, error: 'not configured: SMS_GATEWAY_URL is not set', durationMs: 0 };
        return this.sms.send({ gatewayUrl: this.config.SMS_GATEWAY_URL, to: n.target, text: smsMessage(message), timeoutMs });
      case 'webhook': {
        const secrets = this.webhookSecrets(referent, now);
        if (secrets.length === 0) return { ok: false, error: 'not configured: the referent has no webhook secret', durationMs: 0 };
        return this.webhook.send({
          url: n.target,
          secrets,
          eventId: n.id,
          type: webhookType(n),
          data: this.webhookData(n, message, interview),
          allowPrivate: this.config.VIGIE_ALLOW_PRIVATE_WEBHOOK_TARGETS,
          occurredAt: n.createdAt,
          timeoutMs,
        });
      }
    }
  }

  /** The referent's webhook secret, and the previous one while a rotation is in its 24 h overlap: one signature each. */
  private webhookSecrets(referent: ReferentEntity, at: Date): string[] {
    const current = this.cipher.decryptOptional<string>(referent.webhookSecretEnc, slot('referents', 'webhook_secret_enc', referent.id));
    if (!current) return [];
    const secrets = [current];
    if (referent.previousWebhookSecretEnc && referent.previousWebhookSecretExpiresAt && referent.previousWebhookSecretExpiresAt > at) {
      secrets.push(this.cipher.decrypt<string>(referent.previousWebhookSecretEnc, slot('referents', 'previous_webhook_secret_enc', referent.id)));
    }
    return secrets;
  }

  /** Thin data only: ids, codes, levels and times. */
  private webhookData(n: NotificationEntity, m: AlertMessageInput, interview: ReturnInterviewEntity | null): Record<string, unknown> {
    switch (n.kind) {
      case 'alert.notification':
        return { alertId: n.alertId, fugueId: n.fugueId, departmentCode: m.departmentCode, level: m.level, step: n.step, reasonCodes: m.reasons.map((r) => r.code), ackUrl: m.ackUrl };
      case 'alert.resolved':
        return { alertId: n.alertId, fugueId: n.fugueId, resolution: m.resolution };
      case 'routine.information':
        return { fugueId: n.fugueId, departmentCode: m.departmentCode, level: m.level, reasonCodes: m.reasons.map((r) => r.code), nextReviewAt: m.nextReviewAt ?? null };
      case 'fugue.returned':
        return { fugueId: n.fugueId, departmentCode: m.departmentCode, returnedAt: m.returnedAt ?? null, foundBy: m.foundBy ?? null };
      case 'interview.reminder':
      case 'interview.overdue':
        return { interviewId: interview?.id ?? null, fugueId: n.fugueId, departmentCode: m.departmentCode, dueAt: m.dueAt ?? null };
      case 'interview.disclosure':
        return {
          interviewId: interview?.id ?? null,
          fugueId: n.fugueId,
          departmentCode: m.departmentCode,
          disclosures: {
            sexualExploitation: interview?.disclosedSexualExploitation ?? false,
            violence: interview?.disclosedViolence ?? false,
            sexualViolence: interview?.disclosedSexualViolence ?? false,
          },
          exploitationIndicators: interview?.exploitationIndicators ?? [],
          referrals: interview?.referrals ?? [],
        };
    }
  }

  private async messageInput(n: NotificationEntity, now: Date, interview: ReturnInterviewEntity | null): Promise<AlertMessageInput> {
    const fugue = await this.fugues.findById(n.fugueId);
    if (!fugue) throw new Error('episode not found');
    const youth = await this.youths.findById(fugue.youthId);
    const identity = youth ? this.cipher.decryptOptional<YouthIdentity>(youth.identityEnc, slot('youths', 'identity_enc', youth.id)) : null;
    const department = await this.departments.findByCode(fugue.departmentCode);
    const timeZone = department?.timeZone ?? 'Europe/Paris';
    const alert = n.alertId ? await this.alerts.findById(n.alertId) : null;
    const reasons =
      n.kind === 'interview.disclosure'
        ? (interview ? revealedLabels(interview) : [])
        : (fugue.classification?.reasons ?? []).map((r) => ({ code: r.code, label: isRuleCode(r.code) ? ruleDefinition(r.code).label : r.code }));
    return {
      kind: MESSAGE_KINDS[n.kind],
      departmentCode: fugue.departmentCode,
      departmentName: department?.name ?? fugue.departmentCode,
      level: fugue.effectiveLevel ?? fugue.classification?.level ?? 'worrying',
      step: n.step ?? 0,
      reasons,
      firstName: identity?.firstName ?? '—',
      lastName: identity?.lastName ?? '—',
      age: identity ? ageOn(identity.birthDate, localDateOf(now, timeZone)) : 0,
      ackUrl: n.kind === 'alert.notification' && n.alertId ? `${this.config.VIGIE_PUBLIC_URL.replace(/\/$/, '')}/a/${this.tokens.sign(n.alertId, n.referentId, now)}` : undefined,
      nextReviewAt: fugue.nextReviewAt,
      resolution: alert?.resolution ?? undefined,
      timeZone,
      returnedAt: fugue.returnedAt,
      foundBy: fugue.foundBy,
      dueAt: interview?.dueAt ?? null,
    };
  }
}

const MESSAGE_KINDS: Record<NotificationEntity['kind'], MessageKind> = {
  'alert.notification': 'alert',
  'alert.resolved': 'resolved',
  'routine.information': 'routine',
  'fugue.returned': 'returned',
  'interview.reminder': 'interview_reminder',
  'interview.overdue': 'interview_overdue',
  'interview.disclosure': 'disclosure',
};

/** The `type` of a referent webhook: the interview notices read like the outbound event names. */
const WEBHOOK_TYPES: Record<NotificationEntity['kind'], string> = {
  'alert.notification': 'alert.notification',
  'alert.resolved': 'alert.resolved',
  'routine.information': 'fugue.routine_information',
  'fugue.returned': 'fugue.returned',
  'interview.reminder': 'return_interview.reminder',
  'interview.overdue': 'return_interview.overdue',
  'interview.disclosure': 'return_interview.disclosure',
};

function webhookType(n: NotificationEntity): string {
  return WEBHOOK_TYPES[n.kind];
}

function eventData(n: NotificationEntity): Record<string, unknown> {
  return { notificationId: n.id, kind: n.kind, alertId: n.alertId, step: n.step, referentId: n.referentId, channel: n.channel, attempts: n.attempts };
}
