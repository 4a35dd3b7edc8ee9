import { ageOn, localDateOf, localTimeOf } from './local-time';
import {
  Classification,
  HistoryEpisode,
  Reason,
  ReasonSource,
  RULESET_VERSION,
  TriageEpisode,
  TriageInput,
} from './triage.types';
import { isExploitationIndicatorCode, isIndicatorCode, isVulnerabilityCode, ruleDefinition, RuleCode } from './vocabulary';

// Ruleset 2026.1 as written in spec/risk-model.md; any change here needs a new RULESET_VERSION.

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const WORRYING_SCORE = 4;

type ObservedSource = 'report' | 'update' | 'hotline' | 'link' | 'youth';
type Finding = readonly [RuleCode, ReasonSource | null];

/** When several sources gave a code, the reason names the first of them in this order. */
// `link` (spec/links.md: an indicator a link to another episode added) comes after the sources of risk-model.md.
const SOURCE_PRECEDENCE: readonly ObservedSource[] = ['report', 'update', 'hotline', 'link', 'youth'];

const EPISODE: readonly ObservedSource[] = ['report', 'update', 'hotline'];
const FOYER_ONLY: readonly ObservedSource[] = ['report', 'update'];
const ANY: readonly ObservedSource[] = ['report', 'update', 'hotline', 'youth'];
const PROFILE: readonly ObservedSource[] = ['youth'];

// The sources each observed code may come from, as risk-model.md lists them. A code seen only
// elsewhere does not count: ALLOWANCE_UNUSED told by the hotline, DISABILITY sent as an indicator.
const OBSERVED_RULES: ReadonlyArray<readonly [RuleCode, readonly ObservedSource[]]> = [
  ['DISABILITY', PROFILE],
  ['SUICIDE_RISK', EPISODE],
  ['THIRD_PARTY_DANGER', EPISODE],
  ['EXPLOITATION_KNOWN', EPISODE],
  ['PEER_EXPLOITED', [...EPISODE, 'link']],
  ['CLOTHING_LIFESTYLE_CHANGE', EPISODE],
  ['UNEXPLAINED_MONEY_OR_GIFTS', EPISODE],
  ['MULTIPLE_PHONES', EPISODE],
  ['VEHICLE_NEAR_FOYER', EPISODE],
  ['OLDER_PARTNER', EPISODE],
  ['ONLINE_SOLICITATION', EPISODE],
  ['HOTEL_OR_RENTAL', EPISODE],
  ['VIOLENCE_SIGNS', EPISODE],
  ['PREGNANCY_OR_STI', EPISODE],
  ['ALLOWANCE_UNUSED', FOYER_ONLY],
  ['BEHAVIOUR_CHANGE', EPISODE],
  ['SCHOOL_DROPOUT', ANY],
  ['SUBSTANCE_USE', ANY],
  ['HISTORY_SEXUAL_VIOLENCE', PROFILE],
  ['HISTORY_FAMILY_VIOLENCE', PROFILE],
  ['UNACCOMPANIED_MINOR', PROFILE],
  ['ERRANCE', PROFILE],
  ['ADVERSE_WEATHER', FOYER_ONLY],
];

export type TriagePreviewInput = Omit<TriageInput, 'history'>;

/** Pure and deterministic: the same input always gives the same classification. */
export function classify(input: TriageInput): Classification {
  const { now, timeZone, youth, episode } = input;
  const t0 = episode.noticedMissingAt.getTime();
  const age = ageOn(youth.birthDate, localDateOf(episode.noticedMissingAt, timeZone));
  // The delay after which LONG_ABSENCE holds is also the routine episode's review time.
  const longAbsenceAfter = (age < 15 ? 24 : 48) * HOUR_MS;
  const end = endOf(episode);
  const departureHour = localTimeOf(episode.lastSeenAt ?? episode.noticedMissingAt, timeZone).hour;

  const findings: Finding[] = [
    ['AGE_UNDER_13', age < 13 ? 'computed' : null],
    ['AGE_13_14', age >= 13 && age <= 14 ? 'computed' : null],
    ['VITAL_TREATMENT', youth.vitalTreatment === true ? 'youth' : null],
    ['STAFF_CONCERN', staffConcernSource(episode)],
    ['LONG_ABSENCE', (end ?? now.getTime()) - t0 >= longAbsenceAfter ? 'computed' : null],
    ['NIGHT_DEPARTURE', departureHour >= 22 || departureHour < 6 ? 'computed' : null],
    ['LEFT_WITHOUT_MEANS', episode.belongings?.phone === false && episode.belongings?.money === false ? 'report' : null],
    ...observedFindings(input),
    ...historyFindings(t0, input.history),
  ];

  const reasons = findings
    .filter((finding): finding is readonly [RuleCode, ReasonSource] => finding[1] !== null)
    .map(([code, source]): Reason => {
      const { kind, weight } = ruleDefinition(code);
      return { code, kind, weight, source };
    })
    .sort(compareReasons);
  const score = reasons.reduce((sum, reason) => sum + (reason.kind === 'aggravating' ? (reason.weight ?? 0) : 0), 0);
  const level = reasons.some((reason) => reason.kind === 'critical') || score >= WORRYING_SCORE ? 'worrying' : 'routine';

  return {
    level,
    score,
    reasons,
    rulesetVersion: RULESET_VERSION,
    evaluatedAt: now.toISOString(),
    nextReviewAt: level === 'routine' && end === null ? new Date(t0 + longAbsenceAfter).toISOString() : null,
  };
}

