import { Clock, ShiftedClock, SystemClock } from '../../domain/src/clock/clock';
import { localDateOf, localTimeOf } from '../../domain/src/triage/local-time';

const HOUR_MS = 3600_000;

let current: Clock = new SystemClock();

/**
 * The clock of this test process, also handed to every service it starts (`startTestApp`): the
 * machine's clock, unless a set-up file moved it (`test/night-clock.setup.ts` runs the e2e suite
 * at 23:30 in Paris). Instants a test sends to the service come from here, never from `Date.now()`.
 */
export function testClock(): Clock {
  return current;
}

export function setTestClock(clock: Clock): void {
  current = clock;
}

export function testNow(): Date {
  return current.now();
}

/** `ms` milliseconds before the test clock's now, as an ISO string. */
export function testAgo(ms: number): string {
  return new Date(current.nowMs() - ms).toISOString();
}

/**
 * The latest instant at or before `at` that is daytime in every French time zone (UTC 10:00 to
 * 18:00 is 06:00–22:00 from the Antilles, UTC−4, to Réunion, UTC+4). Factories give a
 * declaration this `lastSeenAt`, so that NIGHT_DEPARTURE holds only where a test asks for it,
 * whatever the hour the suite runs at.
 */
export function daytimeAtOrBefore(at: Date): Date {
  const hour = at.getUTCHours();
  if (hour >= 10 && hour < 18) return at;
  const day = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  const five = day + 17 * HOUR_MS;
  return new Date(hour >= 18 ? five : five - 24 * HOUR_MS);
}

/** The next instant after `from` at which the wall clock of `timeZone` reads `hour:minute`. */
export function nextWallClock(timeZone: string, hour: number, minute: number, from = new Date()): Date {
  for (let day = 0; day <= 2; day++) {
    const date = localDateOf(new Date(from.getTime() + day * 24 * HOUR_MS), timeZone);
    const guess = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
    // Move the guess by the zone's offset at that moment, twice to settle across a DST change.
    let instant = guess;
    for (let i = 0; i < 2; i++) {
      const wall = localTimeOf(new Date(instant), timeZone);
      const wallDate = localDateOf(new Date(instant), timeZone);
      const shown = Date.UTC(wallDate.year, wallDate.month - 1, wallDate.day, wall.hour, wall.minute);
      instant += guess - shown;
    }
    if (instant > from.getTime()) return new Date(instant);
  }
  throw new Error(`No ${hour}:${minute} in ${timeZone} in the next two days`);
}

/** A clock running `at` the given wall-clock time of `timeZone` from now on. */
export function clockAt(timeZone: string, hour: number, minute: number): ShiftedClock {
  const now = Date.now();
  return new ShiftedClock(nextWallClock(timeZone, hour, minute, new Date(now + 60_000)).getTime() - now);
}
