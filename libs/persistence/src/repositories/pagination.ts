import { SelectQueryBuilder, ObjectLiteral } from 'typeorm';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export class InvalidCursorError extends Error {}

/** Opaque keyset cursor: the (time, id) of the last item, base64url. */
export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`, 'utf8').toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// What encodeCursor writes: toISOString() of a time PostgreSQL can hold (years 0000–9999 here).
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * The (time, id) of a cursor this service wrote, or InvalidCursorError: every part is checked
 * here, so that nothing the database would refuse reaches it.
 */
export function decodeCursor(cursor: string): { at: Date; id: string } {
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const [iso, id] = parts;
  const at = new Date(iso ?? '');
  const valid = parts.length === 2 && CURSOR_TIME.test(iso) && !Number.isNaN(at.getTime()) && at.toISOString() === iso && UUID.test(id);
  if (!valid) throw new InvalidCursorError('Invalid cursor');
  return { at, id };
}

const BIGINT_MAX = 9223372036854775807n;

/** A cursor made of a bigint id (1 to 2^63 − 1, as written by String()), or InvalidCursorError. */
export function decodeIdCursor(cursor: string): string {
  if (!/^[1-9]\d{0,18}$/.test(cursor) || BigInt(cursor) > BIGINT_MAX) throw new InvalidCursorError('Invalid cursor');
  return cursor;
}

/** Restricts a query newest-first to the items after the cursor. */
export function keysetAfter<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, atColumn: string, idColumn: string, cursor: string | null): void {
  if (!cursor) return;
  const { at, id } = decodeCursor(cursor);
  qb.andWhere(`(${atColumn}, ${idColumn}) < (:cursorAt, :cursorId)`, { cursorAt: at, cursorId: id });
}

/** Builds a page from `limit + 1` rows. */
export function pageOf<T>(rows: T[], limit: number, key: (row: T) => [Date, string]): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(...key(last)) : null };
}
