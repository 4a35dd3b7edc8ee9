/**
 * Persisted beside every classification: change it whenever a rule, weight or threshold
 * changes, so that old classifications keep the version they were computed with.
 */
export const RULESET_VERSION = '2026.1';

export type Level = 'routine' | 'worrying';

/** Where an episode indicator was given: at declaration, in a later update, by the 116 000. */
export type IndicatorSource = 'report' | 'update' | 'hotline';

export type ReasonSource = 'computed' | 'youth' | 'report' | 'update' | 'hotline' | 'link' | 'history';

export interface Reason {
  code: string;
  kind: 'critical' | 'aggravating';
  /** null for a critical trigger: it decides the level on its own. */
  weight: number | null;
  source: ReasonSource;
}

/** The stored result of one evaluation; its shape is the one in spec/risk-model.md. */
export interface Classification {
  level: Level;
  score: number;
  reasons: Reason[];
  rulesetVersion: string;
  evaluatedAt: string /* ISO UTC */;
  nextReviewAt: string | null;
}

export interface TriageYouth {
  birthDate: string /* YYYY-MM-DD */;
  vulnerabilities: readonly string[];
  vitalTreatment: boolean;
}

export interface StaffConcern {
  worrying: boolean;
}

export interface EpisodeUpdateFacts {
  source: 'update' | 'hotline';
  indicators: readonly string[];
  staffConcern?: StaffConcern | null;
}

export interface TriageEpisode {
  noticedMissingAt: Date;
  lastSeenAt: Date | null;
  departedWith: string | null;
  belongings: { phone?: boolean | null; money?: boolean | null; idDocument?: boolean | null } | null;
  indicators: readonly string[]; // given at declaration (source 'report')
  staffConcern: StaffConcern | null; // given at declaration
  updates: readonly EpisodeUpdateFacts[]; // later updates and hotline events, oldest first
  /** Indicators a link to another episode added (spec/links.md), source `link`: PEER_EXPLOITED only counts. */
  linkIndicators?: readonly string[];
  locatedAt: Date | null;
  returnedAt: Date | null;
}

export interface HistoryEpisode {
  noticedMissingAt: Date;
  status: 'missing' | 'located' | 'returned' | 'closed' | 'cancelled';
  locatedAt: Date | null;
  returnedAt: Date | null;
  effectiveLevel: Level | null;
}

export interface HistoryInterview {
  outcome: 'completed' | 'declined' | 'not_held' | 'scheduled';
  conductedAt: Date | null;
  sexualExploitation: boolean;
  exploitationIndicators: readonly string[];
}

/** Everything the ruleset reads; it reads nothing else (no clock, no database). */
export interface TriageInput {
  now: Date;
  timeZone: string /* IANA */;
  youth: TriageYouth;
  episode: TriageEpisode;
  history: { otherEpisodes: readonly HistoryEpisode[]; interviews: readonly HistoryInterview[] };
}
