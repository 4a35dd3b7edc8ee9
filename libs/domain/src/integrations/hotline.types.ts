import type { EntityManager } from 'typeorm';
import type { ConnectionsInput } from '../links/connections';

/** Who called the 116 000 (integrations.md § Inbound events). */
export const HOTLINE_CALLERS = ['youth', 'family', 'witness', 'professional', 'other'] as const;
export type HotlineCaller = (typeof HOTLINE_CALLERS)[number];

/**
 * The inbound event types. PERSISTED NAMES: stored in inbound_events and sent by the hotline's
 * systems; never rename one.
 */
export const HOTLINE_EVENT_TYPES = ['hotline.call_received', 'hotline.child_located'] as const;
export type HotlineEventType = (typeof HOTLINE_EVENT_TYPES)[number];

/** A call to the 116 000 about an episode. `summary` and `sighting.place` are free text: encrypted, never logged. */
export interface HotlineCallInput {
  receivedAt: Date;
  caller: HotlineCaller;
  sighting?: { at: Date; place?: string };
  indicators: string[];
  summary?: string;
  /** Structured facts (spec/links.md), appended to the episode's. */
  connections?: ConnectionsInput | null;
}

export interface HotlineLocatedInput {
  at: Date;
  place?: string;
}

/**
 * Runs first in the transaction of an inbound event's effect: records the event id, and throws
 * when it was already received, so that a replay has no second effect.
 */
export type InboundClaim = (manager: EntityManager) => Promise<void>;
