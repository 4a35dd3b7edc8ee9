import type { ConnectionsInput } from '../links/connections';
import type { InterviewAnswers, InterviewOutcome, ReturnInterviewEntity } from '@vigie/persistence';
import type { FieldProblem } from '../errors/domain-error';
import { MAX_FUTURE_MS } from '../fugues/fugue.types';
import { indicatorLabel, isExploitationIndicatorCode } from '../triage/vocabulary';

const HOUR_MS = 3600_000;

/** An interview is due 72 h after the return (integrations.md § Return interview). */
export const INTERVIEW_DUE_AFTER_MS = 72 * HOUR_MS;
/** Foyer duty is reminded 24 h before the due time. */
export const INTERVIEW_REMINDER_BEFORE_MS = 24 * HOUR_MS;

export function interviewDeadlines(returnedAt: Date): { dueAt: Date; reminderDueAt: Date } {
  const dueAt = new Date(returnedAt.getTime() + INTERVIEW_DUE_AFTER_MS);
  return { dueAt, reminderDueAt: new Date(dueAt.getTime() - INTERVIEW_REMINDER_BEFORE_MS) };
}

/** What PUT /v1/return-interviews/{id} records, once the edge has checked types and codes. */
export interface RecordInterviewInput {
  outcome: InterviewOutcome;
  conductedAt?: Date | null;
  conductedBy?: string | null;
  interviewerIndependent?: boolean | null;
  whereabouts?: string | null;
  companions?: string | null;
  transport?: string | null;
  resources?: string | null;
  pushFactors?: string[];
  pullFactors?: string[];
  exploitationIndicators?: string[];
  disclosures?: { sexualExploitation?: boolean; violence?: boolean; sexualViolence?: boolean } | null;
  substanceUse?: boolean | null;
  healthNeeds?: string | null;
  youthWishes?: string | null;
  safetyAdviceGiven?: boolean | null;
  referrals?: string[];
  /** Why the interview was not held: required for `not_held`, refused otherwise. */
  reason?: string | null;
  /** Structured facts (spec/links.md), appended to the episode's. */
  connections?: ConnectionsInput | null;
}

/**
 * The rules between fields: a completed interview says when, by whom and whether the interviewer
 * was independent; a `not_held` one says why and has no time; the time lies between the return
 * and now. Every problem is reported at once.
 */
export function recordProblems(input: RecordInterviewInput, returnedAt: Date, now: Date): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const missing = (field: string, why: string) => problems.push({ field, message: `is required ${why}` });
  if (input.outcome === 'completed') {
    if (!input.conductedAt) missing('conductedAt', 'when the interview was completed');
    if (!input.conductedBy) missing('conductedBy', 'when the interview was completed');
    if (input.interviewerIndependent === undefined || input.interviewerIndependent === null) missing('interviewerIndependent', 'when the interview was completed');
  }
  if (input.outcome === 'not_held') {
    if (!input.reason) missing('reason', 'when the interview was not held');
    if (input.conductedAt) problems.push({ field: 'conductedAt', message: 'must be absent when the interview was not held' });
  } else if (input.reason) {
    problems.push({ field: 'reason', message: 'is only for outcome not_held' });
  }
  if (input.conductedAt) {
    if (input.conductedAt.getTime() > now.getTime() + MAX_FUTURE_MS) problems.push({ field: 'conductedAt', message: 'must not be in the future' });
    else if (input.conductedAt < returnedAt) problems.push({ field: 'conductedAt', message: 'must not be before the return' });
  }
  return problems;
}

/** A disclosure of sexual exploitation or violence, or any exploitation indicator: the disclosure roles are told at once. */
export function revealsDanger(input: Pick<RecordInterviewInput, 'disclosures' | 'exploitationIndicators'>): boolean {
  const d = input.disclosures;
  return !!(d?.sexualExploitation || d?.violence || d?.sexualViolence) || (input.exploitationIndicators?.length ?? 0) > 0;
}

/** The referrals to store: as given, without duplicates, with SIGNALEMENT_PROCUREUR added after a disclosure. */
export function referralsToStore(input: Pick<RecordInterviewInput, 'referrals' | 'disclosures' | 'exploitationIndicators'>): { referrals: string[]; signalementAdded: boolean } {
  const referrals = [...new Set(input.referrals ?? [])];
  const signalementAdded = revealsDanger(input) && !referrals.includes('SIGNALEMENT_PROCUREUR');
  return { referrals: signalementAdded ? [...referrals, 'SIGNALEMENT_PROCUREUR'] : referrals, signalementAdded };
}

/** The free-text answers, encrypted together; nothing else carries them. */
export function answersOf(input: RecordInterviewInput): InterviewAnswers {
  return {
    conductedBy: input.conductedBy,
    whereabouts: input.whereabouts,
    companions: input.companions,
    transport: input.transport,
    resources: input.resources,
    healthNeeds: input.healthNeeds,
    youthWishes: input.youthWishes,
    reason: input.reason,
  };
}

const DISCLOSURE_LABELS = {
  SEXUAL_EXPLOITATION: 'Exploitation sexuelle',
  VIOLENCE: 'Violences',
  SEXUAL_VIOLENCE: 'Violences sexuelles',
} as const;

/** What a recorded interview revealed, in words for the people notified: codes and labels, never free text. */
export function revealedLabels(
  interview: Pick<ReturnInterviewEntity, 'disclosedSexualExploitation' | 'disclosedViolence' | 'disclosedSexualViolence' | 'exploitationIndicators'>,
): { code: string; label: string }[] {
  const revealed: { code: string; label: string }[] = [];
  if (interview.disclosedSexualExploitation) revealed.push({ code: 'SEXUAL_EXPLOITATION', label: DISCLOSURE_LABELS.SEXUAL_EXPLOITATION });
  if (interview.disclosedSexualViolence) revealed.push({ code: 'SEXUAL_VIOLENCE', label: DISCLOSURE_LABELS.SEXUAL_VIOLENCE });
  if (interview.disclosedViolence) revealed.push({ code: 'VIOLENCE', label: DISCLOSURE_LABELS.VIOLENCE });
  for (const code of interview.exploitationIndicators) {
    if (isExploitationIndicatorCode(code)) revealed.push({ code, label: indicatorLabel(code) });
  }
  return revealed;
}
