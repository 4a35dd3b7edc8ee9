import type { FugueEntity, StoredLevel } from '@vigie/persistence';
import type { WebhookEventScope } from './webhook-event.service';

/**
 * The thin bodies of the episode events (integrations.md § Outbound webhooks), built in one place:
 * ids, département, level, status, reason codes and times — never names, birth dates,
 * descriptions or free text. A subscriber fetches details through the API, which is audited.
 */
export interface EpisodeEvent {
  data: Record<string, unknown>;
  scope: WebhookEventScope;
}

/** An episode's events reach hotline endpoints while it is worrying. */
function episodeScope(fugue: Pick<FugueEntity, 'departmentCode' | 'effectiveLevel'>): WebhookEventScope {
  return { departmentCode: fugue.departmentCode, level: fugue.effectiveLevel };
}

/**
 * The effective level was set or changed. It reaches hotline endpoints when either level is
 * worrying: a hotline following a worrying episode learns that it no longer is.
 */
export function fugueClassifiedEvent(fugue: FugueEntity, previousLevel: StoredLevel | null): EpisodeEvent {
  const c = fugue.classification;
  const worrying = fugue.effectiveLevel === 'worrying' || previousLevel === 'worrying';
  return {
    data: {
      fugueId: fugue.id,
      departmentCode: fugue.departmentCode,
      level: fugue.effectiveLevel,
      previousLevel,
      score: c?.score ?? null,
      reasonCodes: c?.reasons.map((r) => r.code) ?? [],
      rulesetVersion: c?.rulesetVersion ?? null,
    },
    scope: { departmentCode: fugue.departmentCode, level: worrying ? 'worrying' : fugue.effectiveLevel },
  };
}

export function fugueLocatedEvent(fugue: FugueEntity): EpisodeEvent {
  return { data: { fugueId: fugue.id, departmentCode: fugue.departmentCode, at: fugue.locatedAt?.toISOString() ?? null }, scope: episodeScope(fugue) };
}

export function fugueReturnedEvent(fugue: FugueEntity): EpisodeEvent {
  return {
    data: { fugueId: fugue.id, departmentCode: fugue.departmentCode, returnedAt: fugue.returnedAt?.toISOString() ?? null, foundBy: fugue.foundBy },
    scope: episodeScope(fugue),
  };
}

export function fugueClosedEvent(fugue: FugueEntity): EpisodeEvent {
  return { data: { fugueId: fugue.id, departmentCode: fugue.departmentCode, status: fugue.status }, scope: episodeScope(fugue) };
}
