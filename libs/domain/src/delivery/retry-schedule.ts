/**
 * When a failed delivery is tried again (integrations.md): a pure function of the schedule, the
 * failures so far and the time, so that the waits are the same in every process and in tests.
 */
export interface RetrySchedule {
  /** The wait after the 1st, 2nd, … failure of a series, in milliseconds. */
  readonly delaysMs: readonly number[];
  /** The wait after each later failure, or null: the series fails for good once `delaysMs` is spent. */
  readonly thenEveryMs: number | null;
  /** Each wait is spread by up to ± this share, so that receivers coming back are not hit all at once. */
  readonly jitter: number;
  /** How long a series may last from its start (a row's `retry_until`), or null: only `delaysMs` bounds it. */
  readonly windowMs: number | null;
}

/**
 * The wait before the next attempt after `failures` failures in a row (1 for the first), or null
 * when the schedule is spent. `random` is a number in [0, 1).
 */
export function retryDelayMs(schedule: RetrySchedule, failures: number, random: number = Math.random()): number | null {
  const base = schedule.delaysMs[failures - 1] ?? schedule.thenEveryMs;
  if (base === null) return null;
  return Math.round(base * (1 - schedule.jitter + 2 * schedule.jitter * random));
}

/**
 * When the next attempt is due after `failures` failures, the last at `failedAt`; null when the
 * series is over: the schedule spent, or the attempt would fall after `until` (the end of its window).
 */
export function nextAttemptAt(schedule: RetrySchedule, failures: number, failedAt: Date, until: Date | null, random: number = Math.random()): Date | null {
  const delay = retryDelayMs(schedule, failures, random);
  if (delay === null) return null;
  const at = new Date(failedAt.getTime() + delay);
  return until !== null && at > until ? null : at;
}

/** The end of a series of retries that starts at `start`, or null when the schedule has no window. */
export function windowEnd(schedule: RetrySchedule, start: Date): Date | null {
  return schedule.windowMs === null ? null : new Date(start.getTime() + schedule.windowMs);
}
