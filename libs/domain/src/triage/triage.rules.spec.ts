import fc from 'fast-check';

import { classify, previewClassification } from './triage.rules';
import {
  Classification,
  HistoryEpisode,
  HistoryInterview,
  TriageEpisode,
  TriageInput,
  TriageYouth,
} from './triage.types';
import {
  AGGRAVATING_WEIGHTS,
  CRITICAL_CODES,
  DEPARTED_WITH_VALUES,
  EXPLOITATION_INDICATOR_CODES,
  INDICATOR_CODES,
  RULES,
  VULNERABILITY_CODES,
} from './vocabulary';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// 15:00 in Paris on a winter day: neither night nor a birthday of the default youth.
const T0 = new Date('2026-03-10T14:00:00.000Z');

interface Overrides {
  now?: Date;
  timeZone?: string;
  youth?: Partial<TriageYouth>;
  episode?: Partial<TriageEpisode>;
  otherEpisodes?: HistoryEpisode[];
  interviews?: HistoryInterview[];
}

function makeInput(overrides: Overrides = {}): TriageInput {
  const episode: TriageEpisode = {
    noticedMissingAt: T0,
    lastSeenAt: null,
    departedWith: null,
    belongings: null,
    indicators: [],
    staffConcern: null,
    updates: [],
    locatedAt: null,
    returnedAt: null,
    ...overrides.episode,
  };
  return {
    now: overrides.now ?? plus(episode.noticedMissingAt, HOUR),
    timeZone: overrides.timeZone ?? 'Europe/Paris',
    youth: { birthDate: '2009-01-01', vulnerabilities: [], vitalTreatment: false, ...overrides.youth },
    episode,
    history: { otherEpisodes: overrides.otherEpisodes ?? [], interviews: overrides.interviews ?? [] },
  };
}

function otherEpisode(overrides: Partial<HistoryEpisode> = {}): HistoryEpisode {
  return {
    noticedMissingAt: plus(T0, -60 * DAY),
    status: 'closed',
    locatedAt: null,
    returnedAt: null,
    effectiveLevel: 'routine',
    ...overrides,
  };
}

function interview(overrides: Partial<HistoryInterview> = {}): HistoryInterview {
  return {
    outcome: 'completed',
    conductedAt: plus(T0, -30 * DAY),
    sexualExploitation: true,
    exploitationIndicators: [],
    ...overrides,
  };
}

function plus(date: Date, ms: number): Date {
  return new Date(date.getTime() + ms);
}

function run(overrides: Overrides = {}): Classification {
  return classify(makeInput(overrides));
}

function codes(overrides: Overrides = {}): string[] {
  return run(overrides).reasons.map((reason) => reason.code);
}

function reason(code: string, overrides: Overrides = {}) {
  return run(overrides).reasons.find((found) => found.code === code);
}

describe('the default input', () => {
  it('is a routine episode with no reason, so each rule below is seen on its own', () => {
    expect(run()).toEqual({
      level: 'routine',
      score: 0,
      reasons: [],
      rulesetVersion: '2026.1',
      evaluatedAt: '2026-03-10T15:00:00.000Z',
      nextReviewAt: '2026-03-12T14:00:00.000Z',
    });
  });
});

describe('the rule table', () => {
  it('has every code of risk-model.md once, with its kind and weight', () => {
    expect(RULES.map((rule) => rule.code).sort()).toEqual(
      [...CRITICAL_CODES, ...Object.keys(AGGRAVATING_WEIGHTS)].sort(),
    );
    expect(new Set(RULES.map((rule) => rule.code)).size).toBe(RULES.length);
    expect(RULES.filter((rule) => rule.kind === 'critical').every((rule) => rule.weight === null)).toBe(true);
    expect(AGGRAVATING_WEIGHTS).toMatchObject({ PEER_EXPLOITED: 3, PRIOR_EXPLOITATION_DISCLOSURE: 3, AGE_13_14: 2 });
    expect(RULES.every((rule) => rule.label.length > 0)).toBe(true);
  });
});

