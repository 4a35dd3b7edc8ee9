import { ageOn, countdown, formatDate, formatDateTime, fromLocalInput, toLocalInput } from '../src/format';

describe('console dates', () => {
  const now = new Date('2026-12-03T12:00:00Z');

  it('writes an instant in the département’s time zone, the French way', () => {
    expect(formatDateTime('2026-12-01T01:14:00Z', 'Europe/Paris', now)).toBe('mardi 1 décembre, 02 h 14');
    expect(formatDateTime('2026-12-01T01:14:00Z', 'America/Cayenne', now)).toBe('lundi 30 novembre, 22 h 14');
    expect(formatDateTime('2025-07-14T20:05:00Z', 'Europe/Paris', now)).toBe('lundi 14 juillet 2025, 22 h 05');
  });

  it('reads a datetime-local value as a wall time of the time zone, summer and winter', () => {
    expect(fromLocalInput('2026-12-01T02:14', 'Europe/Paris')).toBe('2026-12-01T01:14:00.000Z');
    expect(fromLocalInput('2026-07-01T02:14', 'Europe/Paris')).toBe('2026-07-01T00:14:00.000Z');
    expect(fromLocalInput('2026-07-01T02:14', 'Indian/Reunion')).toBe('2026-06-30T22:14:00.000Z');
    expect(fromLocalInput('', 'Europe/Paris')).toBeNull();
    expect(toLocalInput('2026-07-01T00:14:00.000Z', 'Europe/Paris')).toBe('2026-07-01T02:14');
  });

  it('gives dates, ages and the time left in words', () => {
    expect(formatDate('2013-05-10')).toBe('10 mai 2013');
    expect(ageOn('2013-05-10', now)).toBe(13);
    expect(ageOn('2013-12-04', now)).toBe(12);
    expect(countdown('2026-12-05T17:00:00Z', now)).toBe('dans 2 jours et 5 h');
    expect(countdown('2026-12-03T09:00:00Z', now)).toBe('en retard de 3 h');
    expect(countdown('2026-12-03T12:40:00Z', now)).toBe('dans 40 min');
  });
});
