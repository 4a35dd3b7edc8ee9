import { safeNextPath } from './email-link.service';

describe('safeNextPath', () => {
  it.each([
    ['/', '/'],
    ['/episodes/3f1c?tab=timeline#x', '/episodes/3f1c?tab=timeline#x'],
    ['/youths/%2F%2Fx', '/youths/%2F%2Fx'],
  ])('keeps a path of this site: %s', (next, expected) => {
    expect(safeNextPath(next)).toBe(expected);
  });

  it.each([
    ['nothing', undefined],
    ['empty', ''],
    ['a relative path', 'episodes/1'],
    ['a protocol-relative URL', '//evil.test/x'],
    ['a backslash host', '/\\evil.test'],
    ['a backslash further on', '/a\\b'],
    ['an absolute URL', 'https://evil.test/'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a space', '/a b'],
    ['a line break', '/a\nSet-Cookie: x=1'],
    ['a path too long', `/${'a'.repeat(501)}`],
  ])('lands on / for %s', (_what, next) => {
    expect(safeNextPath(next)).toBe('/');
  });
});
