import { canSeeFoyer, canSeeFugue, Caller, fugueScope, requireRole } from './caller';

const caller = (role: Caller['role'], scope: Partial<Caller> = {}): Caller => ({ clientId: 'c', role, foyerIds: [], departmentCodes: [], ...scope });
const fugue = (foyerId: string, departmentCode: string, effectiveLevel: 'routine' | 'worrying' | null) => ({ foyerId, departmentCode, effectiveLevel });

describe('scopes', () => {
  it('a foyer client sees the episodes of its foyers only', () => {
    const c = caller('foyer', { foyerIds: ['A'] });
    expect(canSeeFugue(c, fugue('A', '75', 'routine'))).toBe(true);
    expect(canSeeFugue(c, fugue('B', '75', 'worrying'))).toBe(false);
    expect(fugueScope(c)).toEqual({ foyerIds: ['A'], departmentCodes: null, worryingOnly: false });
  });

  it('police and child protection see every episode of their départements, routine included', () => {
    for (const role of ['police', 'child_protection'] as const) {
      const c = caller(role, { departmentCodes: ['75'] });
      expect(canSeeFugue(c, fugue('A', '75', 'routine'))).toBe(true);
      expect(canSeeFugue(c, fugue('A', '93', 'worrying'))).toBe(false);
    }
  });

  it('the hotline sees worrying episodes only, of its départements or of all when it has none', () => {
    expect(canSeeFugue(caller('hotline', { departmentCodes: ['75'] }), fugue('A', '75', 'worrying'))).toBe(true);
    expect(canSeeFugue(caller('hotline', { departmentCodes: ['75'] }), fugue('A', '93', 'worrying'))).toBe(false);
    expect(canSeeFugue(caller('hotline'), fugue('A', '93', 'worrying'))).toBe(true);
    expect(canSeeFugue(caller('hotline'), fugue('A', '93', 'routine'))).toBe(false);
    expect(canSeeFugue(caller('hotline'), fugue('A', '93', null))).toBe(false);
  });

  it('an admin sees everything', () => {
    expect(canSeeFugue(caller('admin'), fugue('Z', '976', null))).toBe(true);
    expect(canSeeFoyer(caller('admin'), { id: 'Z', departmentCode: '976' })).toBe(true);
  });

  it('foyers: by id for a foyer client, by département for referents, never for the hotline', () => {
    expect(canSeeFoyer(caller('foyer', { foyerIds: ['A'] }), { id: 'A', departmentCode: '75' })).toBe(true);
    expect(canSeeFoyer(caller('police', { departmentCodes: ['93'] }), { id: 'A', departmentCode: '75' })).toBe(false);
    expect(canSeeFoyer(caller('hotline'), { id: 'A', departmentCode: '75' })).toBe(false);
  });

  it('a role outside the allowed list is refused with FORBIDDEN', () => {
    expect(() => requireRole(caller('hotline'), ['admin', 'foyer'])).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => requireRole(caller('foyer'), ['admin', 'foyer'])).not.toThrow();
  });
});
