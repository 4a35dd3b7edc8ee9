import { ageOn, localDateOf, localTimeOf, type LocalDate } from '../triage/local-time';

/**
 * The arithmetic of GET /v1/stats: pure functions over times and codes, so that every figure can
 * be worked out by hand in a unit test.
 */

const DAY_MS = 24 * 3600 * 1000;
/** A youth "runs away repeatedly" with 3 episodes or more within 30 days (REPEATED_FUGUES of the ruleset). */
export const REPEAT_EPISODES = 3;
export const REPEAT_WINDOW_DAYS = 30;

/**
 * The p-th percentile (0 ≤ p ≤ 1) by linear interpolation between the closest ranks — PostgreSQL's
 * `percentile_cont`, so the median reads the same whichever side computes it. Null without values.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const below = Math.floor(rank);
  const above = Math.ceil(rank);
  return sorted[below] + (sorted[above] - sorted[below]) * (rank - below);
}

/** count / total, rounded to 4 decimals; null when there is nothing to divide. */
export function share(count: number, total: number): number | null {
  return total === 0 ? null : Math.round((count / total) * 10_000) / 10_000;
}

/** An ISO 8601 week: weeks start on Monday; week 1 is the one holding the year's first Thursday. */
export interface IsoWeek {
  /** `2025-W10` */
  week: string;
  /** The Monday that starts it, `YYYY-MM-DD`. */
  start: string;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const utcDay = (d: LocalDate) => Date.UTC(d.year, d.month - 1, d.day);
const toIsoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The ISO week holding a calendar date. */
export function isoWeekOf(date: LocalDate): IsoWeek {
  const day = utcDay(date);
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const monday = day - weekday * DAY_MS;
  const thursday = monday + 3 * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return { week: `${year}-W${pad(week)}`, start: toIsoDate(monday) };
}

/**
 * Every ISO week the period [from, to) touches, read on the calendar of `timeZone`, in order:
 * from the week of `from`'s local date to the week of the last instant before `to`.
 */
export function weeksOfPeriod(from: Date, to: Date, timeZone: string): IsoWeek[] {
  const first = isoWeekOf(localDateOf(from, timeZone));
  const last = isoWeekOf(localDateOf(new Date(to.getTime() - 1), timeZone));
  const weeks: IsoWeek[] = [];
  for (let monday = Date.parse(first.start); monday <= Date.parse(last.start); monday += 7 * DAY_MS) {
    const d = new Date(monday);
    weeks.push(isoWeekOf({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }));
  }
  return weeks;
}

export interface WeekFigures extends IsoWeek {
  episodes: number;
  worrying: number;
}

/** Episodes per ISO week of their `noticedMissingAt` in `timeZone`; weeks without episodes count 0. */
export function weeklyEpisodes(episodes: readonly Pick<EpisodeFacts, 'noticedMissingAt' | 'level'>[], from: Date, to: Date, timeZone: string): WeekFigures[] {
  const weeks = new Map(weeksOfPeriod(from, to, timeZone).map((w) => [w.week, { ...w, episodes: 0, worrying: 0 }]));
  for (const e of episodes) {
    const figures = weeks.get(isoWeekOf(localDateOf(e.noticedMissingAt, timeZone)).week);
    // Stryker disable next-line ConditionalExpression: an episode of the period always falls in one of its weeks
    if (!figures) continue;
    figures.episodes += 1;
    if (e.level === 'worrying') figures.worrying += 1;
  }
  return [...weeks.values()];
}

/** PERSISTED in exports (CSV): never rename one. Aligned on the ruleset's AGE_UNDER_13 and AGE_13_14. */
export const AGE_BANDS = ['under_13', '13_14', '15_17', '18_plus', 'unknown'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

/** The band of an age in whole years; `unknown` when the birth date is gone (erased by retention). */
export function ageBand(age: number | null): AgeBand {
  if (age === null) return 'unknown';
  if (age < 13) return 'under_13';
  if (age <= 14) return '13_14';
  if (age <= 17) return '15_17';
  return '18_plus';
}

/**
 * The age band of a youth at an episode: whole years on the calendar date of `noticedMissingAt`
 * in the episode's département — the instant and calendar the ruleset reads the age at. A youth
 * who has a birthday during the period counts in one band for the episodes before it and in the
 * next for those after.
 */
export function ageBandAt(birthDate: string | null, noticedMissingAt: Date, timeZone: string): AgeBand {
  return ageBand(birthDate ? ageOn(birthDate, localDateOf(noticedMissingAt, timeZone)) : null);
}

/** What the figures read of one episode: times and codes only. */
export interface EpisodeFacts {
  youthId: string;
  noticedMissingAt: Date;
  level: 'routine' | 'worrying' | null;
}

/**
 * The youths with an episode in [from, to) that was their third or more within 30 days: at least
 * 3 episodes noticed in [t0 − 30 days, t0], that one included. `episodes` must hold every
 * non-cancelled episode of those youths from `from − 30 days` on; each youth counts once.
 */
export function repeatRunaways(episodes: readonly Pick<EpisodeFacts, 'youthId' | 'noticedMissingAt'>[], from: Date, to: Date): number {
  const byYouth = new Map<string, number[]>();
  for (const e of episodes) {
    const times = byYouth.get(e.youthId) ?? [];
    times.push(e.noticedMissingAt.getTime());
    byYouth.set(e.youthId, times);
  }
  let youths = 0;
  for (const times of byYouth.values()) {
    times.sort((a, b) => a - b);
    const repeated = times.some((t0, i) => {
      if (t0 < from.getTime() || t0 >= to.getTime()) return false;
      const within = times.filter((t, j) => j <= i && t >= t0 - REPEAT_WINDOW_DAYS * DAY_MS).length;
      return within >= REPEAT_EPISODES;
    });
    if (repeated) youths += 1;
  }
  return youths;
}

export interface GroupFigures {
  episodes: number;
  worrying: number;
}

/** Episodes and worrying ones by a key, every key of `keys` present (zeros included), in that order. */
export function countBy<K extends string>(items: readonly { key: K; level: EpisodeFacts['level'] }[], keys: readonly K[]): ({ key: K } & GroupFigures)[] {
  const groups = new Map<K, GroupFigures>(keys.map((k) => [k, { episodes: 0, worrying: 0 }]));
  for (const item of items) {
    let group = groups.get(item.key);
    if (!group) groups.set(item.key, (group = { episodes: 0, worrying: 0 }));
    group.episodes += 1;
    if (item.level === 'worrying') group.worrying += 1;
  }
  return [...groups.entries()].map(([key, g]) => ({ key, ...g }));
}

/**
 * The instant a calendar day starts in `timeZone` (local midnight; the first instant of the day
 * when a change of offset skips midnight).
 */
export function startOfLocalDay(date: LocalDate, timeZone: string): Date {
  const target = utcDay(date);
  // The offset at the guessed instant, then again at the corrected one (a change of offset between them).
  let guess = target;
  for (let i = 0; i < 3; i += 1) {
    const seen = localDateOf(new Date(guess), timeZone);
    const time = localMinutesOf(new Date(guess), timeZone);
    const offsetMs = utcDay(seen) + time * 60_000 - guess;
    const next = target - offsetMs;
    if (next === guess) break;
    guess = next;
  }
  // When midnight does not exist there, the day starts at the first instant that reads this date.
  while (utcDay(localDateOf(new Date(guess), timeZone)) < target) guess += 15 * 60_000;
  return new Date(guess);
}

function localMinutesOf(instant: Date, timeZone: string): number {
  const { hour, minute } = localTimeOf(instant, timeZone);
  return hour * 60 + minute;
}