describe('AGE_UNDER_13 and AGE_13_14', () => {
  it.each([
    ['2013-03-11', 12, ['AGE_UNDER_13'], 'worrying'],
    ['2013-03-10', 13, ['AGE_13_14'], 'routine'],
    ['2011-03-11', 14, ['AGE_13_14'], 'routine'],
    ['2011-03-10', 15, [], 'routine'],
  ])('born %s, aged %i at t0', (birthDate, _age, expected, level) => {
    const result = run({ youth: { birthDate } });
    expect(result.reasons.map((r) => r.code)).toEqual(expected);
    expect(result.level).toBe(level);
  });

  it('AGE_UNDER_13 is critical and computed; AGE_13_14 weighs 2', () => {
    expect(reason('AGE_UNDER_13', { youth: { birthDate: '2014-01-01' } })).toEqual({
      code: 'AGE_UNDER_13',
      kind: 'critical',
      weight: null,
      source: 'computed',
    });
    expect(reason('AGE_13_14', { youth: { birthDate: '2012-01-01' } })).toEqual({
      code: 'AGE_13_14',
      kind: 'aggravating',
      weight: 2,
      source: 'computed',
    });
  });

  const ageCodes = (timeZone: string, birthDate: string, t0: string) =>
    codes({ timeZone, youth: { birthDate }, episode: { noticedMissingAt: new Date(t0) } }).filter((code) =>
      code.startsWith('AGE_'),
    );

  describe('in Réunion (UTC+4), where the local date is a day ahead of UTC after 20:00 UTC', () => {
    it('turns 13 at local midnight of the birthday', () => {
      expect(ageCodes('Indian/Reunion', '2013-05-10', '2026-05-09T19:59:59.999Z')).toEqual(['AGE_UNDER_13']);
      expect(ageCodes('Indian/Reunion', '2013-05-10', '2026-05-09T20:00:00.000Z')).toEqual(['AGE_13_14']);
    });

    it('turns 15 at local midnight of the birthday', () => {
      expect(ageCodes('Indian/Reunion', '2011-05-10', '2026-05-09T19:59:59.999Z')).toEqual(['AGE_13_14']);
      expect(ageCodes('Indian/Reunion', '2011-05-10', '2026-05-09T20:00:00.000Z')).toEqual([]);
    });
  });

  describe('in Paris in winter (UTC+1)', () => {
    it('turns 13 at local midnight of the birthday', () => {
      expect(ageCodes('Europe/Paris', '2013-01-20', '2026-01-19T22:59:59.999Z')).toEqual(['AGE_UNDER_13']);
      expect(ageCodes('Europe/Paris', '2013-01-20', '2026-01-19T23:00:00.000Z')).toEqual(['AGE_13_14']);
    });

    it('turns 15 at local midnight of the birthday', () => {
      expect(ageCodes('Europe/Paris', '2011-01-20', '2026-01-19T22:59:59.999Z')).toEqual(['AGE_13_14']);
      expect(ageCodes('Europe/Paris', '2011-01-20', '2026-01-19T23:00:00.000Z')).toEqual([]);
    });
  });

  describe('in Paris in summer (UTC+2)', () => {
    it('turns 13 at local midnight of the birthday', () => {
      expect(ageCodes('Europe/Paris', '2013-07-01', '2026-06-30T21:59:59.999Z')).toEqual(['AGE_UNDER_13']);
      expect(ageCodes('Europe/Paris', '2013-07-01', '2026-06-30T22:00:00.000Z')).toEqual(['AGE_13_14']);
    });

    it('turns 15 at local midnight of the birthday', () => {
      expect(ageCodes('Europe/Paris', '2011-07-01', '2026-06-30T21:59:59.999Z')).toEqual(['AGE_13_14']);
      expect(ageCodes('Europe/Paris', '2011-07-01', '2026-06-30T22:00:00.000Z')).toEqual([]);
    });
  });

  it('in Guyane (UTC−3), the UTC birthday is not yet the local one', () => {
    expect(ageCodes('America/Cayenne', '2013-05-10', '2026-05-10T02:59:59.999Z')).toEqual(['AGE_UNDER_13']);
    expect(ageCodes('America/Cayenne', '2013-05-10', '2026-05-10T03:00:00.000Z')).toEqual(['AGE_13_14']);
  });

  it('reaches a 29 February birthday on 1 March in a common year', () => {
    expect(ageCodes('Europe/Paris', '2012-02-29', '2025-02-28T12:00:00.000Z')).toEqual(['AGE_UNDER_13']);
    expect(ageCodes('Europe/Paris', '2012-02-29', '2025-02-28T23:00:00.000Z')).toEqual(['AGE_13_14']);
    expect(ageCodes('Europe/Paris', '2012-02-29', '2027-02-28T12:00:00.000Z')).toEqual(['AGE_13_14']);
    expect(ageCodes('Europe/Paris', '2012-02-29', '2027-03-01T12:00:00.000Z')).toEqual([]);
  });
});

describe('VITAL_TREATMENT', () => {
  it('holds from the profile, critical', () => {
    const result = run({ youth: { vitalTreatment: true } });
    expect(result.level).toBe('worrying');
    expect(result.reasons).toEqual([{ code: 'VITAL_TREATMENT', kind: 'critical', weight: null, source: 'youth' }]);
  });

  it('does not hold otherwise', () => {
    expect(codes({ youth: { vitalTreatment: false } })).toEqual([]);
  });
});

describe('DISABILITY', () => {
  it('holds from the youth vulnerabilities, critical', () => {
    expect(run({ youth: { vulnerabilities: ['DISABILITY'] } }).reasons).toEqual([
      { code: 'DISABILITY', kind: 'critical', weight: null, source: 'youth' },
    ]);
  });

  it('is not an episode indicator: sent as one, it is ignored', () => {
    expect(codes({ episode: { indicators: ['DISABILITY'] } })).toEqual([]);
  });
});

describe.each(['SUICIDE_RISK', 'THIRD_PARTY_DANGER', 'EXPLOITATION_KNOWN'])('%s', (code) => {
  it('holds from the report, critical', () => {
    const result = run({ episode: { indicators: [code] } });
    expect(result.level).toBe('worrying');
    expect(result.reasons).toEqual([{ code, kind: 'critical', weight: null, source: 'report' }]);
  });

  it.each(['update', 'hotline'] as const)('holds from a later %s', (source) => {
    expect(reason(code, { episode: { updates: [{ source, indicators: [code] }] } })?.source).toBe(source);
  });

  it('is not a profile flag', () => {
    expect(codes({ youth: { vulnerabilities: [code] } })).toEqual([]);
  });
});

