/**
 * How the statistics page writes its numbers, in French. Pure functions: the console's unit
 * tests run them under Node.
 */

const integer = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 });
const percent = new Intl.NumberFormat('fr-FR', { style: 'percent', maximumFractionDigits: 1 });

export function formatCount(n: number): string {
  return integer.format(n);
}

/** « 37,5 % »; « — » when there is nothing to divide. */
export function formatShare(share: number | null): string {
  return share === null ? '—' : percent.format(share);
}

/** « 45 s », « 30 min », « 2 h 05 », « 3 j 4 h »; « — » without a value. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')}`;
  const hours = Math.round(minutes / 60);
  return `${Math.floor(hours / 24)} j ${hours % 24} h`;
}

/** The day after a date YYYY-MM-DD (the period's end is excluded: « au 31 mars » ends on 1 April). */
export function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** The date `days` before a date YYYY-MM-DD. */
export function daysBefore(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d - days)).toISOString().slice(0, 10);
}

/** Today's date in the time zone, YYYY-MM-DD. */
export function today(timeZone: string, now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** « semaine 10 (du 3 mars 2025) » from `2025-W10` and its Monday. */
export function weekLabel(week: string, start: string): string {
  const [y, m, d] = start.split('-').map(Number);
  const monday = new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', day: 'numeric', month: 'short' }).format(new Date(Date.UTC(y, m - 1, d)));
  return `S${Number(week.slice(6))} (${monday})`;
}

/**
 * The links of the period by reason, in the order and words of GET /v1/vocabularies (linkReasons),
 * a reason the API counts and the vocabulary does not name yet after them, under its code.
 */
export function linkReasonRows(links: Record<string, number>, labels: readonly { code: string; label: string }[]): { code: string; label: string; count: number }[] {
  const named = labels.map((l) => ({ code: l.code, label: l.label, count: links[l.code] ?? 0 }));
  const others = Object.keys(links)
    .filter((code) => code !== 'total' && !labels.some((l) => l.code === code))
    .map((code) => ({ code, label: code, count: links[code] }));
  return [...named, ...others];
}
