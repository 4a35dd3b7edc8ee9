import {
  AlertEntity,
  FoyerEntity,
  FugueDetails,
  FugueEntity,
  NotificationEntity,
  ReferentEntity,
  ReturnInterviewEntity,
  YouthIdentity,
} from '@vigie/persistence';
import { AlertMessageInput, initial, MessageKind } from '@vigie/notifications';
import { revealedLabels } from '../interviews/interview-rules';
import { ageOn, localDateOf } from '../triage/local-time';
import { isDepartedWith } from '../triage/vocabulary';
import { DEPARTED_WITH_WORDS, NEWS_FACT_WORDS, NewsFactType, reasonsInWords, RESOLUTION_WORDS, ROLE_WORDS } from './message-words';

/** What a message may draw on, as read (and decrypted) for one notification. */
export interface MessageSources {
  notification: Pick<NotificationEntity, 'kind' | 'step' | 'referentId' | 'facts'>;
  fugue: FugueEntity;
  /** The decrypted declaration details: only the last-seen place is shown. */
  details: FugueDetails | null;
  identity: YouthIdentity | null;
  department: { name: string; timeZone: string } | null;
  foyer: Pick<FoyerEntity, 'name' | 'phone'> | null;
  alert: AlertEntity | null;
  /** The referents the alert reached (its sent step notifications). */
  alerted: readonly Pick<ReferentEntity, 'id' | 'role' | 'displayName'>[];
  acknowledger: Pick<ReferentEntity, 'role' | 'displayName'> | null;
  interview: ReturnInterviewEntity | null;
  now: Date;
  /** `${VIGIE_PUBLIC_URL}/episodes/{id}`. */
  episodeUrl: string;
  ackUrl?: string;
}

/**
 * The words a notification says, from what it is about. Whatever is not copied here cannot reach
 * a message: the last name gives its initial only; health reasons fold into one line; the
 * profile's health fields, description, photo and the clothing are never read.
 */
export function messageInputOf(s: MessageSources): AlertMessageInput {
  const { notification: n, fugue, identity, alert } = s;
  const timeZone = s.department?.timeZone ?? 'Europe/Paris';
  const onAlert = n.kind === 'alert.notification' || n.kind === 'alert.resolved' || n.kind === 'alert.news';
  const reasons =
    n.kind === 'interview.disclosure'
      ? reasonsInWords(s.interview ? revealedLabels(s.interview) : [])
      : reasonsInWords(fugue.classification?.reasons ?? []);
  return {
    kind: MESSAGE_KINDS[n.kind],
    departmentCode: fugue.departmentCode,
    departmentName: s.department?.name ?? fugue.departmentCode,
    level: fugue.effectiveLevel ?? fugue.classification?.level ?? 'worrying',
    step: n.step ?? 0,
    reasons,
    firstName: identity?.firstName ?? '—',
    lastInitial: identity ? initial(identity.lastName) : '',
    age: identity ? ageOn(identity.birthDate, localDateOf(s.now, timeZone)) : 0,
    episodeUrl: s.episodeUrl,
    ackUrl: s.ackUrl,
    foyerName: s.foyer?.name ?? null,
    foyerPhone: s.foyer?.phone ?? null,
    noticedMissingAt: fugue.noticedMissingAt,
    lastSeenAt: fugue.lastSeenAt,
    lastSeenPlace: s.details?.lastSeenPlace ?? null,
    departedWith: fugue.departedWith && isDepartedWith(fugue.departedWith) ? DEPARTED_WITH_WORDS[fugue.departedWith] : null,
    alerted: onAlert ? s.alerted.filter((r) => r.id !== n.referentId).map((r) => ({ role: ROLE_WORDS[r.role], name: r.displayName })) : undefined,
    acknowledged: onAlert
      ? alert?.acknowledgedAt
        ? { at: alert.acknowledgedAt, by: s.acknowledger ? `${s.acknowledger.displayName} (${ROLE_WORDS[s.acknowledger.role]})` : null }
        : null
      : undefined,
    nextReviewAt: fugue.nextReviewAt,
    resolutionText: alert?.resolution ? RESOLUTION_WORDS[alert.resolution] : undefined,
    news: (n.facts ?? []).map((fact) => ({ at: fact.at, text: NEWS_FACT_WORDS[fact.type as NewsFactType] ?? NEWS_FACT_WORDS.update })),
    timeZone,
    returnedAt: fugue.returnedAt,
    foundBy: fugue.foundBy,
    dueAt: s.interview?.dueAt ?? null,
  };
}

const MESSAGE_KINDS: Record<NotificationEntity['kind'], MessageKind> = {
  'alert.notification': 'alert',
  'alert.resolved': 'resolved',
  'alert.news': 'news',
  'routine.information': 'routine',
  'fugue.returned': 'returned',
  'interview.reminder': 'interview_reminder',
  'interview.overdue': 'interview_overdue',
  'interview.disclosure': 'disclosure',
  'foyer.cluster': 'foyer_cluster',
};
