import { Injectable } from '@nestjs/common';
import { VigieConfig } from '@vigie/config';
import {
  AlertEntity,
  AlertRepository,
  DataCipher,
  DepartmentRepository,
  FoyerRepository,
  FugueDetails,
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
import { AlertMessageInput, EmailSend, emailMessage, SmsSend, smsMessage, WebhookSend } from '@vigie/notifications';
import { AckTokens } from './ack-token';
import { messageInputOf } from './message-input';
import { reasonsInWords } from './message-words';

/** What leaves for one notification: one request to its channel, or why none can leave (a setting missing). */
export type OutgoingNotification = { email: EmailSend } | { sms: SmsSend } | { webhook: WebhookSend } | { notConfigured: string };

/**
 * Builds the message of a notification from what it is about — the episode, the youth, the
 * département, the alert, the return interview — on the notification's channel. Reads only;
 * sending is NotificationSender's.
 */
@Injectable()
export class NotificationMessages {
  constructor(
    private readonly fugues: FugueRepository,
    private readonly youths: YouthRepository,
    private readonly departments: DepartmentRepository,
    private readonly foyers: FoyerRepository,
    private readonly alerts: AlertRepository,
    private readonly notifications: NotificationRepository,
    private readonly referents: ReferentRepository,
    private readonly interviews: ReturnInterviewRepository,
    private readonly cipher: DataCipher,
    private readonly tokens: AckTokens,
    private readonly config: VigieConfig,
  ) {}

  /** `referent` is the notification's, as claimed; `timeoutMs` bounds the wait for an SMS gateway or webhook. */
  async build(n: NotificationEntity, referent: ReferentEntity, now: Date, timeoutMs: number): Promise<OutgoingNotification> {
    const interview = n.kind.startsWith('interview.') ? await this.interviews.findByFugue(n.fugueId) : null;
    const { message, alert } = await this.messageInput(n, now, interview);
    switch (n.channel) {
      case 'email':
        return { email: { to: n.target, ...emailMessage(message), messageId: `<${n.id}@vigie>` } };
      case 'sms':
        if (!this.config.SMS_GATEWAY_URL) return { notConfigured: 'SMS_GATEWAY_URL is not set' };
        return { sms: { gatewayUrl: this.config.SMS_GATEWAY_URL, to: n.target, text: smsMessage(message), timeoutMs } };
      case 'webhook': {
        const secrets = this.webhookSecrets(referent, now);
        if (secrets.length === 0) return { notConfigured: 'the referent has no webhook secret' };
        return {
          webhook: {
            url: n.target,
            secrets,
            eventId: n.id,
            type: WEBHOOK_TYPES[n.kind],
            data: webhookData(n, message, alert, interview),
            allowPrivate: this.config.VIGIE_ALLOW_PRIVATE_WEBHOOK_TARGETS,
            occurredAt: n.createdAt,
            timeoutMs,
          },
        };
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

  private async messageInput(n: NotificationEntity, now: Date, interview: ReturnInterviewEntity | null): Promise<{ message: AlertMessageInput; alert: AlertEntity | null }> {
    const fugue = await this.fugues.findById(n.fugueId);
    if (!fugue) throw new Error('episode not found');
    const youth = await this.youths.findById(fugue.youthId);
    const identity = youth ? this.cipher.decryptOptional<YouthIdentity>(youth.identityEnc, slot('youths', 'identity_enc', youth.id)) : null;
    const details = this.cipher.decryptOptional<FugueDetails>(fugue.detailsEnc, slot('fugues', 'details_enc', fugue.id));
    const department = await this.departments.findByCode(fugue.departmentCode);
    const foyer = await this.foyers.findById(fugue.foyerId);
    const alert = n.alertId ? await this.alerts.findById(n.alertId) : null;
    // Who the alert reached or is reaching: its step notifications sent or on their way (the same step's included).
    const reached = alert ? (await this.notifications.findByAlert(alert.id)).filter((x) => x.kind === 'alert.notification' && x.status !== 'cancelled' && x.status !== 'failed') : [];
    const alertedIds = [...new Set(reached.map((x) => x.referentId))];
    const people = await this.referents.findByIds([...alertedIds, ...(alert?.acknowledgedByReferentId ? [alert.acknowledgedByReferentId] : [])]);
    const publicUrl = this.config.VIGIE_PUBLIC_URL.replace(/\/$/, '');
    const message = messageInputOf({
      notification: n,
      fugue,
      details,
      identity,
      department: department ? { name: department.name, timeZone: department.timeZone ?? 'Europe/Paris' } : null,
      foyer,
      alert,
      alerted: people.filter((r) => alertedIds.includes(r.id)),
      acknowledger: people.find((r) => r.id === alert?.acknowledgedByReferentId) ?? null,
      interview,
      now,
      episodeUrl: `${publicUrl}/episodes/${fugue.id}`,
      ackUrl: n.kind === 'alert.notification' && n.alertId ? `${publicUrl}/a/${this.tokens.sign(n.alertId, n.referentId, now)}` : undefined,
    });
    return { message, alert };
  }
}

/** Thin data only: ids, codes, levels and times. */
export function webhookData(n: NotificationEntity, m: AlertMessageInput, alert: AlertEntity | null, interview: ReturnInterviewEntity | null): Record<string, unknown> {
  switch (n.kind) {
    case 'alert.notification':
      return { alertId: n.alertId, fugueId: n.fugueId, departmentCode: m.departmentCode, level: m.level, step: n.step, reasonCodes: m.reasons.map((r) => r.code), ackUrl: m.ackUrl, episodeUrl: m.episodeUrl };
    case 'alert.resolved':
      return { alertId: n.alertId, fugueId: n.fugueId, resolution: alert?.resolution ?? null, episodeUrl: m.episodeUrl };
    case 'alert.news':
      return { alertId: n.alertId, fugueId: n.fugueId, departmentCode: m.departmentCode, level: m.level, facts: n.facts ?? [], episodeUrl: m.episodeUrl };
    case 'routine.information':
      return { fugueId: n.fugueId, departmentCode: m.departmentCode, level: m.level, reasonCodes: m.reasons.map((r) => r.code), nextReviewAt: m.nextReviewAt ?? null, episodeUrl: m.episodeUrl };
    case 'fugue.returned':
      return { fugueId: n.fugueId, departmentCode: m.departmentCode, returnedAt: m.returnedAt ?? null, foundBy: m.foundBy ?? null, episodeUrl: m.episodeUrl };
    case 'interview.reminder':
    case 'interview.overdue':
      return { interviewId: interview?.id ?? null, fugueId: n.fugueId, departmentCode: m.departmentCode, dueAt: m.dueAt ?? null, episodeUrl: m.episodeUrl };
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
        exploitationIndicators: reasonsInWords((interview?.exploitationIndicators ?? []).map((code) => ({ code }))).map((r) => r.code),
        referrals: interview?.referrals ?? [],
        episodeUrl: m.episodeUrl,
      };
    case 'foyer.cluster':
      return { fugueId: n.fugueId, departmentCode: m.departmentCode, episodeUrl: m.episodeUrl };
  }
}

/** The `type` of a referent webhook: the interview notices read like the outbound event names. */
const WEBHOOK_TYPES: Record<NotificationEntity['kind'], string> = {
  'alert.notification': 'alert.notification',
  'alert.resolved': 'alert.resolved',
  'alert.news': 'alert.news',
  'routine.information': 'fugue.routine_information',
  'fugue.returned': 'fugue.returned',
  'interview.reminder': 'return_interview.reminder',
  'interview.overdue': 'return_interview.overdue',
  'interview.disclosure': 'return_interview.disclosure',
  'foyer.cluster': 'foyer.cluster',
};