describe('STAFF_CONCERN', () => {
  const worrying = { worrying: true };
  const notWorrying = { worrying: false };

  it('holds when the declaration says worrying, critical, source report', () => {
    const result = run({ episode: { staffConcern: worrying } });
    expect(result.level).toBe('worrying');
    expect(result.reasons).toEqual([{ code: 'STAFF_CONCERN', kind: 'critical', weight: null, source: 'report' }]);
  });

  it('does not hold when the declaration says not worrying', () => {
    expect(codes({ episode: { staffConcern: notWorrying } })).toEqual([]);
  });

  it('raised at declaration then lowered by an update no longer holds', () => {
    const result = run({
      episode: { staffConcern: worrying, updates: [{ source: 'update', indicators: [], staffConcern: notWorrying }] },
    });
    expect(result.level).toBe('routine');
    expect(result.reasons).toEqual([]);
  });

  it('raised by an update holds with source update', () => {
    expect(
      reason('STAFF_CONCERN', {
        episode: { staffConcern: notWorrying, updates: [{ source: 'update', indicators: [], staffConcern: worrying }] },
      })?.source,
    ).toBe('update');
  });

  it('lowered then raised again holds, from the update that raised it', () => {
    const updates = [
      { source: 'update' as const, indicators: [], staffConcern: notWorrying },
      { source: 'update' as const, indicators: [], staffConcern: worrying },
    ];
    expect(reason('STAFF_CONCERN', { episode: { staffConcern: worrying, updates } })?.source).toBe('update');
  });

  it('an update that says nothing about it leaves the last judgement standing', () => {
    const updates = [
      { source: 'update' as const, indicators: [] },
      { source: 'update' as const, indicators: [], staffConcern: null },
    ];
    expect(reason('STAFF_CONCERN', { episode: { staffConcern: worrying, updates } })?.source).toBe('report');
  });

  it('the hotline can neither raise nor lower it', () => {
    expect(codes({ episode: { updates: [{ source: 'hotline', indicators: [], staffConcern: worrying }] } })).toEqual(
      [],
    );
    expect(
      reason('STAFF_CONCERN', {
        episode: { staffConcern: worrying, updates: [{ source: 'hotline', indicators: [], staffConcern: notWorrying }] },
      })?.source,
    ).toBe('report');
  });
});

describe('LONG_ABSENCE', () => {
  // Paris, t0 on 2026-03-10 local: born 2011-03-11 is 14 years 364 days old, born 2011-03-10 is 15.
  const aged14 = { birthDate: '2011-03-11' };
  const aged15 = { birthDate: '2011-03-10' };
  const longAbsence = (youth: Partial<TriageYouth>, now: Date, episode: Partial<TriageEpisode> = {}) =>
    codes({ youth, now, episode }).includes('LONG_ABSENCE');

  it('under 15, holds from exactly 24 h while the episode has not ended', () => {
    expect(longAbsence(aged14, plus(T0, 24 * HOUR - 1))).toBe(false);
    expect(longAbsence(aged14, plus(T0, 24 * HOUR))).toBe(true);
  });

  it('at 15, holds from exactly 48 h, not at 24 h', () => {
    expect(longAbsence(aged15, plus(T0, 24 * HOUR))).toBe(false);
    expect(longAbsence(aged15, plus(T0, 48 * HOUR - 1))).toBe(false);
    expect(longAbsence(aged15, plus(T0, 48 * HOUR))).toBe(true);
  });

  it('is critical and computed', () => {
    expect(reason('LONG_ABSENCE', { youth: aged15, now: plus(T0, 50 * HOUR) })).toEqual({
      code: 'LONG_ABSENCE',
      kind: 'critical',
      weight: null,
      source: 'computed',
    });
  });

  it('once ended, counts the absence up to its end, not up to now', () => {
    expect(longAbsence(aged15, plus(T0, 30 * DAY), { returnedAt: plus(T0, 2 * HOUR) })).toBe(false);
    expect(longAbsence(aged14, plus(T0, 30 * DAY), { locatedAt: plus(T0, 24 * HOUR - 1) })).toBe(false);
    expect(longAbsence(aged15, plus(T0, 30 * DAY), { returnedAt: plus(T0, 48 * HOUR) })).toBe(true);
  });

  it('ends at the first of located and returned', () => {
    const now = plus(T0, 30 * DAY);
    expect(longAbsence(aged15, now, { locatedAt: plus(T0, 47 * HOUR), returnedAt: plus(T0, 60 * HOUR) })).toBe(false);
    expect(longAbsence(aged15, now, { locatedAt: plus(T0, 60 * HOUR), returnedAt: plus(T0, 47 * HOUR) })).toBe(false);
    expect(longAbsence(aged15, now, { locatedAt: plus(T0, 48 * HOUR), returnedAt: plus(T0, 60 * HOUR) })).toBe(true);
  });

  it('takes the age on the local date of t0 (Réunion, evening before the 15th birthday in UTC)', () => {
    const t0 = new Date('2026-05-09T20:00:00.000Z'); // 2026-05-10 00:00 in Réunion
    const input = { timeZone: 'Indian/Reunion', youth: { birthDate: '2011-05-10' }, now: plus(t0, 30 * HOUR) };
    expect(codes({ ...input, episode: { noticedMissingAt: t0 } })).not.toContain('LONG_ABSENCE');
    const dayBefore = plus(t0, -1);
    expect(codes({ ...input, now: plus(dayBefore, 30 * HOUR), episode: { noticedMissingAt: dayBefore } })).toContain(
      'LONG_ABSENCE',
    );
  });
});

