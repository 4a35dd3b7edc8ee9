/**
 * Dates and times as foyer staff read them, in the département's time zone:
 * « mardi 1 décembre, 02 h 14 » (with the year when it is not the current one).
 * Pure functions: the console's unit tests run them under Node.
 */

function parts(date: Date, timeZone: string, options: Intl.DateTimeFormatOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of new Intl.DateTimeFormat('fr-FR', { timeZone, ...options }).formatToParts(date)) out[part.type] = part.value;
  return out;
}

export function formatDateTime(iso: string, timeZone: string, now: Date = new Date()): string {
  const date = new Date(iso);
  const p = parts(date, timeZone, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const thisYear = parts(now, timeZone, { year: 'numeric' }).year;
  return `${p.weekday} ${p.day} ${p.month}${p.year === thisYear ? '' : ` ${p.year}`}, ${p.hour} h ${p.minute}`;
}

/** A date (YYYY-MM-DD, no time zone): « 10 mai 2013 ». */
export function formatDate(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** Age in whole years on `now`, from a birth date YYYY-MM-DD. */
export function ageOn(birthDate: string, now: Date = new Date()): number {
  const [y, m, d] = birthDate.split('-').map(Number);
  let age = now.getUTCFullYear() - y;
  if (now.getUTCMonth() + 1 < m || (now.getUTCMonth() + 1 === m && now.getUTCDate() < d)) age -= 1;
  return age;
}

/** The value of an <input type="datetime-local"> showing this instant in the time zone. */
export function toLocalInput(iso: string, timeZone: string): string {
  const p = parts(new Date(iso), timeZone, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/** The instant (ISO, UTC) an <input type="datetime-local"> value means in the time zone; null when empty or invalid. */
export function fromLocalInput(value: string, timeZone: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!match) return null;
  const [, y, mo, d, h, mi] = match.map(Number);
  const asUtc = Date.UTC(y, mo - 1, d, h, mi);
  // The zone's offset at that wall time; computed twice so that a change of offset in between is caught.
  let instant = asUtc - offsetMs(new Date(asUtc), timeZone);
  instant = asUtc - offsetMs(new Date(instant), timeZone);
  return new Date(instant).toISOString();
}

function offsetMs(date: Date, timeZone: string): number {
  const p = parts(date, timeZone, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return wall - Math.floor(date.getTime() / 1000) * 1000;
}

/** « dans 2 jours et 5 h », « en retard de 3 h » : the time left until `iso`. */
export function countdown(iso: string, now: Date = new Date()): string {
  const ms = new Date(iso).getTime() - now.getTime();
  const late = ms < 0;
  const minutes = Math.round(Math.abs(ms) / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const text =
    days > 0 ? `${days} jour${days > 1 ? 's' : ''}${hours ? ` et ${hours} h` : ''}` : hours > 0 ? `${hours} h${mins ? ` ${String(mins).padStart(2, '0')}` : ''}` : `${mins} min`;
  return late ? `en retard de ${text}` : `dans ${text}`;
}

/** « 3 h 20 », « 2 jours et 4 h », « 12 min » : the time since `iso` (nothing below a minute). */
export function elapsedSince(iso: string, now: Date = new Date()): string {
  return minutesWords(Math.floor((now.getTime() - new Date(iso).getTime()) / 60_000));
}

/** « 3 h 20 », « 2 jours et 4 h », « 12 min » : a number of minutes in words (none below zero). */
export function minutesWords(total: number): string {
  const minutes = Math.max(0, Math.floor(total));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return `${days} jour${days > 1 ? 's' : ''}${hours ? ` et ${hours} h` : ''}`;
  if (hours > 0) return `${hours} h${mins ? ` ${String(mins).padStart(2, '0')}` : ''}`;
  return `${mins} min`;
}
