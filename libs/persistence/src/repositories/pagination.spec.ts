import { decodeCursor, encodeCursor, InvalidCursorError, pageOf } from './pagination';

describe('keyset cursors', () => {
  const id = '0b5f8a52-7a53-4a40-9a0e-1f4b1c3d2e10';

  it('round-trips the time and id of the last item', () => {
    const at = new Date('2026-11-28T10:15:00.123Z');
    expect(decodeCursor(encodeCursor(at, id))).toEqual({ at, id });
  });

  it('refuses a cursor it did not make', () => {
    for (const bad of ['', 'abc', Buffer.from('not-a-date|x').toString('base64url'), Buffer.from(`2026-01-01T00:00:00Z|${'x'.repeat(36)}`).toString('base64url')]) {
      expect(() => decodeCursor(bad)).toThrow(InvalidCursorError);
    }
  });

  it('gives a next cursor only when there is more', () => {
    const rows = [1, 2, 3].map((n) => ({ at: new Date(n * 1000), id }));
    expect(pageOf(rows, 3, (r) => [r.at, r.id]).nextCursor).toBeNull();
    const page = pageOf(rows, 2, (r) => [r.at, r.id]);
    expect(page.items).toHaveLength(2);
    expect(decodeCursor(page.nextCursor as string).at).toEqual(new Date(2000));
  });
});