describe('REPEATED_FUGUES', () => {
  const startedAt = (...offsets: number[]) => offsets.map((ms) => otherEpisode({ noticedMissingAt: plus(T0, ms) }));

  it('holds with exactly 3 episodes in [t0 − 30 days, t0], the oldest exactly at t0 − 30 days', () => {
    const result = run({ otherEpisodes: startedAt(-30 * DAY, -10 * DAY) });
    expect(result.level).toBe('worrying');
    expect(result.reasons).toContainEqual({ code: 'REPEATED_FUGUES', kind: 'critical', weight: null, source: 'history' });
  });

  it('does not hold when one of them started a second before t0 − 30 days', () => {
    expect(codes({ otherEpisodes: startedAt(-30 * DAY - 1000, -10 * DAY) })).not.toContain('REPEATED_FUGUES');
  });

  it('does not hold with this episode and one other', () => {
    expect(codes({ otherEpisodes: startedAt(-10 * DAY) })).not.toContain('REPEATED_FUGUES');
  });

  it('counts an episode noticed at the same instant as t0, not one noticed after', () => {
    expect(codes({ otherEpisodes: startedAt(0, -DAY) })).toContain('REPEATED_FUGUES');
    expect(codes({ otherEpisodes: startedAt(1, -DAY) })).not.toContain('REPEATED_FUGUES');
  });

  it('ignores cancelled episodes', () => {
    const otherEpisodes = [
      otherEpisode({ noticedMissingAt: plus(T0, -5 * DAY), status: 'cancelled' }),
      otherEpisode({ noticedMissingAt: plus(T0, -10 * DAY) }),
    ];
    expect(codes({ otherEpisodes })).not.toContain('REPEATED_FUGUES');
  });

  it('counts episodes whatever their status and end', () => {
    const otherEpisodes = [
      otherEpisode({ noticedMissingAt: plus(T0, -5 * DAY), status: 'returned', returnedAt: plus(T0, -4 * DAY) }),
      otherEpisode({ noticedMissingAt: plus(T0, -10 * DAY), status: 'located', locatedAt: plus(T0, -9 * DAY) }),
    ];
    expect(codes({ otherEpisodes })).toContain('REPEATED_FUGUES');
  });
});

describe('indicator factors (report, update or hotline)', () => {
  it.each([
    ['PEER_EXPLOITED', 3],
    ['CLOTHING_LIFESTYLE_CHANGE', 2],
    ['UNEXPLAINED_MONEY_OR_GIFTS', 2],
    ['MULTIPLE_PHONES', 2],
    ['VEHICLE_NEAR_FOYER', 2],
    ['OLDER_PARTNER', 2],
    ['ONLINE_SOLICITATION', 2],
    ['HOTEL_OR_RENTAL', 2],
    ['VIOLENCE_SIGNS', 2],
    ['PREGNANCY_OR_STI', 2],
    ['BEHAVIOUR_CHANGE', 1],
    ['SCHOOL_DROPOUT', 1],
    ['SUBSTANCE_USE', 1],
  ])('%s weighs %i from each source', (code, weight) => {
    expect(run({ episode: { indicators: [code] } })).toMatchObject({
      level: 'routine',
      score: weight,
      reasons: [{ code, kind: 'aggravating', weight, source: 'report' }],
    });
    for (const source of ['update', 'hotline'] as const) {
      expect(reason(code, { episode: { updates: [{ source, indicators: [code] }] } })).toEqual({
        code,
        kind: 'aggravating',
        weight,
        source,
      });
    }
  });

  it('counts a code given by several sources once, naming the first in report, update, hotline order', () => {
    const result = run({
      episode: {
        indicators: ['MULTIPLE_PHONES'],
        updates: [
          { source: 'hotline', indicators: ['MULTIPLE_PHONES', 'OLDER_PARTNER'] },
          { source: 'update', indicators: ['MULTIPLE_PHONES', 'OLDER_PARTNER', 'OLDER_PARTNER'] },
        ],
      },
    });
    expect(result.reasons).toEqual([
      { code: 'MULTIPLE_PHONES', kind: 'aggravating', weight: 2, source: 'report' },
      { code: 'OLDER_PARTNER', kind: 'aggravating', weight: 2, source: 'update' },
    ]);
    expect(result.score).toBe(4);
  });
});

describe.each(['ALLOWANCE_UNUSED', 'ADVERSE_WEATHER'])('%s (report or update only)', (code) => {
  it('weighs 1 from the report', () => {
    expect(reason(code, { episode: { indicators: [code] } })).toEqual({
      code,
      kind: 'aggravating',
      weight: 1,
      source: 'report',
    });
  });

  it('holds from an update', () => {
    expect(reason(code, { episode: { updates: [{ source: 'update', indicators: [code] }] } })?.source).toBe('update');
  });

  it('is ignored when only the hotline gives it', () => {
    const result = run({ episode: { updates: [{ source: 'hotline', indicators: [code] }] } });
    expect(result.reasons).toEqual([]);
    expect(result.score).toBe(0);
  });

  it('given by the hotline and an update, names the update', () => {
    const updates = [
      { source: 'hotline' as const, indicators: [code] },
      { source: 'update' as const, indicators: [code] },
    ];
    expect(reason(code, { episode: { updates } })?.source).toBe('update');
  });
});

describe.each(['SCHOOL_DROPOUT', 'SUBSTANCE_USE'])('%s (any source, profile included)', (code) => {
  it('holds from the profile alone, source youth', () => {
    expect(run({ youth: { vulnerabilities: [code] } }).reasons).toEqual([
      { code, kind: 'aggravating', weight: 1, source: 'youth' },
    ]);
  });

  it('given by both the profile and the report, counts once with source report', () => {
    const result = run({ youth: { vulnerabilities: [code] }, episode: { indicators: [code] } });
    expect(result.reasons).toEqual([{ code, kind: 'aggravating', weight: 1, source: 'report' }]);
    expect(result.score).toBe(1);
  });

  it('given by the profile and the hotline, names the hotline', () => {
    expect(
      reason(code, { youth: { vulnerabilities: [code] }, episode: { updates: [{ source: 'hotline', indicators: [code] }] } })
        ?.source,
    ).toBe('hotline');
  });
});

