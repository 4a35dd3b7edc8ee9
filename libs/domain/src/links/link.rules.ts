/**
 * When two episodes are linked (spec/links.md § When two episodes are linked): a pure function of
 * the two episodes' facts and the evaluation time. The triage finds the candidates in SQL through
 * the blind indexes; this function decides.
 */

/** Why two episodes are linked. PERSISTED NAMES: stored in fugue_links and sent in webhooks; never rename one. */
export const LINK_REASONS = ['NAMED_COMPANION', 'SAME_VEHICLE', 'SAME_PLACE', 'SAME_ALIAS', 'LEFT_TOGETHER'] as const;
export type LinkReason = (typeof LINK_REASONS)[number];

export const LINK_REASON_LABELS: Readonly<Record<LinkReason, string>> = {
  NAMED_COMPANION: 'Jeune désigné comme compagnon de fugue',
  SAME_VEHICLE: 'Même véhicule',
  SAME_PLACE: 'Même lieu (hôtel, location de courte durée, domicile)',
  SAME_ALIAS: 'Même surnom de compagnon dans le département',
  LEFT_TOGETHER: 'Partis ensemble du même foyer',
};

const HOUR = 3600 * 1000;
/** The margin of an episode's window on either side. */
export const LINK_WINDOW_MARGIN_MS = 24 * HOUR;
/** LEFT_TOGETHER: departures less than this apart. */
export const LEFT_TOGETHER_MS = 2 * HOUR;

/** What the rules read of an episode. Index lists hold blind indexes (never clear values). */
export interface LinkEpisode {
  id: string;
  youthId: string;
  foyerId: string;
  departmentCode: string;
  noticedMissingAt: Date;
  lastSeenAt: Date | null;
  departedWith: string | null;
  locatedAt: Date | null;
  returnedAt: Date | null;
  /** When a closed or cancelled episode ended (its `endedAt`). */
  endedAt: Date | null;
  /** Youths this episode names as companions, by id. */
  companionYouthIds: readonly string[];
  plateIndexes: readonly string[];
  aliasIndexes: readonly string[];
  /** Address indexes of its places of kind hotel, short_let or private_home only. */
  addressIndexes: readonly string[];
}

/**
 * `[t0 − 24 h, (end or now) + 24 h]`, end being `returnedAt`, else `locatedAt`, else the end of
 * the episode (a closed or cancelled one's `endedAt`).
 */
export function linkWindow(e: Pick<LinkEpisode, 'noticedMissingAt' | 'locatedAt' | 'returnedAt' | 'endedAt'>, now: Date): { start: number; end: number } {
  const end = e.returnedAt ?? e.locatedAt ?? e.endedAt ?? now;
  return { start: e.noticedMissingAt.getTime() - LINK_WINDOW_MARGIN_MS, end: end.getTime() + LINK_WINDOW_MARGIN_MS };
}

/** Windows are closed intervals: touching at one instant overlaps. */
export function windowsOverlap(a: LinkEpisode, b: LinkEpisode, now: Date): boolean {
  const wa = linkWindow(a, now);
  const wb = linkWindow(b, now);
  return wa.start <= wb.end && wb.start <= wa.end;
}

const departure = (e: LinkEpisode): number => (e.lastSeenAt ?? e.noticedMissingAt).getTime();
const shares = (a: readonly string[], b: readonly string[]): boolean => a.some((x) => b.includes(x));

/** Every reason that links the two episodes, in the order of LINK_REASONS; empty when they are not linked. */
export function linkReasons(a: LinkEpisode, b: LinkEpisode, now: Date): LinkReason[] {
  if (a.id === b.id || a.youthId === b.youthId || !windowsOverlap(a, b, now)) return [];
  const holds: Record<LinkReason, boolean> = {
    NAMED_COMPANION: a.companionYouthIds.includes(b.youthId) || b.companionYouthIds.includes(a.youthId),
    SAME_VEHICLE: shares(a.plateIndexes, b.plateIndexes),
    SAME_PLACE: shares(a.addressIndexes, b.addressIndexes),
    SAME_ALIAS: a.departmentCode === b.departmentCode && shares(a.aliasIndexes, b.aliasIndexes),
    LEFT_TOGETHER:
      a.foyerId === b.foyerId &&
      Math.abs(departure(a) - departure(b)) < LEFT_TOGETHER_MS &&
      (a.departedWith === 'peers' || b.departedWith === 'peers'),
  };
  return LINK_REASONS.filter((reason) => holds[reason]);
}

/** Reasons in the order of LINK_REASONS, each once. */
export function orderedReasons(reasons: Iterable<string>): LinkReason[] {
  const set = new Set(reasons);
  return LINK_REASONS.filter((r) => set.has(r));
}
