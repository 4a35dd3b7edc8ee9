import { ageBand, ageBandAt, countBy, isoWeekOf, percentile, repeatRunaways, share, startOfLocalDay, weeklyEpisodes, weeksOfPeriod } from './stats-figures';

const at = (iso: string) => new Date(iso);

describe('percentiles (linear interpolation, as percentile_cont)', () => {
  it('are null without values', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([], 0.9)).toBeNull();
  });

  it('are the value itself with one value', () => {
    expect(percentile([42], 0.5)).toBe(42);
    expect(percentile([42], 0.9)).toBe(42);
  });

  it('interpolate between the closest ranks, whatever the order given', () => {
    // Sorted 600, 1,800, 3,600: median at rank 1; p90 at rank 1.8 → 1,800 + 0.8 × 1,800.
    expect(percentile([3600, 600, 1800], 0.5)).toBe(1800);
    expect(percentile([3600, 600, 1800], 0.9)).toBeCloseTo(3240, 9);
    // Four values: median at rank 1.5 → (20 + 30) / 2; p90 at rank 2.7 → 30 + 0.7 × 10.
    expect(percentile([10, 40, 30, 20], 0.5)).toBe(25);
    expect(percentile([10, 40, 30, 20], 0.9)).toBeCloseTo(37, 9);
  });

  it('keep ties', () => {
    expect(percentile([5, 5, 5, 100], 0.5)).toBe(5);
    // Rank 2.7 between 5 and 100: 5 + 0.7 × 95.
    expect(percentile([5, 5, 5, 100], 0.9)).toBeCloseTo(71.5, 9);
    expect(percentile([7, 7], 0.9)).toBe(7);
  });
});

describe('shares', () => {
  it('are rounded to 4 decimals, and null when there is nothing to divide', () => {
    expect(share(1, 3)).toBe(0.3333);
    expect(share(2, 3)).toBe(0.6667);
    expect(share(0, 5)).toBe(0);
    expect(share(0, 0)).toBeNull();
  });
});

describe('ISO weeks', () => {
  it('start on Monday and belong to the year of their Thursday', () => {
    expect(isoWeekOf({ year: 2025, month: 3, day: 1 })).toEqual({ week: '2025-W09', start: '2025-02-24' });
    expect(isoWeekOf({ year: 2025, month: 3, day: 3 })).toEqual({ week: '2025-W10', start: '2025-03-03' });
    // 2024-12-30 is a Monday whose Thursday is 2025-01-02: week 1 of 2025.
    expect(isoWeekOf({ year: 2024, month: 12, day: 31 })).toEqual({ week: '2025-W01', start: '2024-12-30' });
    // 2021-01-03 is a Sunday in the last week of 2020 (53 weeks).
    expect(isoWeekOf({ year: 2021, month: 1, day: 3 })).toEqual({ week: '2020-W53', start: '2020-12-28' });
  });

  it('of a period are every week it touches on the local calendar', () => {
    // 2025-03-02T23:30Z is already Monday 3 March in Paris.
    expect(weeksOfPeriod(at('2025-03-02T23:30:00Z'), at('2025-03-10T00:00:00Z'), 'Europe/Paris').map((w) => w.week)).toEqual(['2025-W10', '2025-W11']);
    expect(weeksOfPeriod(at('2025-03-02T23:30:00Z'), at('2025-03-09T22:00:00Z'), 'Europe/Paris').map((w) => w.week)).toEqual(['2025-W10']);
    // The same instants in UTC start on Sunday 2 March.
    expect(weeksOfPeriod(at('2025-03-02T23:30:00Z'), at('2025-03-09T22:00:00Z'), 'UTC').map((w) => w.week)).toEqual(['2025-W09', '2025-W10']);
  });

  it('count each episode in the week of its local date, worrying ones apart, empty weeks at zero', () => {
    const weeks = weeklyEpisodes(
      [
        { noticedMissingAt: at('2025-03-02T23:30:00Z'), level: 'worrying' }, // Monday 3 March 00:30 in Paris
        { noticedMissingAt: at('2025-03-09T22:30:00Z'), level: 'routine' }, // Sunday 9 March 23:30 in Paris
        { noticedMissingAt: at('2025-03-20T10:00:00Z'), level: null },
      ],
      at('2025-03-02T23:00:00Z'),
      at('2025-03-23T23:00:00Z'),
      'Europe/Paris',
    );
    expect(weeks).toEqual([
      { week: '2025-W10', start: '2025-03-03', episodes: 2, worrying: 1 },
      { week: '2025-W11', start: '2025-03-10', episodes: 0, worrying: 0 },
      { week: '2025-W12', start: '2025-03-17', episodes: 1, worrying: 0 },
    ]);
  });

  it('of an empty period still list its weeks', () => {
    expect(weeklyEpisodes([], at('2025-03-03T00:00:00Z'), at('2025-03-04T00:00:00Z'), 'UTC')).toEqual([{ week: '2025-W10', start: '2025-03-03', episodes: 0, worrying: 0 }]);
  });
});