describe.each(['HISTORY_SEXUAL_VIOLENCE', 'HISTORY_FAMILY_VIOLENCE', 'UNACCOMPANIED_MINOR', 'ERRANCE'])(
  '%s (profile only)',
  (code) => {
    it('weighs 1 from the youth vulnerabilities', () => {
      expect(run({ youth: { vulnerabilities: [code] } }).reasons).toEqual([
        { code, kind: 'aggravating', weight: 1, source: 'youth' },
      ]);
    });

    it('is ignored as an episode indicator', () => {
      expect(codes({ episode: { indicators: [code], updates: [{ source: 'update', indicators: [code] }] } })).toEqual(
        [],
      );
    });
  },
);

describe('VEHICLE_NEAR_FOYER', () => {
  it('holds when the youth departed in a vehicle, source report', () => {
    expect(run({ episode: { departedWith: 'vehicle' } }).reasons).toEqual([
      { code: 'VEHICLE_NEAR_FOYER', kind: 'aggravating', weight: 2, source: 'report' },
    ]);
  });

  it('departed in a vehicle and reported by the hotline counts once, source report', () => {
    const result = run({
      episode: { departedWith: 'vehicle', updates: [{ source: 'hotline', indicators: ['VEHICLE_NEAR_FOYER'] }] },
    });
    expect(result.reasons).toEqual([{ code: 'VEHICLE_NEAR_FOYER', kind: 'aggravating', weight: 2, source: 'report' }]);
    expect(result.score).toBe(2);
  });

  it.each(['alone', 'peers', 'adult', 'unknown', null])('does not hold for departedWith %s alone', (departedWith) => {
    expect(codes({ episode: { departedWith } })).toEqual([]);
  });
});

describe('NIGHT_DEPARTURE', () => {
  const night = (timeZone: string, lastSeenAt: string | null, t0: string) =>
    codes({
      timeZone,
      episode: { noticedMissingAt: new Date(t0), lastSeenAt: lastSeenAt === null ? null : new Date(lastSeenAt) },
    }).includes('NIGHT_DEPARTURE');

  it.each([
    ['21:59', '2026-01-15T20:59:00.000Z', false],
    ['22:00', '2026-01-15T21:00:00.000Z', true],
    ['00:00', '2026-01-15T23:00:00.000Z', true],
    ['05:59', '2026-01-16T04:59:00.000Z', true],
    ['06:00', '2026-01-16T05:00:00.000Z', false],
  ])('in Paris in winter, t0 at %s local → %s', (_local, t0, expected) => {
    expect(night('Europe/Paris', null, t0)).toBe(expected);
  });

  it.each([
    ['21:59', '2026-07-15T19:59:00.000Z', false],
    ['22:00', '2026-07-15T20:00:00.000Z', true],
    ['05:59', '2026-07-16T03:59:00.000Z', true],
    ['06:00', '2026-07-16T04:00:00.000Z', false],
  ])('in Paris in summer, t0 at %s local → %s', (_local, t0, expected) => {
    expect(night('Europe/Paris', null, t0)).toBe(expected);
  });

  it.each([
    ['21:59', '2026-07-15T17:59:00.000Z', false],
    ['22:00', '2026-07-15T18:00:00.000Z', true],
    ['05:59', '2026-07-16T01:59:00.000Z', true],
    ['06:00', '2026-07-16T02:00:00.000Z', false],
  ])('in Réunion, t0 at %s local → %s', (_local, t0, expected) => {
    expect(night('Indian/Reunion', null, t0)).toBe(expected);
  });

  it('reads lastSeenAt rather than t0 when it is given', () => {
    // last seen 23:00 local, noticed missing 08:00 local
    expect(night('Europe/Paris', '2026-01-15T22:00:00.000Z', '2026-01-16T07:00:00.000Z')).toBe(true);
    // last seen 20:00 local, noticed missing 23:30 local
    expect(night('Europe/Paris', '2026-01-15T19:00:00.000Z', '2026-01-15T22:30:00.000Z')).toBe(false);
  });

  it('weighs 1, computed', () => {
    expect(run({ episode: { noticedMissingAt: new Date('2026-01-15T22:00:00.000Z') } }).reasons).toEqual([
      { code: 'NIGHT_DEPARTURE', kind: 'aggravating', weight: 1, source: 'computed' },
    ]);
  });
});

describe('LEFT_WITHOUT_MEANS', () => {
  it('holds when phone and money are both explicitly false, source report', () => {
    expect(run({ episode: { belongings: { phone: false, money: false } } }).reasons).toEqual([
      { code: 'LEFT_WITHOUT_MEANS', kind: 'aggravating', weight: 1, source: 'report' },
    ]);
    expect(codes({ episode: { belongings: { phone: false, money: false, idDocument: true } } })).toEqual([
      'LEFT_WITHOUT_MEANS',
    ]);
  });

  it.each([
    [{ phone: false, money: null }],
    [{ phone: false }],
    [{ money: false }],
    [{ phone: true, money: false }],
    [{ phone: false, money: true }],
    [{ phone: null, money: null, idDocument: false }],
    [null],
  ])('does not hold for belongings %o', (belongings) => {
    expect(codes({ episode: { belongings } })).toEqual([]);
  });
});

