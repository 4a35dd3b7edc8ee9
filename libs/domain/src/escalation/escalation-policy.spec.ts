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
});