describe('age bands', () => {
  it('follow the ruleset thresholds', () => {
    expect([0, 12, 13, 14, 15, 17, 18, 20].map(ageBand)).toEqual(['under_13', 'under_13', '13_14', '13_14', '15_17', '15_17', '18_plus', '18_plus']);
    expect(ageBand(null)).toBe('unknown');
  });

  it('read the age on the local date of noticedMissingAt in the département', () => {
    // Born 2012-03-15: 12 the evening before in Paris, 13 from local midnight.
    expect(ageBandAt('2012-03-15', at('2025-03-14T22:59:00Z'), 'Europe/Paris')).toBe('under_13');
    expect(ageBandAt('2012-03-15', at('2025-03-14T23:00:00Z'), 'Europe/Paris')).toBe('13_14');
    // The same instant is still 14 March in Guadeloupe.
    expect(ageBandAt('2012-03-15', at('2025-03-14T23:00:00Z'), 'America/Guadeloupe')).toBe('under_13');
    expect(ageBandAt(null, at('2025-03-14T23:00:00Z'), 'Europe/Paris')).toBe('unknown');
  });

  it('place a youth turning an age during the period in one band per episode', () => {
    const bands = ['2025-03-01T10:00:00Z', '2025-03-20T10:00:00Z'].map((t) => ({ key: ageBandAt('2012-03-15', at(t), 'Europe/Paris'), level: 'routine' as const }));
    expect(countBy(bands, ['under_13', '13_14'])).toEqual([
      { key: 'under_13', episodes: 1, worrying: 0 },
      { key: '13_14', episodes: 1, worrying: 0 },
    ]);
  });
});

describe('repeat runaways (3 episodes or more within 30 days)', () => {
  const from = at('2025-03-01T00:00:00Z');
  const to = at('2025-04-01T00:00:00Z');
  const ep = (youthId: string, t: string) => ({ youthId, noticedMissingAt: at(t) });

  it('counts nobody in an empty period', () => {
    expect(repeatRunaways([], from, to)).toBe(0);
  });

  it('counts a youth once, whose third episode in 30 days falls in the period', () => {
    expect(repeatRunaways([ep('a', '2025-03-02T00:00:00Z'), ep('a', '2025-03-10T00:00:00Z'), ep('a', '2025-03-20T00:00:00Z'), ep('a', '2025-03-25T00:00:00Z')], from, to)).toBe(1);
  });

  it('counts episodes before the period towards the 30 days, and the window includes its first day', () => {
    // 2025-02-06 is exactly 30 days before 2025-03-08.
    expect(repeatRunaways([ep('b', '2025-02-06T00:00:00Z'), ep('b', '2025-02-28T00:00:00Z'), ep('b', '2025-03-08T00:00:00Z')], from, to)).toBe(1);
    expect(repeatRunaways([ep('b', '2025-02-05T23:59:59Z'), ep('b', '2025-02-28T00:00:00Z'), ep('b', '2025-03-08T00:00:00Z')], from, to)).toBe(0);
  });

  it('does not count a youth whose third episode came before the period', () => {
    expect(repeatRunaways([ep('c', '2025-02-10T00:00:00Z'), ep('c', '2025-02-12T00:00:00Z'), ep('c', '2025-02-14T00:00:00Z')], from, to)).toBe(0);
  });

  it('counts simultaneous episodes (ties) as distinct, and several youths apart', () => {
    const t = '2025-03-05T00:00:00Z';
    expect(repeatRunaways([ep('d', t), ep('d', t), ep('d', t), ep('e', t), ep('e', '2025-03-06T00:00:00Z')], from, to)).toBe(1);
  });
});

describe('counting by a key', () => {
  it('lists every key asked for, zeros included, and keys met on the way after them', () => {
    expect(
      countBy(
        [
          { key: 'M', level: 'worrying' },
          { key: 'M', level: 'routine' },
          { key: 'F', level: null },
        ],
        ['F', 'M', 'X'],
      ),
    ).toEqual([
      { key: 'F', episodes: 1, worrying: 0 },
      { key: 'M', episodes: 2, worrying: 1 },
      { key: 'X', episodes: 0, worrying: 0 },
    ]);
  });
});

describe('the start of a local day', () => {
  it('is local midnight, in winter and in summer time', () => {
    expect(startOfLocalDay({ year: 2025, month: 3, day: 1 }, 'Europe/Paris')).toEqual(at('2025-02-28T23:00:00Z'));
    expect(startOfLocalDay({ year: 2025, month: 4, day: 1 }, 'Europe/Paris')).toEqual(at('2025-03-31T22:00:00Z'));
    expect(startOfLocalDay({ year: 2025, month: 3, day: 1 }, 'America/Guadeloupe')).toEqual(at('2025-03-01T04:00:00Z'));
    expect(startOfLocalDay({ year: 2025, month: 3, day: 1 }, 'Indian/Reunion')).toEqual(at('2025-02-28T20:00:00Z'));
  });

  it('is the first instant of the day when a change of offset skips midnight', () => {
    // Santiago moved its clocks from 00:00 to 01:00 on 2024-09-08.
    expect(startOfLocalDay({ year: 2024, month: 9, day: 8 }, 'America/Santiago')).toEqual(at('2024-09-08T04:00:00Z'));
  });
});
