import { localDateOf, type DepartmentStats } from '@vigie/domain';

/**
 * GET /v1/stats as CSV: the same numbers as the JSON answer, in one long table of
 * `section,item,measure,value` (RFC 4180: comma-separated, CRLF line ends, UTF-8, fields quoted
 * when they hold a comma, a quote or a line end). One row per number, so a spreadsheet pivots it
 * and a script filters it without knowing the sections in advance:
 *
 * - `period` — `departmentCodes` (`;`-separated, empty for all), `from`, `to`, `timeZone`;
 * - `episodes`, `returnInterviews`, `disclosures` (absent for police), `alerts` — item empty,
 *   one row per field of the JSON object;
 * - `links` — item empty, `total` and one row per link reason;
 * - `foyerClusters` — item = the foyer id, measures `name`, `departmentCode`, `youths`, `noticedAt`;
 * - `repeatRunaways` — `youthsWithRepeatedFugues`;
 * - `weeks` — item = ISO week (`2025-W10`), measures `start`, `episodes`, `worrying`;
 * - `ageBands`, `sexes` — item = the band or sex code, measures `episodes`, `worrying`;
 * - `foyers` — item = the foyer id, measures `name`, `departmentCode`, `episodes`, `worrying`.
 *
 * A null figure (a median without values) is an empty value.
 */
export const STATS_CSV_HEADER = ['section', 'item', 'measure', 'value'] as const;

type Cell = string | number | null;

export function statsCsv(s: DepartmentStats): string {
  const rows: Cell[][] = [[...STATS_CSV_HEADER]];
  const add = (section: string, item: string, measure: string, value: Cell) => rows.push([section, item, measure, value]);
  const object = (section: string, values: object) => {
    for (const [measure, value] of Object.entries(values)) add(section, '', measure, value as Cell);
  };
  add('period', '', 'departmentCodes', s.departmentCodes ? s.departmentCodes.join(';') : '');
  add('period', '', 'from', s.from.toISOString());
  add('period', '', 'to', s.to.toISOString());
  add('period', '', 'timeZone', s.timeZone);
  object('episodes', s.episodes);
  add('repeatRunaways', '', 'youthsWithRepeatedFugues', s.youthsWithRepeatedFugues);
  object('returnInterviews', s.returnInterviews);
  if (s.disclosures) object('disclosures', s.disclosures);
  object('alerts', s.alerts);
  object('links', s.links);
  for (const c of s.foyerClusters) {
    add('foyerClusters', c.foyerId, 'name', c.name);
    add('foyerClusters', c.foyerId, 'departmentCode', c.departmentCode);
    add('foyerClusters', c.foyerId, 'youths', c.youths);
    add('foyerClusters', c.foyerId, 'noticedAt', c.noticedAt.toISOString());
  }
  for (const w of s.weeks) {
    add('weeks', w.week, 'start', w.start);
    add('weeks', w.week, 'episodes', w.episodes);
    add('weeks', w.week, 'worrying', w.worrying);
  }
  for (const [section, groups] of [
    ['ageBands', s.breakdown.ageBands],
    ['sexes', s.breakdown.sexes],
  ] as const) {
    for (const g of groups) {
      add(section, g.key, 'episodes', g.episodes);
      add(section, g.key, 'worrying', g.worrying);
    }
  }
  for (const f of s.breakdown.foyers) {
    add('foyers', f.foyerId, 'name', f.name);
    add('foyers', f.foyerId, 'departmentCode', f.departmentCode);
    add('foyers', f.foyerId, 'episodes', f.episodes);
    add('foyers', f.foyerId, 'worrying', f.worrying);
  }
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** RFC 4180 quoting; a text starting with = + - @ is prefixed with ' so that a spreadsheet never runs it as a formula. */
export function csvField(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** `vigie-statistiques-75-2025-03-01-2025-04-01.csv`: the scope (`tous` for every département), then the local dates of from and to. */
export function statsCsvFilename(s: DepartmentStats): string {
  const scope = s.departmentCodes === null ? 'tous' : s.departmentCodes.join('-');
  const day = (instant: Date) => {
    const d = localDateOf(instant, s.timeZone);
    return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
  };
  return `vigie-statistiques-${scope || 'aucun'}-${day(s.from)}-${day(s.to)}.csv`;
}
