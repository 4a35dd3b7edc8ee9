/** A calendar date as read on a wall calendar in some time zone (month 1–12). */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

export interface LocalTime {
  hour: number;
  minute: number;
}

// Building a DateTimeFormat is costly and a département has one zone: keep one per zone.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  // Stryker disable next-line ConditionalExpression: building a new formatter each time reads the same parts, only slower
  if (!formatter) {
    // The -u- extensions pin the calendar and digits whatever the host's default locale;
    // h23 avoids the "24:00" some engines print for midnight with hour12: false.
    formatter = new Intl.DateTimeFormat('en-US-u-ca-gregory-nu-latn', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function wallClock(instant: Date, timeZone: string): LocalDate & LocalTime {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    // Stryker disable next-line ConditionalExpression,StringLiteral: the separators would land in parts.literal, which is never read
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute };
}

/** Throws a RangeError for an unknown IANA zone, as Intl does. */
export function localDateOf(instant: Date, timeZone: string): LocalDate {
  const { year, month, day } = wallClock(instant, timeZone);
  return { year, month, day };
}

/** Throws a RangeError for an unknown IANA zone, as Intl does. */
export function localTimeOf(instant: Date, timeZone: string): LocalTime {
  const { hour, minute } = wallClock(instant, timeZone);
  return { hour, minute };
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Whole years from `birthDate` (YYYY-MM-DD) to `on`. Comparing (month, day) pairs makes a
 * 29 February birthday fall on 1 March in common years, as the ruleset requires.
 */
export function ageOn(birthDate: string, on: LocalDate): number {
  const match = ISO_DATE.exec(birthDate);
  if (!match) throw new RangeError(`birthDate must be YYYY-MM-DD, got "${birthDate}"`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const beforeBirthday = on.month < month || (on.month === month && on.day < day);
  return on.year - year - (beforeBirthday ? 1 : 0);
}
