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

export function decodeCursor(cursor: string): { at: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const at = new Date(iso ?? '');
  if (!id || Number.isNaN(at.getTime()) || !/^[0-9a-f-]{36}$/i.test(id)) throw new InvalidCursorError('Invalid cursor');
  return { at, id };
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
