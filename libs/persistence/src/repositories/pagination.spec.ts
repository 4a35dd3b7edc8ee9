import { decodeCursor, decodeIdCursor, encodeCursor, InvalidCursorError, pageOf } from './pagination';

describe('keyset cursors', () => {
  const id = '0b5f8a52-7a53-4a40-9a0e-1f4b1c3d2e10';

  it('round-trips the time and id of the last item, to the microsecond', () => {
    const at = new Date('2026-11-28T10:15:00.123Z');
    expect(decodeCursor(encodeCursor(at, id))).toEqual({ at: '2026-11-28T10:15:00.123Z', id });
    expect(decodeCursor(encodeCursor('2026-11-28T10:15:00.123456Z', id))).toEqual({ at: '2026-11-28T10:15:00.123456Z', id });
  });

  it('refuses a cursor it did not make', () => {
    for (const bad of ['', 'abc', Buffer.from('not-a-date|x').toString('base64url'), Buffer.from(`2026-01-01T00:00:00Z|${'x'.repeat(36)}`).toString('base64url')]) {
      expect(() => decodeCursor(bad)).toThrow(InvalidCursorError);
    }
  });

  it.each([
    ['an id of 36 dashes', `2026-01-01T00:00:00.000Z|${'-'.repeat(36)}`],
    ['an id of hex digits and dashes in the wrong places', `2026-01-01T00:00:00.000Z|${'0b5f8a52-7a53-4a40-9a0e-1f4b1c3d2e10'.replace(/-/g, '0').slice(0, 32)}----`],
    ['a time PostgreSQL cannot hold', `-271821-04-20T00:00:00.000Z|0b5f8a52-7a53-4a40-9a0e-1f4b1c3d2e10`],
    ['a time in another form', `1|0b5f8a52-7a53-4a40-9a0e-1f4b1c3d2e10`],
    ['a time that does not exist', `2026-02-30T00:00:00.000Z|0b5f8a52-7a53-4a40-9a0e-1f4b1c3d2e10`],
    ['seven decimals', `2026-01-01T00:00:00.1234567Z|0b5f8a52-7a53-4a40-9a0e-1f4b1c3d2e10`],
    ['four decimals', `2026-01-01T00:00:00.1234Z|0b5f8a52-7a53-4a40-9a0e-1f4b1c3d2e10`],
    ['a third part', `2026-01-01T00:00:00.000Z|0b5f8a52-7a53-4a40-9a0e-1f4b1c3d2e10|x`],
  ])('refuses a cursor with %s', (_name, text) => {
    expect(() => decodeCursor(Buffer.from(text).toString('base64url'))).toThrow(InvalidCursorError);
  });

  it('takes an id cursor from 1 to the largest bigint, nothing else', () => {
    expect(decodeIdCursor('1')).toBe('1');
    expect(decodeIdCursor('9223372036854775807')).toBe('9223372036854775807');
    for (const bad of ['', '0', '-1', '01', '9223372036854775808', '9999999999999999999', '1e3', '12 ', '99999999999999999999']) {
      expect(() => decodeIdCursor(bad)).toThrow(InvalidCursorError);
    }
  });

  it('gives a next cursor only when there is more', () => {
    const rows = [1, 2, 3].map((n) => ({ at: new Date(n * 1000), id }));
    expect(pageOf(rows, 3, (r) => [r.at, r.id]).nextCursor).toBeNull();
    const page = pageOf(rows, 2, (r) => [r.at, r.id]);
    expect(page.items).toHaveLength(2);
    expect(decodeCursor(page.nextCursor as string).at).toBe(new Date(2000).toISOString());
  });
});