/** POST /v1/triage/preview: the same rules with no history, so history factors never hold. */
export function previewClassification(input: TriagePreviewInput): Classification {
  return classify({ ...input, history: { otherEpisodes: [], interviews: [] } });
}

function endOf(episode: Pick<TriageEpisode, 'locatedAt' | 'returnedAt'>): number | null {
  const ends = [episode.locatedAt, episode.returnedAt].filter((at): at is Date => at !== null);
  return ends.length === 0 ? null : Math.min(...ends.map((at) => at.getTime()));
}

// The latest explicit judgement wins, so staff can lower a concern they raised; the hotline
// is not foyer staff and cannot do either.
function staffConcernSource(episode: TriageEpisode): ReasonSource | null {
  let latest: { worrying: boolean; source: ReasonSource } | null = episode.staffConcern
    ? { worrying: episode.staffConcern.worrying, source: 'report' }
    : null;
  for (const update of episode.updates) {
    if (update.source === 'update' && update.staffConcern) {
      latest = { worrying: update.staffConcern.worrying, source: 'update' };
    }
  }
  return latest?.worrying === true ? latest.source : null;
}

function observedFindings({ youth, episode }: TriageInput): Finding[] {
  const seen = new Map<string, Set<ObservedSource>>();
  const see = (code: string, source: ObservedSource) => {
    const sources = seen.get(code) ?? new Set<ObservedSource>();
    seen.set(code, sources.add(source));
  };
  // Unknown codes are dropped, not rejected: validation belongs to the edge.
  episode.indicators.filter(isIndicatorCode).forEach((code) => see(code, 'report'));
  for (const update of episode.updates) {
    update.indicators.filter(isIndicatorCode).forEach((code) => see(code, update.source));
  }
  youth.vulnerabilities.filter(isVulnerabilityCode).forEach((code) => see(code, 'youth'));
  (episode.linkIndicators ?? []).filter(isIndicatorCode).forEach((code) => see(code, 'link'));
  if (episode.departedWith === 'vehicle') see('VEHICLE_NEAR_FOYER', 'report');

  return OBSERVED_RULES.map(([code, allowed]): Finding => {
    const sources = seen.get(code);
    const first = SOURCE_PRECEDENCE.find((source) => allowed.includes(source) && sources?.has(source));
    return [code, first ?? null];
  });
}

function historyFindings(t0: number, history: TriageInput['history']): Finding[] {
  // A cancelled episode was declared by mistake: it never happened.
  const others = history.otherEpisodes.filter((other) => other.status !== 'cancelled');
  const startedWithin = (other: HistoryEpisode, days: number) => inPast(other.noticedMissingAt, t0, days);

  const recentEpisodes = others.filter((other) => {
    const start = other.noticedMissingAt.getTime();
    return start >= t0 - 30 * DAY_MS && start <= t0;
  });
  const priorWorrying = others.some((other) => other.effectiveLevel === 'worrying' && startedWithin(other, 365));
  const shortRecent = others.filter((other) => {
    const end = endOf(other);
    return startedWithin(other, 90) && end !== null && end - other.noticedMissingAt.getTime() < 48 * HOUR_MS;
  });
  const disclosure = history.interviews.some(
    (interview) =>
      interview.outcome === 'completed' &&
      interview.conductedAt !== null &&
      inPast(interview.conductedAt, t0, 365) &&
      (interview.sexualExploitation === true || interview.exploitationIndicators.some(isExploitationIndicatorCode)),
  );

  return [
    // This episode is one of the three.
    ['REPEATED_FUGUES', recentEpisodes.length + 1 >= 3 ? 'history' : null],
    ['PRIOR_WORRYING_EPISODE', priorWorrying ? 'history' : null],
    ['SHORT_REPEATED_FUGUES', shortRecent.length >= 2 ? 'history' : null],
    ['PRIOR_EXPLOITATION_DISCLOSURE', disclosure ? 'history' : null],
  ];
}

/** `at` in [t0 − days, t0): a day is 24 h, whatever the clocks did. */
function inPast(at: Date, t0: number, days: number): boolean {
  const instant = at.getTime();
  return instant >= t0 - days * DAY_MS && instant < t0;
}

function compareReasons(a: Reason, b: Reason): number {
  if (a.kind !== b.kind) return a.kind === 'critical' ? -1 : 1;
  const byWeight = (b.weight ?? 0) - (a.weight ?? 0);
  if (byWeight !== 0) return byWeight;
  // Code-unit order, not localeCompare: the order must not depend on the host's locale.
  return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}