describe('PRIOR_WORRYING_EPISODE', () => {
  const worryingAt = (ms: number, overrides: Partial<HistoryEpisode> = {}) =>
    codes({ otherEpisodes: [otherEpisode({ noticedMissingAt: plus(T0, ms), effectiveLevel: 'worrying', ...overrides })] });

  it('holds for a worrying episode in [t0 − 365 days, t0), weight 2, source history', () => {
    expect(
      reason('PRIOR_WORRYING_EPISODE', {
        otherEpisodes: [otherEpisode({ noticedMissingAt: plus(T0, -365 * DAY), effectiveLevel: 'worrying' })],
      }),
    ).toEqual({ code: 'PRIOR_WORRYING_EPISODE', kind: 'aggravating', weight: 2, source: 'history' });
    expect(worryingAt(-1)).toContain('PRIOR_WORRYING_EPISODE');
  });

  it('does not hold just outside the window, nor at t0 itself', () => {
    expect(worryingAt(-365 * DAY - 1)).not.toContain('PRIOR_WORRYING_EPISODE');
    expect(worryingAt(0)).not.toContain('PRIOR_WORRYING_EPISODE');
  });

  it('reads the effective level only', () => {
    expect(worryingAt(-DAY * 100, { effectiveLevel: 'routine' })).not.toContain('PRIOR_WORRYING_EPISODE');
    expect(worryingAt(-DAY * 100, { effectiveLevel: null })).not.toContain('PRIOR_WORRYING_EPISODE');
  });

  it('ignores a cancelled episode', () => {
    expect(worryingAt(-DAY * 100, { status: 'cancelled' })).not.toContain('PRIOR_WORRYING_EPISODE');
  });
});

describe('SHORT_REPEATED_FUGUES', () => {
  // Older than 30 days, so REPEATED_FUGUES stays out of the way.
  const short = (daysAgo: number, lastedMs: number, overrides: Partial<HistoryEpisode> = {}) => {
    const noticedMissingAt = plus(T0, -daysAgo * DAY);
    return otherEpisode({ noticedMissingAt, returnedAt: plus(noticedMissingAt, lastedMs), status: 'closed', ...overrides });
  };

  it('holds with two other episodes in [t0 − 90 days, t0) that each ended within 48 h, weight 2', () => {
    const result = run({ otherEpisodes: [short(40, 3 * HOUR), short(60, 48 * HOUR - 1)] });
    expect(result.reasons).toEqual([{ code: 'SHORT_REPEATED_FUGUES', kind: 'aggravating', weight: 2, source: 'history' }]);
  });

  it('does not hold with a single one', () => {
    expect(codes({ otherEpisodes: [short(40, 3 * HOUR), short(60, 72 * HOUR)] })).toEqual([]);
  });

  it('an episode that ended exactly 48 h after its t0 is not short', () => {
    expect(codes({ otherEpisodes: [short(40, 3 * HOUR), short(60, 48 * HOUR)] })).toEqual([]);
  });

  it('an episode that has not ended does not count', () => {
    const open = otherEpisode({ noticedMissingAt: plus(T0, -60 * DAY), status: 'missing' });
    expect(codes({ otherEpisodes: [short(40, 3 * HOUR), open] })).toEqual([]);
  });

  it('ends an episode at the first of located and returned', () => {
    const located = short(60, 72 * HOUR, { locatedAt: plus(T0, -60 * DAY + 5 * HOUR), status: 'returned' });
    expect(codes({ otherEpisodes: [short(40, 3 * HOUR), located] })).toEqual(['SHORT_REPEATED_FUGUES']);
  });

  it('counts t0 − 90 days exactly, not a millisecond earlier', () => {
    const at = (ms: number) => {
      const noticedMissingAt = plus(T0, ms);
      return otherEpisode({ noticedMissingAt, returnedAt: plus(noticedMissingAt, HOUR) });
    };
    expect(codes({ otherEpisodes: [short(40, HOUR), at(-90 * DAY)] })).toEqual(['SHORT_REPEATED_FUGUES']);
    expect(codes({ otherEpisodes: [short(40, HOUR), at(-90 * DAY - 1)] })).toEqual([]);
  });

  it('ignores cancelled episodes', () => {
    expect(codes({ otherEpisodes: [short(40, HOUR), short(60, HOUR, { status: 'cancelled' })] })).toEqual([]);
  });
});

describe('PRIOR_EXPLOITATION_DISCLOSURE', () => {
  const disclosure = (overrides: Partial<HistoryInterview>) =>
    codes({ interviews: [interview(overrides)] }).includes('PRIOR_EXPLOITATION_DISCLOSURE');

  it('holds for a completed interview that recorded sexual exploitation, weight 3, source history', () => {
    expect(run({ interviews: [interview()] })).toMatchObject({
      level: 'routine',
      score: 3,
      reasons: [{ code: 'PRIOR_EXPLOITATION_DISCLOSURE', kind: 'aggravating', weight: 3, source: 'history' }],
    });
  });

  it('holds for a completed interview that recorded an exploitation indicator only', () => {
    expect(disclosure({ sexualExploitation: false, exploitationIndicators: ['MULTIPLE_PHONES'] })).toBe(true);
    expect(disclosure({ sexualExploitation: false, exploitationIndicators: ['EXPLOITATION_KNOWN'] })).toBe(true);
  });

  it('does not hold for an interview that disclosed nothing (or only codes it does not know)', () => {
    expect(disclosure({ sexualExploitation: false, exploitationIndicators: [] })).toBe(false);
    expect(disclosure({ sexualExploitation: false, exploitationIndicators: ['NOT_A_CODE'] })).toBe(false);
  });

  it.each(['declined', 'not_held', 'scheduled'] as const)('ignores an interview whose outcome is %s', (outcome) => {
    expect(disclosure({ outcome })).toBe(false);
  });

  it('reads conductedAt in [t0 − 365 days, t0)', () => {
    expect(disclosure({ conductedAt: plus(T0, -365 * DAY) })).toBe(true);
    expect(disclosure({ conductedAt: plus(T0, -1) })).toBe(true);
    expect(disclosure({ conductedAt: plus(T0, -365 * DAY - 1) })).toBe(false);
    expect(disclosure({ conductedAt: T0 })).toBe(false);
    expect(disclosure({ conductedAt: null })).toBe(false);
  });
});

