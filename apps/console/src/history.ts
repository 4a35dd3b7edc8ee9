import type { components } from './api/schema';

type Schemas = components['schemas'];

/**
 * A youth's history (GET /v1/youths/{id}/history) in brief: how many fugues, how recent, how
 * worrying, where the youth was found more than once. Pure functions: the console's unit tests run
 * them under Node.
 */
export type HistoryEntry = Schemas['HistoryEntryResponse'];

const DAY_MS = 86_400_000;

export interface HistoryBrief {
  /** Episodes not cancelled. */
  count: number;
  last30: number;
  last90: number;
  worrying: number;
  /** Places where the youth was found more than once (compared whatever the case, named as first written). */
  placesAgain: { place: string; n: number }[];
  /** Episodes (not cancelled) linked to another youth's. */
  linked: number;
}

export function historyBrief(entries: readonly HistoryEntry[], now: Date): HistoryBrief {
  const counted = entries.filter((e) => e.status !== 'cancelled');
  const within = (days: number) => counted.filter((e) => now.getTime() - new Date(e.t0).getTime() <= days * DAY_MS).length;
  const places = new Map<string, { place: string; n: number }>();
  for (const e of counted) {
    const place = e.foundAt?.trim();
    if (!place) continue;
    const key = place.toLowerCase();
    places.set(key, { place: places.get(key)?.place ?? place, n: (places.get(key)?.n ?? 0) + 1 });
  }
  return {
    count: counted.length,
    last30: within(30),
    last90: within(90),
    worrying: counted.filter((e) => e.level === 'worrying').length,
    placesAgain: [...places.values()].filter(({ n }) => n > 1),
    linked: counted.filter((e) => e.links.length > 0).length,
  };
}

/** « 20 h », « 3 jours », « en cours » : how long an episode lasted (none for a cancelled one). */
export function episodeDuration(entry: Pick<HistoryEntry, 'status' | 't0' | 'end'>): string {
  if (entry.status === 'cancelled') return '—';
  if (!entry.end) return 'en cours';
  const hours = Math.round((new Date(entry.end).getTime() - new Date(entry.t0).getTime()) / 3_600_000);
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} jours`;
}
