import type { FieldProblem } from '../errors/domain-error';
import { DomainError } from '../errors/domain-error';
import { DEFAULT_POLICY, rolesOf, scheduledStep, validatePolicy } from './escalation-policy';

describe('escalation policies', () => {
  const openedAt = new Date('2026-11-28T10:00:00Z');

  it('schedules the default policy: three steps, then the last repeated three times every 30 min', () => {
    const at = (step: number) => scheduledStep(DEFAULT_POLICY, openedAt, step);
    expect(at(0)).toEqual({ step: 0, roles: ['foyer_duty', 'child_protection', 'police'], at: openedAt, repeat: false });
    expect(at(1)?.at.toISOString()).toBe('2026-11-28T10:15:00.000Z');
    expect(at(2)).toMatchObject({ roles: ['prosecutor', 'department_duty'], repeat: false });
    expect(at(2)?.at.toISOString()).toBe('2026-11-28T10:45:00.000Z');
    expect(at(3)).toMatchObject({ roles: ['prosecutor', 'department_duty'], repeat: true });
    expect(at(3)?.at.toISOString()).toBe('2026-11-28T11:15:00.000Z');
    expect(at(5)?.at.toISOString()).toBe('2026-11-28T12:15:00.000Z');
    expect(at(6)).toBeNull();
  });

  it('stops after the last step when nothing repeats', () => {
    const policy = validatePolicy({ worrying: { steps: [{ afterSeconds: 0, notify: ['police'] }] } });
    expect(scheduledStep(policy, openedAt, 0)).not.toBeNull();
    expect(scheduledStep(policy, openedAt, 1)).toBeNull();
    expect(policy.routine).toEqual({ notify: ['foyer_duty'] });
  });

  it('accepts a valid policy and keeps only known fields', () => {
    const policy = validatePolicy({
      worrying: { steps: [{ afterSeconds: 0, notify: ['police'] }, { afterSeconds: 5, notify: ['prosecutor'] }], repeatLastStepEverySeconds: 10, maxRepeats: 1 },
      routine: { notify: ['foyer_duty'] },
    });
    expect(policy.worrying).toEqual({ steps: [{ afterSeconds: 0, notify: ['police'] }, { afterSeconds: 5, notify: ['prosecutor'] }], repeatLastStepEverySeconds: 10, maxRepeats: 1 });
    expect(rolesOf(policy)).toEqual(['foyer_duty', 'child_protection', 'police', 'prosecutor']);
  });

  it.each([
    ['no step', { worrying: { steps: [] } }, 'worrying.steps'],
    ['steps not increasing', { worrying: { steps: [{ afterSeconds: 10, notify: ['police'] }, { afterSeconds: 10, notify: ['police'] }] } }, 'worrying.steps.1.afterSeconds'],
    ['an unknown role', { worrying: { steps: [{ afterSeconds: 0, notify: ['mayor'] }] } }, 'worrying.steps.0.notify'],
    ['a negative delay', { worrying: { steps: [{ afterSeconds: -1, notify: ['police'] }] } }, 'worrying.steps.0.afterSeconds'],
    ['no worrying part', { routine: { notify: ['foyer_duty'] } }, 'worrying'],
    ['an unknown field', { worrying: { steps: [{ afterSeconds: 0, notify: ['police'] }] }, extra: 1 }, 'extra'],
    ['an empty notify list', { worrying: { steps: [{ afterSeconds: 0, notify: [] }] } }, 'worrying.steps.0.notify'],
  ])('refuses %s', (_name, input, field) => {
    expect(() => validatePolicy(input)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', details: expect.arrayContaining([expect.objectContaining({ field })]) }));
  });

  describe('validation, field by field', () => {
    const WEEK = 604_800;
    const ROLES = 'foyer_duty, child_protection, department_duty, police, prosecutor';
    const ROLE_LIST = `must be a list of 1 to 5 roles among ${ROLES}`;
    const step = (afterSeconds: unknown, notify: unknown = ['police']) => ({ afterSeconds, notify });
    const withWorrying = (worrying: Record<string, unknown>, rest: Record<string, unknown> = {}) => ({ worrying: { steps: [step(0)], ...worrying }, ...rest });

    /** The problems validatePolicy reports, [] when it accepts the policy. */
    function problemsOf(input: unknown): FieldProblem[] {
      try {
        validatePolicy(input);
        return [];
      } catch (error) {
        expect(error).toBeInstanceOf(DomainError);
        expect(error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'The escalation policy is invalid' });
        return (error as DomainError).details ?? [];
      }
    }

    it("keeps a département's own routine, disclosure and overdue-interview lists", () => {
      const policy = validatePolicy({
        worrying: { steps: [step(0)] },
        routine: { notify: ['department_duty'] },
        disclosure: { notify: ['child_protection'] },
        overdueInterview: { notify: ['prosecutor', 'police'] },
      });
      expect(policy).toEqual({
        worrying: { steps: [step(0)], repeatLastStepEverySeconds: null, maxRepeats: 0 },
        routine: { notify: ['department_duty'] },
        disclosure: { notify: ['child_protection'] },
        overdueInterview: { notify: ['prosecutor', 'police'] },
      });
    });

    it('takes the default lists for the groups a policy leaves out', () => {
      expect(validatePolicy({ worrying: { steps: [step(0)] } })).toEqual({
        worrying: { steps: [step(0)], repeatLastStepEverySeconds: null, maxRepeats: 0 },
        routine: { notify: ['foyer_duty'] },
        disclosure: { notify: ['prosecutor', 'police', 'child_protection'] },
        overdueInterview: { notify: ['child_protection', 'foyer_duty'] },
      });
    });

    it('refuses a role listed twice, in a step or in a group', () => {
      expect(problemsOf({ worrying: { steps: [step(0, ['police', 'police'])] } })).toEqual([{ field: 'worrying.steps.0.notify', message: 'must not repeat a role' }]);
      expect(problemsOf(withWorrying({}, { disclosure: { notify: ['prosecutor', 'prosecutor'] } }))).toEqual([{ field: 'disclosure.notify', message: 'must not repeat a role' }]);
    });

    it('refuses notify lists that are empty, too long, not lists, or name an unknown role', () => {
      expect(problemsOf({ worrying: { steps: [step(0, [])] } })).toEqual([{ field: 'worrying.steps.0.notify', message: ROLE_LIST }]);
      expect(problemsOf({ worrying: { steps: [step(0, 'police')] } })).toEqual([{ field: 'worrying.steps.0.notify', message: ROLE_LIST }]);
      expect(problemsOf({ worrying: { steps: [step(0, ['police', 'prosecutor', 'foyer_duty', 'child_protection', 'department_duty', 'police'])] } })).toEqual([
        { field: 'worrying.steps.0.notify', message: ROLE_LIST },
      ]);
      expect(problemsOf(withWorrying({}, { routine: { notify: [] } }))).toEqual([{ field: 'routine.notify', message: ROLE_LIST }]);
      expect(problemsOf(withWorrying({}, { overdueInterview: {} }))).toEqual([{ field: 'overdueInterview.notify', message: ROLE_LIST }]);
      expect(problemsOf({ worrying: { steps: [step(0, ['police', 'mayor'])] } })).toEqual([{ field: 'worrying.steps.0.notify', message: `unknown role; allowed: ${ROLES}` }]);
    });

    it('accepts all five roles in one list', () => {
      const all = ['foyer_duty', 'child_protection', 'department_duty', 'police', 'prosecutor'];
      expect(validatePolicy({ worrying: { steps: [step(0, all)] } }).worrying.steps[0].notify).toEqual(all);
      expect(rolesOf(validatePolicy({ worrying: { steps: [step(0, [...all].reverse())] } }))).toEqual(all);
    });

    it('refuses a group that is not an object, or carries another field', () => {
      expect(problemsOf(withWorrying({}, { routine: 'foyer_duty' }))).toEqual([{ field: 'routine', message: 'must be an object { notify: [...] }' }]);
      expect(problemsOf(withWorrying({}, { disclosure: null }))).toEqual([{ field: 'disclosure', message: 'must be an object { notify: [...] }' }]);
      expect(problemsOf(withWorrying({}, { routine: { notify: ['foyer_duty'], extra: true } }))).toEqual([{ field: 'routine.extra', message: 'is not a known field' }]);
    });

    it('refuses step delays outside 0 to 604800 whole seconds, and accepts both bounds', () => {
      const delay = 'must be a whole number of seconds from 0 to 604800';
      expect(problemsOf({ worrying: { steps: [step(0), step(WEEK)] } })).toEqual([]);
      expect(problemsOf({ worrying: { steps: [step(0), step(WEEK + 1)] } })).toEqual([{ field: 'worrying.steps.1.afterSeconds', message: delay }]);
      expect(problemsOf({ worrying: { steps: [step(-1)] } })).toEqual([{ field: 'worrying.steps.0.afterSeconds', message: delay }]);
      expect(problemsOf({ worrying: { steps: [step(0), step(1.5)] } })).toEqual([{ field: 'worrying.steps.1.afterSeconds', message: delay }]);
      expect(problemsOf({ worrying: { steps: [step('60')] } })).toEqual([{ field: 'worrying.steps.0.afterSeconds', message: delay }]);
      expect(problemsOf({ worrying: { steps: [{ notify: ['police'] }] } })).toEqual([{ field: 'worrying.steps.0.afterSeconds', message: delay }]);
    });

    it('refuses a step that does not come strictly after the one before', () => {
      const order = 'must be greater than the previous step';
      expect(problemsOf({ worrying: { steps: [step(60), step(30)] } })).toEqual([{ field: 'worrying.steps.1.afterSeconds', message: order }]);
      expect(problemsOf({ worrying: { steps: [step(0), step(60), step(60)] } })).toEqual([{ field: 'worrying.steps.2.afterSeconds', message: order }]);
      expect(problemsOf({ worrying: { steps: [step(0), step(1)] } })).toEqual([]);
      expect(validatePolicy({ worrying: { steps: [step(30), step(60)] } }).worrying.steps.map((s) => s.afterSeconds)).toEqual([30, 60]);
    });

    it('refuses a step that is not an object with afterSeconds and notify', () => {
      expect(problemsOf({ worrying: { steps: [null] } })).toEqual([
        { field: 'worrying.steps.0.afterSeconds', message: 'must be a whole number of seconds from 0 to 604800' },
        { field: 'worrying.steps.0.notify', message: ROLE_LIST },
      ]);
      expect(problemsOf({ worrying: { steps: [{ ...step(0), delay: 5 }] } })).toEqual([{ field: 'worrying.steps.0.delay', message: 'is not a known field' }]);
    });

    it('takes 1 to 20 steps', () => {
      const steps = (count: number) => Array.from({ length: count }, (_, i) => step(i * 60));
      expect(problemsOf({ worrying: { steps: steps(20) } })).toEqual([]);
      expect(problemsOf({ worrying: { steps: steps(21) } })).toEqual([{ field: 'worrying.steps', message: 'must have 1 to 20 steps' }]);
      expect(problemsOf({ worrying: { steps: [] } })).toEqual([{ field: 'worrying.steps', message: 'must have 1 to 20 steps' }]);
      expect(problemsOf({ worrying: { steps: { 0: step(0) } } })).toEqual([{ field: 'worrying.steps', message: 'must have 1 to 20 steps' }]);
    });

    it('refuses repeat intervals outside 1 to 604800 whole seconds, and accepts both bounds and null', () => {
      const every = 'must be a whole number of seconds from 1 to 604800, or null';
      for (const bad of [0, WEEK + 1, 1.5, '60']) {
        expect(problemsOf(withWorrying({ repeatLastStepEverySeconds: bad, maxRepeats: 1 }))).toEqual([{ field: 'worrying.repeatLastStepEverySeconds', message: every }]);
      }
      expect(validatePolicy(withWorrying({ repeatLastStepEverySeconds: 1, maxRepeats: 1 })).worrying.repeatLastStepEverySeconds).toBe(1);
      expect(validatePolicy(withWorrying({ repeatLastStepEverySeconds: WEEK, maxRepeats: 1 })).worrying.repeatLastStepEverySeconds).toBe(WEEK);
      expect(validatePolicy(withWorrying({ repeatLastStepEverySeconds: null, maxRepeats: 1 })).worrying).toMatchObject({ repeatLastStepEverySeconds: null, maxRepeats: 1 });
    });

    it('refuses max repeats outside 0 to 100 whole repeats, and accepts both bounds', () => {
      const max = 'must be a whole number from 0 to 100';
      for (const bad of [-1, 101, 2.5, '3', null]) {
        expect(problemsOf(withWorrying({ repeatLastStepEverySeconds: 60, maxRepeats: bad }))).toEqual([{ field: 'worrying.maxRepeats', message: max }]);
      }
      expect(validatePolicy(withWorrying({ repeatLastStepEverySeconds: 60, maxRepeats: 0 })).worrying.maxRepeats).toBe(0);
      expect(validatePolicy(withWorrying({ repeatLastStepEverySeconds: 60, maxRepeats: 100 })).worrying.maxRepeats).toBe(100);
    });

    it('refuses a worrying part that is missing or not an object, and unknown fields at each level', () => {
      const required = { field: 'worrying', message: 'is required: { steps: [...], repeatLastStepEverySeconds?, maxRepeats? }' };
      expect(problemsOf(null)).toEqual([required]);
      expect(problemsOf({ worrying: 'steps' })).toEqual([required]);
      expect(problemsOf(withWorrying({ repeatEvery: 60 }))).toEqual([{ field: 'worrying.repeatEvery', message: 'is not a known field' }]);
      expect(problemsOf(withWorrying({}, { escalation: {} }))).toEqual([{ field: 'escalation', message: 'is not a known field' }]);
    });

    it('reports every problem at once', () => {
      expect(problemsOf({ worrying: { steps: [step(-5, ['mayor'])], maxRepeats: 500 }, routine: { notify: [] } }).map((p) => p.field)).toEqual([
        'worrying.steps.0.afterSeconds',
        'worrying.steps.0.notify',
        'worrying.maxRepeats',
        'routine.notify',
      ]);
    });
  });

  describe('repeats', () => {
    const opened = new Date('2026-11-28T10:00:00Z');
    it('repeat the last step every interval after it, up to the maximum', () => {
      const policy = validatePolicy({ worrying: { steps: [{ afterSeconds: 60, notify: ['police'] }, { afterSeconds: 600, notify: ['prosecutor'] }], repeatLastStepEverySeconds: 300, maxRepeats: 2 } });
      expect(scheduledStep(policy, opened, 0)).toEqual({ step: 0, roles: ['police'], at: new Date('2026-11-28T10:01:00Z'), repeat: false });
      expect(scheduledStep(policy, opened, 2)).toEqual({ step: 2, roles: ['prosecutor'], at: new Date('2026-11-28T10:15:00Z'), repeat: true });
      expect(scheduledStep(policy, opened, 3)).toEqual({ step: 3, roles: ['prosecutor'], at: new Date('2026-11-28T10:20:00Z'), repeat: true });
      expect(scheduledStep(policy, opened, 4)).toBeNull();
    });

    it('do not happen with maxRepeats 0, even with an interval', () => {
      const none = validatePolicy({ worrying: { steps: [{ afterSeconds: 0, notify: ['police'] }], repeatLastStepEverySeconds: 300, maxRepeats: 0 } });
      expect(scheduledStep(none, opened, 1)).toBeNull();
    });
  });
});
