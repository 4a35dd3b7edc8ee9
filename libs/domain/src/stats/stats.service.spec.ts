import type { Caller } from '../access/caller';
import { DomainError } from '../errors/domain-error';
import { statsDepartments, statsPeriod } from './stats.service';

const caller = (role: Caller['role'], departmentCodes: string[] = []): Caller => ({ clientId: 'c', role, foyerIds: [], departmentCodes });
const now = new Date('2026-06-01T00:00:00Z');

describe('the period of the statistics', () => {
  it('is the year before now by default', () => {
    expect(statsPeriod({}, now)).toEqual({ from: new Date('2025-06-01T00:00:00Z'), to: now });
  });

  it('takes from and to as given, and refuses an empty or reversed one', () => {
    const from = new Date('2026-01-01T00:00:00Z');
    expect(statsPeriod({ from, to: now }, now)).toEqual({ from, to: now });
    expect(() => statsPeriod({ from: now, to: now }, now)).toThrow(DomainError);
    expect(() => statsPeriod({ from: now, to: from }, now)).toThrow('The request is invalid');
  });

  it('refuses a period of more than ten years', () => {
    expect(() => statsPeriod({ from: new Date('2016-01-01T00:00:00Z'), to: now }, now)).toThrow(DomainError);
  });
});

describe('the départements counted', () => {
  it('are all of them for an admin, or the one asked for', () => {
    expect(statsDepartments(caller('admin'), undefined)).toBeNull();
    expect(statsDepartments(caller('admin'), '93')).toEqual(['93']);
  });

  it("are the caller's, or one of them; another is not found", () => {
    expect(statsDepartments(caller('child_protection', ['93', '75']), undefined)).toEqual(['75', '93']);
    expect(statsDepartments(caller('child_protection', ['93', '75']), '75')).toEqual(['75']);
    expect(() => statsDepartments(caller('child_protection', ['75']), '93')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});

describe('dates as period bounds', () => {
  it("are local midnight in the answer's time zone", () => {
    expect(statsPeriod({ from: { year: 2025, month: 3, day: 1 }, to: { year: 2025, month: 4, day: 1 } }, now, 'Europe/Paris')).toEqual({
      from: new Date('2025-02-28T23:00:00Z'),
      to: new Date('2025-03-31T22:00:00Z'),
    });
    expect(() => statsPeriod({ from: { year: 2025, month: 3, day: 1 }, to: { year: 2025, month: 3, day: 1 } }, now, 'Europe/Paris')).toThrow(DomainError);
  });
});
