import { answersOf, interviewDeadlines, RecordInterviewInput, recordProblems, referralsToStore, revealedLabels, revealsDanger } from './interview-rules';

const HOUR = 3600_000;
const returnedAt = new Date('2026-03-02T08:00:00Z');
const now = new Date('2026-03-03T12:00:00Z');

const completed = (overrides: Partial<RecordInterviewInput> = {}): RecordInterviewInput => ({
  outcome: 'completed',
  conductedAt: new Date('2026-03-03T10:00:00Z'),
  conductedBy: 'Éducateur de test',
  interviewerIndependent: true,
  ...overrides,
});

describe('interview deadlines', () => {
  it('is due 72 h after the return, with a reminder 24 h before', () => {
    expect(interviewDeadlines(returnedAt)).toEqual({ dueAt: new Date('2026-03-05T08:00:00Z'), reminderDueAt: new Date('2026-03-04T08:00:00Z') });
  });

  it('counts hours, not calendar days, across a daylight-saving change', () => {
    const beforeChange = new Date('2026-03-28T12:00:00Z');
    expect(interviewDeadlines(beforeChange).dueAt.getTime() - beforeChange.getTime()).toBe(72 * HOUR);
  });
});

describe('the rules between the fields of a recorded interview', () => {
  it('accepts a complete interview', () => {
    expect(recordProblems(completed(), returnedAt, now)).toEqual([]);
  });

  it('requires when, by whom and whether the interviewer was independent for a completed interview, all at once', () => {
    expect(recordProblems({ outcome: 'completed' }, returnedAt, now)).toEqual([
      { field: 'conductedAt', message: 'is required when the interview was completed' },
      { field: 'conductedBy', message: 'is required when the interview was completed' },
      { field: 'interviewerIndependent', message: 'is required when the interview was completed' },
    ]);
    expect(recordProblems(completed({ interviewerIndependent: null }), returnedAt, now).map((p) => p.field)).toEqual(['interviewerIndependent']);
    expect(recordProblems(completed({ conductedBy: '' }), returnedAt, now).map((p) => p.field)).toEqual(['conductedBy']);
  });

  it('accepts interviewerIndependent false', () => {
    expect(recordProblems(completed({ interviewerIndependent: false }), returnedAt, now)).toEqual([]);
  });

  it('requires a reason, and no time, when the interview was not held', () => {
    expect(recordProblems({ outcome: 'not_held' }, returnedAt, now)).toEqual([{ field: 'reason', message: 'is required when the interview was not held' }]);
    expect(recordProblems({ outcome: 'not_held', reason: 'Jeune hospitalisé', conductedAt: now }, returnedAt, now)).toEqual([
      { field: 'conductedAt', message: 'must be absent when the interview was not held' },
    ]);
    expect(recordProblems({ outcome: 'not_held', reason: 'Jeune hospitalisé' }, returnedAt, now)).toEqual([]);
  });

  it('refuses a reason for any other outcome', () => {
    expect(recordProblems(completed({ reason: 'x' }), returnedAt, now)).toEqual([{ field: 'reason', message: 'is only for outcome not_held' }]);
    expect(recordProblems({ outcome: 'declined', reason: 'x' }, returnedAt, now).map((p) => p.field)).toEqual(['reason']);
  });

  it('lets a declined interview carry what carers know, without a time', () => {
    expect(recordProblems({ outcome: 'declined', exploitationIndicators: ['MULTIPLE_PHONES'] }, returnedAt, now)).toEqual([]);
  });

  it('places the interview between the return and now, 5 minutes of clock tolerance included', () => {
    expect(recordProblems(completed({ conductedAt: new Date(returnedAt.getTime() - 1) }), returnedAt, now)).toEqual([
      { field: 'conductedAt', message: 'must not be before the return' },
    ]);
    expect(recordProblems(completed({ conductedAt: returnedAt }), returnedAt, now)).toEqual([]);
    expect(recordProblems(completed({ conductedAt: new Date(now.getTime() + 5 * 60_000) }), returnedAt, now)).toEqual([]);
    expect(recordProblems(completed({ conductedAt: new Date(now.getTime() + 5 * 60_000 + 1) }), returnedAt, now)).toEqual([
      { field: 'conductedAt', message: 'must not be in the future' },
    ]);
  });
});

