import type { Belongings, FugueDetails } from '@vigie/persistence';
import type { ConnectionsInput } from '../links/connections';

export const MAX_FUTURE_MS = 5 * 60 * 1000;
export const MAX_PAST_MS = 365 * 24 * 3600 * 1000;

export interface DeclareFugueInput {
  youthId: string;
  noticedMissingAt: Date;
  lastSeenAt?: Date | null;
  lastSeenPlace?: string | null;
  clothing?: string | null;
  circumstances?: string | null;
  departedWith?: string | null;
  vehicle?: string | null;
  belongings?: Belongings | null;
  indicators?: string[];
  staffConcern?: { worrying: boolean; note?: string | null } | null;
  policeReport?: { service?: string | null; reference?: string | null } | null;
  /** Structured facts (spec/links.md), appended to the episode's. */
  connections?: ConnectionsInput | null;
}

export interface FugueUpdateInput {
  indicators?: string[];
  staffConcern?: { worrying: boolean; note?: string | null } | null;
  note?: string | null;
  sighting?: { at: Date; place?: string | null } | null;
  connections?: ConnectionsInput | null;
}

export interface LocatedInput {
  at: Date;
  place?: string | null;
}

export interface ReturnInput {
  returnedAt: Date;
  foundBy: 'self' | 'police' | 'family' | 'hotline' | 'other';
  place?: string | null;
  condition?: { injured?: boolean; intoxicated?: boolean; needsMedicalCare?: boolean } | null;
  connections?: ConnectionsInput | null;
}

/** Free text of the return, stored encrypted. */
export interface ReturnPrivate {
  place?: string | null;
  condition?: ReturnInput['condition'];
}

export type { FugueDetails };
