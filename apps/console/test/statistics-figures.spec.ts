import { daysBefore, formatCount, formatDuration, formatShare, nextDay, today, weekLabel } from '../src/screens/statistics/figures';

describe('the numbers of the statistics page', () => {
  it('writes shares as French percentages, and a dash without a value', () => {
    expect(formatShare(0.375)).toMatch(/^37,5\s%$/);
    expect(formatShare(0.3333)).toMatch(/^33,3\s%$/);
    expect(formatShare(1)).toMatch(/^100\s%$/);
    expect(formatShare(null)).toBe('—');
  });

  it('writes durations in the largest units that read well', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(1800)).toBe('30 min');
    expect(formatDuration(3240)).toBe('54 min');
    expect(formatDuration(90_000)).toBe('1 j 1 h');
    expect(formatDuration(7500)).toBe('2 h 05');
  });

  it('writes counts with French digit grouping', () => {
    expect(formatCount(1234)).toMatch(/^1\s234$/);
  });

  it('moves between dates across months and years, and reads today in the time zone', () => {
    expect(nextDay('2025-03-31')).toBe('2025-04-01');
    expect(nextDay('2024-12-31')).toBe('2025-01-01');
    expect(daysBefore('2025-03-01', 1)).toBe('2025-02-28');
    expect(today('Europe/Paris', new Date('2025-03-31T22:30:00Z'))).toBe('2025-04-01');
    expect(today('America/Guadeloupe', new Date('2025-03-31T22:30:00Z'))).toBe('2025-03-31');
  });

  it('names a week by its number and its Monday', () => {
    expect(weekLabel('2025-W10', '2025-03-03')).toBe('S10 (3 mars)');
    expect(weekLabel('2025-W01', '2024-12-30')).toBe('S1 (30 déc.)');
  });
});