describe('what an interview reveals', () => {
  it.each([
    ['sexual exploitation', { disclosures: { sexualExploitation: true } }],
    ['violence', { disclosures: { violence: true } }],
    ['sexual violence', { disclosures: { sexualViolence: true } }],
    ['an exploitation indicator', { exploitationIndicators: ['HOTEL_OR_RENTAL'] }],
  ])('a disclosure of %s is a danger to report', (_what, input) => {
    expect(revealsDanger(input)).toBe(true);
    expect(referralsToStore({ ...input, referrals: ['MEDICAL_CHECK'] })).toEqual({ referrals: ['MEDICAL_CHECK', 'SIGNALEMENT_PROCUREUR'], signalementAdded: true });
  });

  it('nothing disclosed adds no referral', () => {
    const input = { disclosures: { sexualExploitation: false, violence: false, sexualViolence: false }, exploitationIndicators: [] };
    expect(revealsDanger(input)).toBe(false);
    expect(referralsToStore({ ...input, referrals: ['MEDICAL_CHECK', 'MEDICAL_CHECK'] })).toEqual({ referrals: ['MEDICAL_CHECK'], signalementAdded: false });
  });

  it('does not add SIGNALEMENT_PROCUREUR twice', () => {
    expect(referralsToStore({ disclosures: { violence: true }, referrals: ['SIGNALEMENT_PROCUREUR'] })).toEqual({ referrals: ['SIGNALEMENT_PROCUREUR'], signalementAdded: false });
  });

  it('names what was revealed in French, disclosures first, without free text', () => {
    expect(
      revealedLabels({ disclosedSexualExploitation: true, disclosedViolence: true, disclosedSexualViolence: false, exploitationIndicators: ['HOTEL_OR_RENTAL', 'UNKNOWN'] }),
    ).toEqual([
      { code: 'SEXUAL_EXPLOITATION', label: 'Exploitation sexuelle' },
      { code: 'VIOLENCE', label: 'Violences' },
      { code: 'HOTEL_OR_RENTAL', label: 'Clés d’hôtel ou location de courte durée évoquée' },
    ]);
  });

  it('names a sexual violence disclosure alone, and only what was disclosed', () => {
    const nothing = { disclosedSexualExploitation: false, disclosedViolence: false, disclosedSexualViolence: false, exploitationIndicators: [] };
    expect(revealedLabels(nothing)).toEqual([]);
    expect(revealedLabels({ ...nothing, disclosedSexualViolence: true })).toEqual([{ code: 'SEXUAL_VIOLENCE', label: 'Violences sexuelles' }]);
    expect(revealedLabels({ ...nothing, disclosedViolence: true })).toEqual([{ code: 'VIOLENCE', label: 'Violences' }]);
    expect(revealedLabels({ ...nothing, disclosedSexualExploitation: true })).toEqual([{ code: 'SEXUAL_EXPLOITATION', label: 'Exploitation sexuelle' }]);
    expect(revealedLabels({ disclosedSexualExploitation: true, disclosedViolence: true, disclosedSexualViolence: true, exploitationIndicators: [] }).map((r) => r.code)).toEqual([
      'SEXUAL_EXPLOITATION',
      'SEXUAL_VIOLENCE',
      'VIOLENCE',
    ]);
  });

  it('reports no danger for an interview that names neither disclosure nor indicator', () => {
    expect(revealsDanger({})).toBe(false);
    expect(revealsDanger({ disclosures: null, exploitationIndicators: [] })).toBe(false);
    expect(referralsToStore({})).toEqual({ referrals: [], signalementAdded: false });
  });
});

describe('the free-text answers of an interview', () => {
  it('are the text fields only, nothing of the outcome, the codes or the disclosures', () => {
    const input: RecordInterviewInput = {
      ...completed(),
      whereabouts: 'Gare de test',
      companions: 'Personne de test',
      transport: 'Train',
      resources: 'Argent de poche',
      healthNeeds: 'Aucun',
      youthWishes: 'Rentrer',
      reason: null,
      pushFactors: ['CONFLICT_WITH_STAFF'],
      disclosures: { violence: true },
      referrals: ['MEDICAL_CHECK'],
    };
    expect(answersOf(input)).toEqual({
      conductedBy: 'Éducateur de test',
      whereabouts: 'Gare de test',
      companions: 'Personne de test',
      transport: 'Train',
      resources: 'Argent de poche',
      healthNeeds: 'Aucun',
      youthWishes: 'Rentrer',
      reason: null,
    });
  });
});
