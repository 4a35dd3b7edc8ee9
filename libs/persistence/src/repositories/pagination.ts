import { SelectQueryBuilder, ObjectLiteral } from 'typeorm';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export class InvalidCursorError extends Error {}

/**
 * Opaque keyset cursor: the (time, id) of the last item, base64url. The time is PostgreSQL's own,
 * to the microsecond (`cursorTimeSql`), or a Date's (milliseconds) where the column holds no more.
 */
export function encodeCursor(at: Date | string, id: string): string {
  return Buffer.from(`${typeof at === 'string' ? at : at.toISOString()}|${id}`, 'utf8').toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// What encodeCursor writes: a UTC time with 3 or 6 decimals, of a year PostgreSQL can hold here.
const CURSOR_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3})(\d{3})?Z$/;

/**
 * The (time, id) of a cursor this service wrote, or InvalidCursorError: every part is checked
 * here, so that nothing the database would refuse reaches it. The time stays text: a Date would
 * lose its microseconds.
 */
export function decodeCursor(cursor: string): { at: string; id: string } {
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const [iso, id] = parts;
  const millis = CURSOR_TIME.exec(iso ?? '')?.[1];
  const valid = parts.length === 2 && millis !== undefined && new Date(`${millis}Z`).toISOString() === `${millis}Z` && UUID.test(id);
  if (!valid) throw new InvalidCursorError('Invalid cursor');
  return { at: iso, id };
}

/** SQL giving a timestamptz column as a cursor time, to the microsecond. */
export function cursorTimeSql(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

const BIGINT_MAX = 9223372036854775807n;

/** A cursor made of a bigint id (1 to 2^63 − 1, as written by String()), or InvalidCursorError. */
export function decodeIdCursor(cursor: string): string {
  if (!/^[1-9]\d{0,18}$/.test(cursor) || BigInt(cursor) > BIGINT_MAX) throw new InvalidCursorError('Invalid cursor');
  return cursor;
}

const CURSOR_AT = 'vigie_cursor_at';

/**
 * A page of `qb`'s entities newest first by (`atColumn`, `idColumn`), after the cursor. The next
 * cursor carries the last item's time to the microsecond: rows written by one statement share
 * their time exactly, and a cursor rounded to the millisecond would skip all but the first page
 * of them.
 */
export async function keysetPage<T extends ObjectLiteral & { id: string }>(
  qb: SelectQueryBuilder<T>,
  atColumn: string,
  idColumn: string,
  cursor: string | null,
  limit: number,
): Promise<Page<T>> {
  if (cursor) {
    const { at, id } = decodeCursor(cursor);
    qb.andWhere(`(${atColumn}, ${idColumn}) < (:cursorAt::timestamptz, :cursorId::uuid)`, { cursorAt: at, cursorId: id });
  }
  qb.addSelect(cursorTimeSql(atColumn), CURSOR_AT).orderBy(atColumn, 'DESC').addOrderBy(idColumn, 'DESC').limit(limit + 1);
  const { entities, raw } = await qb.getRawAndEntities<Record<string, string>>();
  const items = entities.slice(0, limit);
  if (entities.length <= limit || items.length === 0) return { items, nextCursor: null };
  const lastId = items[items.length - 1].id;
  const last = raw.find((row) => row[idColumn.replace('.', '_')] === lastId);
  if (!last) throw new Error(`keysetPage: no row of ${idColumn} ${lastId} in the raw results`);
  return { items, nextCursor: encodeCursor(last[CURSOR_AT], lastId) };
}

/** Builds a page from `limit + 1` rows (times of a column that holds milliseconds at most). */
export function pageOf<T>(rows: T[], limit: number, key: (row: T) => [Date | string, string]): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(...key(last)) : null };
}
