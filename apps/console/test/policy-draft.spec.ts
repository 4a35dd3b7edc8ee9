import { validatePolicy } from '../../../libs/domain/src/escalation/escalation-policy';
import { bodyOf, delayWords, draftCoverage, draftOf, fieldId, frenchProblem, problemsByField, problemsOf, type PolicyDraft } from '../src/screens/admin/policy-draft';

const DEFAULT = validatePolicy({ worrying: { steps: [{ afterSeconds: 0, notify: ['foyer_duty', 'child_protection', 'police'] }, { afterSeconds: 900, notify: ['police'] }], repeatLastStepEverySeconds: 1800, maxRepeats: 3 } });

function draft(overrides: Partial<PolicyDraft> = {}): PolicyDraft {
  return { ...draftOf(DEFAULT), ...overrides };
}

/** What the API answers for the same body: its problems, or [] when it accepts it. */
function apiProblems(body: unknown): { field: string; message: string }[] {
  try {
    validatePolicy(body);
    return [];
  } catch (error) {
    return (error as { details: { field: string; message: string }[] }).details;
  }
}

describe("the escalation policy editor's draft", () => {
  it('shows delays in minutes and sends them in seconds, round trip', () => {
    const d = draftOf(DEFAULT);
    expect(d.steps.map((s) => s.afterMinutes)).toEqual(['0', '15']);
    expect(d.repeatEveryMinutes).toBe('30');
    expect(bodyOf(d)).toEqual({
      worrying: { steps: [{ afterSeconds: 0, notify: ['foyer_duty', 'child_protection', 'police'] }, { afterSeconds: 900, notify: ['police'] }], repeatLastStepEverySeconds: 1800, maxRepeats: 3 },
      routine: DEFAULT.routine,
      disclosure: DEFAULT.disclosure,
      overdueInterview: DEFAULT.overdueInterview,
    });
    expect(validatePolicy(bodyOf(d))).toEqual(DEFAULT);
  });

  it('sends no repetition when the interval is left empty, and reads a decimal comma', () => {
    const body = bodyOf(draft({ repeatEveryMinutes: ' ', maxRepeats: '', steps: [{ afterMinutes: '0', notify: ['child_protection'] }, { afterMinutes: '2,5', notify: ['police'] }] }));
    expect(body.worrying).toEqual({ steps: [{ afterSeconds: 0, notify: ['child_protection'] }, { afterSeconds: 150, notify: ['police'] }], repeatLastStepEverySeconds: null, maxRepeats: 0 });
    expect(problemsOf(draft({ repeatEveryMinutes: '', maxRepeats: '' }))).toEqual([]);
  });

  it.each<[string, Partial<PolicyDraft>, string]>([
    ['a step with no role', { steps: [{ afterMinutes: '0', notify: [] }] }, 'worrying.steps.0.notify'],
    ['steps not increasing', { steps: [{ afterMinutes: '10', notify: ['police'] }, { afterMinutes: '10', notify: ['police'] }] }, 'worrying.steps.1.afterSeconds'],
    ['a delay that is not a number', { steps: [{ afterMinutes: 'dix', notify: ['police'] }] }, 'worrying.steps.0.afterSeconds'],
    ['an empty delay', { steps: [{ afterMinutes: '', notify: ['police'] }] }, 'worrying.steps.0.afterSeconds'],
    ['a negative delay', { steps: [{ afterMinutes: '-1', notify: ['police'] }] }, 'worrying.steps.0.afterSeconds'],
    ['a delay past a week', { steps: [{ afterMinutes: '10081', notify: ['police'] }] }, 'worrying.steps.0.afterSeconds'],
    ['a delay finer than a second', { steps: [{ afterMinutes: '0.001', notify: ['police'] }] }, 'worrying.steps.0.afterSeconds'],
    ['no step', { steps: [] }, 'worrying.steps'],
    ['a zero repetition interval', { repeatEveryMinutes: '0' }, 'worrying.repeatLastStepEverySeconds'],
    ['too many repetitions', { maxRepeats: '101' }, 'worrying.maxRepeats'],
    ['repetitions that are not a whole number', { maxRepeats: '1.5' }, 'worrying.maxRepeats'],
    ['no role for the return interviews overdue', { overdueInterview: [] }, 'overdueInterview.notify'],
  ])('refuses %s on the field the API names, with the same problems as the API', (_name, overrides, field) => {
    const d = draft(overrides);
    const problems = problemsOf(d);
    expect(problems.map((p) => p.field)).toContain(field);
    expect(problems).toEqual(apiProblems(bodyOf(d)));
    expect(problemsByField(problems)[field].every((m) => !/^must|^unknown|^is not/.test(m))).toBe(true);
  });

  it('puts every known message of the API in French, and keeps an unknown one as it came', () => {
    for (const message of [
      'must be a list of 1 to 5 roles among foyer_duty, child_protection, department_duty, police, prosecutor',
      'unknown role; allowed: foyer_duty',
      'must not repeat a role',
      'must have 1 to 20 steps',
      'must be a whole number of seconds from 0 to 604800',
      'must be greater than the previous step',
      'must be a whole number of seconds from 1 to 604800, or null',
      'must be a whole number from 0 to 100',
      'is not a known field',
    ]) {
      expect(frenchProblem(message)).not.toBe(message);
    }
    expect(frenchProblem('something new')).toBe('something new');
  });

  it('names the roles no referent of the département covers, and the open foyers without duty', () => {
    const d = draft({ steps: [{ afterMinutes: '0', notify: ['child_protection'] }, { afterMinutes: '10', notify: ['police'] }], routine: ['foyer_duty'], disclosure: ['prosecutor'], overdueInterview: ['child_protection'] });
    const referents = [
      { role: 'child_protection', foyerId: null, channels: [{ type: 'email' }] },
      { role: 'foyer_duty', foyerId: 'f1', channels: [{ type: 'sms' }] },
      { role: 'prosecutor', foyerId: null, channels: [] },
    ];
    const foyers = [{ id: 'f1', closedAt: null }, { id: 'f2', closedAt: null }, { id: 'f3', closedAt: '2026-01-01T00:00:00Z' }];
    expect(draftCoverage(d, referents, foyers)).toEqual({ uncoveredRoles: ['police', 'prosecutor'], foyersWithoutDuty: ['f2'] });
    // Without foyer_duty in the policy, no foyer needs a duty referent.
    expect(draftCoverage({ ...d, routine: ['police'] }, referents, foyers).foyersWithoutDuty).toEqual([]);
  });

  it('says each delay in words and gives each field an id of its own', () => {
    expect(delayWords('0')).toBe('dès l’ouverture de l’alerte');
    expect(delayWords('10')).toBe('après 10 min');
    expect(delayWords('90')).toBe('après 1 h 30');
    expect(delayWords('120')).toBe('après 2 h');
    expect(delayWords('0,5')).toBe('après 30 s');
    expect(delayWords('abc')).toBe('délai à préciser');
    expect(fieldId('worrying.steps.1.afterSeconds')).toBe('politique-worrying-steps-1-afterSeconds');
  });
});
