import { ageOn, localDateOf, localTimeOf } from './local-time';

describe('localDateOf', () => {
  it.each([
    ['Indian/Reunion', '2026-05-09T20:00:00Z', { year: 2026, month: 5, day: 10 }],
    ['Indian/Reunion', '2026-05-09T19:59:59Z', { year: 2026, month: 5, day: 9 }],
    ['Europe/Paris', '2026-01-19T23:00:00Z', { year: 2026, month: 1, day: 20 }],
    ['Europe/Paris', '2026-06-30T22:00:00Z', { year: 2026, month: 7, day: 1 }],
    ['Europe/Paris', '2026-06-30T21:59:59Z', { year: 2026, month: 6, day: 30 }],
    ['America/Cayenne', '2026-05-10T02:00:00Z', { year: 2026, month: 5, day: 9 }],
    ['Europe/Paris', '2025-12-31T23:30:00Z', { year: 2026, month: 1, day: 1 }],
  ])('in %s, %s is on %o', (zone, iso, expected) => {
    expect(localDateOf(new Date(iso), zone)).toEqual(expected);
  });

  it('reads the same date twice from one zone, and different dates from two zones', () => {
    const instant = new Date('2026-05-09T21:30:00Z');
    expect(localDateOf(instant, 'Indian/Reunion')).toEqual({ year: 2026, month: 5, day: 10 });
    expect(localDateOf(instant, 'America/Cayenne')).toEqual({ year: 2026, month: 5, day: 9 });
    expect(localDateOf(instant, 'Indian/Reunion')).toEqual({ year: 2026, month: 5, day: 10 });
    expect(localTimeOf(instant, 'Indian/Reunion')).toEqual({ hour: 1, minute: 30 });
  });

  it('rejects an unknown zone as Intl does', () => {
    expect(() => localDateOf(new Date('2026-01-01T00:00:00Z'), 'Mars/Olympus')).toThrow(RangeError);
  });
});

describe('localTimeOf', () => {
  it.each([
    ['Europe/Paris', '2026-01-15T23:00:00Z', { hour: 0, minute: 0 }],
    ['Europe/Paris', '2026-01-15T20:59:00Z', { hour: 21, minute: 59 }],
    ['Europe/Paris', '2026-07-15T20:00:00Z', { hour: 22, minute: 0 }],
    ['Indian/Reunion', '2026-07-15T01:59:00Z', { hour: 5, minute: 59 }],
    // The spring-forward hour: 02:00–03:00 does not exist in Paris on 2026-03-29.
    ['Europe/Paris', '2026-03-29T01:00:00Z', { hour: 3, minute: 0 }],
    ['Europe/Paris', '2026-03-29T00:59:00Z', { hour: 1, minute: 59 }],
  ])('in %s, %s reads %o', (zone, iso, expected) => {
    expect(localTimeOf(new Date(iso), zone)).toEqual(expected);
  });
});

describe('ageOn', () => {
  it.each([
    ['2013-05-10', { year: 2026, month: 5, day: 9 }, 12],
    ['2013-05-10', { year: 2026, month: 5, day: 10 }, 13],
    ['2013-05-10', { year: 2026, month: 4, day: 30 }, 12],
    ['2013-05-10', { year: 2026, month: 6, day: 1 }, 13],
    ['2013-12-31', { year: 2026, month: 12, day: 30 }, 12],
    ['2013-12-31', { year: 2026, month: 12, day: 31 }, 13],
    ['2013-01-01', { year: 2026, month: 1, day: 1 }, 13],
    ['2026-03-10', { year: 2026, month: 3, day: 10 }, 0],
  ])('born %s is, on %o, %i', (birthDate, on, expected) => {
    expect(ageOn(birthDate, on)).toBe(expected);
  });

  it('reaches a 29 February birthday on 1 March in a common year', () => {
    expect(ageOn('2012-02-29', { year: 2025, month: 2, day: 28 })).toBe(12);
    expect(ageOn('2012-02-29', { year: 2025, month: 3, day: 1 })).toBe(13);
  });

  it('reaches a 29 February birthday on 29 February in a leap year', () => {
    expect(ageOn('2012-02-29', { year: 2028, month: 2, day: 28 })).toBe(15);
    expect(ageOn('2012-02-29', { year: 2028, month: 2, day: 29 })).toBe(16);
  });

  it('refuses a birth date that is not YYYY-MM-DD', () => {
    expect(() => ageOn('10/05/2013', { year: 2026, month: 5, day: 10 })).toThrow(new RangeError('birthDate must be YYYY-MM-DD, got "10/05/2013"'));
  });

  it.each(['x2013-05-10', '2013-05-10x', '12013-05-10', '213-05-10', '2013-5-10', '2013-005-10', '2013-05-1', '2013-05-100', '2013_05_10', 'abcd-ef-gh', '2013-05-10T00:00:00Z'])(
    'refuses the birth date %s',
    (birthDate) => {
      expect(() => ageOn(birthDate, { year: 2026, month: 5, day: 10 })).toThrow(RangeError);
    },
  );

  it('counts a birthday later in the month, or in a later month, as not reached yet', () => {
    expect(ageOn('2013-05-20', { year: 2026, month: 5, day: 19 })).toBe(12);
    expect(ageOn('2013-05-20', { year: 2026, month: 5, day: 21 })).toBe(13);
    expect(ageOn('2013-06-01', { year: 2026, month: 5, day: 31 })).toBe(12);
    expect(ageOn('2013-04-30', { year: 2026, month: 5, day: 1 })).toBe(13);
  });
});