describe('level and score', () => {
  it('score exactly 3 is routine', () => {
    expect(run({ episode: { indicators: ['PEER_EXPLOITED'] } })).toMatchObject({ level: 'routine', score: 3 });
  });

  it('score exactly 4 is worrying', () => {
    expect(run({ episode: { indicators: ['PEER_EXPLOITED', 'ALLOWANCE_UNUSED'] } })).toMatchObject({
      level: 'worrying',
      score: 4,
    });
  });

  it('one critical trigger is worrying with a score of 0', () => {
    expect(run({ youth: { vitalTreatment: true } })).toMatchObject({ level: 'worrying', score: 0 });
  });

  it('the score counts aggravating factors only', () => {
    expect(run({ youth: { birthDate: '2014-01-01' }, episode: { indicators: ['MULTIPLE_PHONES'] } })).toMatchObject({
      level: 'worrying',
      score: 2,
    });
  });
});

describe('reasons order', () => {
  it('lists critical triggers alphabetically, then aggravating factors by weight then code', () => {
    const result = run({
      youth: { birthDate: '2014-01-01', vitalTreatment: true, vulnerabilities: ['ERRANCE'] },
      episode: {
        noticedMissingAt: new Date('2026-01-15T22:00:00.000Z'),
        indicators: ['SUICIDE_RISK', 'MULTIPLE_PHONES', 'ADVERSE_WEATHER', 'PEER_EXPLOITED', 'CLOTHING_LIFESTYLE_CHANGE'],
      },
    });
    expect(result.reasons.map((r) => r.code)).toEqual([
      'AGE_UNDER_13',
      'SUICIDE_RISK',
      'VITAL_TREATMENT',
      'PEER_EXPLOITED',
      'CLOTHING_LIFESTYLE_CHANGE',
      'MULTIPLE_PHONES',
      'ADVERSE_WEATHER',
      'ERRANCE',
      'NIGHT_DEPARTURE',
    ]);
    expect(result.score).toBe(3 + 2 + 2 + 1 + 1 + 1);
  });
});

describe('nextReviewAt', () => {
  it('is t0 + 24 h for a routine episode under 15 that has not ended', () => {
    expect(run({ youth: { birthDate: '2011-03-11' } }).nextReviewAt).toBe('2026-03-11T14:00:00.000Z');
  });

  it('is t0 + 48 h for a routine episode at 15 or more that has not ended', () => {
    expect(run({ youth: { birthDate: '2011-03-10' } }).nextReviewAt).toBe('2026-03-12T14:00:00.000Z');
  });

  it('is null once the episode has ended', () => {
    expect(run({ episode: { locatedAt: plus(T0, 2 * HOUR) }, now: plus(T0, 3 * HOUR) }).nextReviewAt).toBeNull();
    expect(run({ episode: { returnedAt: plus(T0, 2 * HOUR) }, now: plus(T0, 3 * HOUR) }).nextReviewAt).toBeNull();
  });

  it('is null for a worrying episode', () => {
    expect(run({ youth: { vitalTreatment: true } }).nextReviewAt).toBeNull();
  });
});

describe('output', () => {
  it('stamps the ruleset version and the evaluation time', () => {
    const result = run({ now: new Date('2026-11-28T10:15:00.000Z') });
    expect(result.rulesetVersion).toBe('2026.1');
    expect(result.evaluatedAt).toBe('2026-11-28T10:15:00.000Z');
  });

  it('ignores codes it does not know instead of throwing', () => {
    const input = makeInput({
      youth: { vulnerabilities: ['NOT_A_CODE', 'AGE_UNDER_13'] },
      episode: {
        indicators: ['NOT_A_CODE', 'LONG_ABSENCE', 'STAFF_CONCERN'],
        departedWith: 'teleporter',
        updates: [{ source: 'hotline', indicators: ['REPEATED_FUGUES'] }],
      },
    });
    expect(() => classify(input)).not.toThrow();
    expect(classify(input).reasons).toEqual([]);
  });
});

describe('previewClassification', () => {
  it('is classify with an empty history', () => {
    const { history: _history, ...preview } = makeInput({
      episode: { indicators: ['MULTIPLE_PHONES'] },
      otherEpisodes: [otherEpisode({ noticedMissingAt: plus(T0, -DAY), effectiveLevel: 'worrying' })],
      interviews: [interview()],
    });
    const result = previewClassification(preview);
    expect(result).toEqual(classify({ ...preview, history: { otherEpisodes: [], interviews: [] } }));
    expect(result.reasons.map((r) => r.code)).toEqual(['MULTIPLE_PHONES']);
  });
});

describe('properties', () => {
  const someCodes = fc.array(fc.constantFrom(...INDICATOR_CODES, ...VULNERABILITY_CODES, 'NOT_A_CODE'), {
    maxLength: 6,
  });
  const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null });
  const concern = maybe(fc.record({ worrying: fc.boolean() }));
  const offset = (min: number, max: number) => fc.integer({ min, max });

  const inputs: fc.Arbitrary<TriageInput> = fc
    .record({
      t0: offset(Date.UTC(2025, 0, 1), Date.UTC(2027, 0, 1)),
      nowAfter: offset(-5 * 60_000, 10 * DAY),
      timeZone: fc.constantFrom('Europe/Paris', 'Indian/Reunion', 'America/Cayenne', 'Indian/Mayotte'),
      birthMs: offset(Date.UTC(2006, 0, 1), Date.UTC(2020, 0, 1)),
      vulnerabilities: someCodes,
      vitalTreatment: fc.boolean(),
      lastSeenBefore: maybe(offset(0, 12 * HOUR)),
      departedWith: maybe(fc.constantFrom<string>(...DEPARTED_WITH_VALUES, 'teleporter')),
      belongings: maybe(
        fc.record({ phone: maybe(fc.boolean()), money: maybe(fc.boolean()), idDocument: maybe(fc.boolean()) }),
      ),
      indicators: someCodes,
      staffConcern: concern,
      updates: fc.array(
        fc.record({ source: fc.constantFrom('update' as const, 'hotline' as const), indicators: someCodes, staffConcern: concern }),
        { maxLength: 4 },
      ),
      locatedAfter: maybe(offset(0, 4 * DAY)),
      returnedAfter: maybe(offset(0, 4 * DAY)),
      others: fc.array(
        fc.record({
          startedBefore: offset(-2 * DAY, 400 * DAY),
          status: fc.constantFrom('missing' as const, 'located' as const, 'returned' as const, 'closed' as const, 'cancelled' as const),
          lastedMs: maybe(offset(0, 4 * DAY)),
          effectiveLevel: maybe(fc.constantFrom('routine' as const, 'worrying' as const)),
        }),
        { maxLength: 6 },
      ),
      interviews: fc.array(
        fc.record({
          outcome: fc.constantFrom('completed' as const, 'declined' as const, 'not_held' as const, 'scheduled' as const),
          conductedBefore: maybe(offset(-DAY, 400 * DAY)),
          sexualExploitation: fc.boolean(),
          exploitationIndicators: fc.array(fc.constantFrom(...EXPLOITATION_INDICATOR_CODES, 'NOT_A_CODE'), { maxLength: 2 }),
        }),
        { maxLength: 3 },
      ),
    })
    .map((facts): TriageInput => {
      const t0 = new Date(facts.t0);
      const after = (ms: number | null) => (ms === null ? null : plus(t0, ms));
      return {
        now: plus(t0, facts.nowAfter),
        timeZone: facts.timeZone,
        youth: {
          birthDate: new Date(facts.birthMs).toISOString().slice(0, 10),
          vulnerabilities: facts.vulnerabilities,
          vitalTreatment: facts.vitalTreatment,
        },
        episode: {
          noticedMissingAt: t0,
          lastSeenAt: facts.lastSeenBefore === null ? null : plus(t0, -facts.lastSeenBefore),
          departedWith: facts.departedWith,
          belongings: facts.belongings,
          indicators: facts.indicators,
          staffConcern: facts.staffConcern,
          updates: facts.updates,
          locatedAt: after(facts.locatedAfter),
          returnedAt: after(facts.returnedAfter),
        },
        history: {
          otherEpisodes: facts.others.map((other) => {
            const start = plus(t0, -other.startedBefore);
            return {
              noticedMissingAt: start,
              status: other.status,
              locatedAt: null,
              returnedAt: other.lastedMs === null ? null : plus(start, other.lastedMs),
              effectiveLevel: other.effectiveLevel,
            };
          }),
          interviews: facts.interviews.map((held) => ({
            outcome: held.outcome,
            conductedAt: held.conductedBefore === null ? null : plus(t0, -held.conductedBefore),
            sexualExploitation: held.sexualExploitation,
            exploitationIndicators: held.exploitationIndicators,
          })),
        },
      };
    });

  const ruleOf = new Map<string, (typeof RULES)[number]>(RULES.map((rule) => [rule.code, rule]));

  it('is deterministic', () => {
    fc.assert(
      fc.property(inputs, (input) => {
        expect(classify(input)).toEqual(classify(structuredClone(input)));
      }),
    );
  });

  it('gives every reason the kind and weight of its rule, and the score is the sum of aggravating weights', () => {
    fc.assert(
      fc.property(inputs, (input) => {
        const { reasons, score } = classify(input);
        for (const found of reasons) {
          const rule = ruleOf.get(found.code);
          expect(found).toMatchObject({ kind: rule?.kind, weight: rule?.weight });
        }
        expect(score).toBe(reasons.reduce((sum, r) => sum + (r.kind === 'aggravating' ? (r.weight as number) : 0), 0));
      }),
    );
  });

  it('is worrying exactly when a critical trigger holds or the score is 4 or more', () => {
    fc.assert(
      fc.property(inputs, (input) => {
        const { level, reasons, score } = classify(input);
        expect(level === 'worrying').toBe(reasons.some((r) => r.kind === 'critical') || score >= 4);
      }),
    );
  });

  it('sorts reasons: critical by code, then aggravating by descending weight then code', () => {
    const key = (r: { kind: string; weight: number | null; code: string }) =>
      `${r.kind === 'critical' ? 0 : 1}:${String(9 - (r.weight ?? 0))}:${r.code}`;
    fc.assert(
      fc.property(inputs, (input) => {
        const keys = classify(input).reasons.map(key);
        expect(keys).toEqual([...keys].sort());
      }),
    );
  });

  it('never lists a code twice', () => {
    fc.assert(
      fc.property(inputs, (input) => {
        const listed = classify(input).reasons.map((r) => r.code);
        expect(new Set(listed).size).toBe(listed.length);
      }),
    );
  });

  it('sets a review time exactly for routine episodes that have not ended', () => {
    fc.assert(
      fc.property(inputs, (input) => {
        const { level, nextReviewAt } = classify(input);
        const ended = input.episode.locatedAt !== null || input.episode.returnedAt !== null;
        expect(nextReviewAt !== null).toBe(level === 'routine' && !ended);
      }),
    );
  });
});
