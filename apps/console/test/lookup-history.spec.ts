import { minutesWords } from '../src/format';
import { episodeDuration, historyBrief, type HistoryEntry } from '../src/history';
import { lookupAnnouncement, lookupBody, rememberedMatch, rememberMatches } from '../src/lookup';
import { linkReasonRows } from '../src/screens/statistics/figures';

describe('the 116 000’s lookup', () => {
  const empty = { firstName: '', age: '', departmentCode: '', place: '' };

  it('sends what was written, trimmed, and nothing when nothing was', () => {
    expect(lookupBody(empty)).toBeNull();
    expect(lookupBody({ ...empty, firstName: '   ', place: ' ' })).toBeNull();
    expect(lookupBody({ firstName: ' Zélie ', age: ' 15', departmentCode: '75', place: ' Gare ' })).toEqual({ firstName: 'Zélie', approximateAge: 15, departmentCode: '75', place: 'Gare' });
    expect(lookupBody({ ...empty, age: 'quinze' })).toEqual({ approximateAge: 'quinze' });
  });

  it('says how many episodes match', () => {
    expect(lookupAnnouncement(0)).toMatch(/^Aucune fugue en cours ne correspond/);
    expect(lookupAnnouncement(1)).toBe('Une fugue en cours correspond.');
    expect(lookupAnnouncement(3)).toBe('3 fugues en cours correspondent.');
    expect(lookupAnnouncement(20)).toBe('20 fugues en cours correspondent (les 20 premières : précisez la recherche).');
  });

  it('remembers the episodes found for the report page', () => {
    const match = { fugueId: 'f-1', firstNameInitial: 'Z', age: 15, departmentCode: '75', level: 'routine' as const, noticedMissingAt: '2026-12-03T10:00:00Z', minutesMissing: 200 };
    expect(rememberedMatch('f-1')).toBeUndefined();
    rememberMatches([match]);
    expect(rememberedMatch('f-1')).toEqual(match);
  });

  it('says the time missing in words', () => {
    expect(minutesWords(0)).toBe('0 min');
    expect(minutesWords(-5)).toBe('0 min');
    expect(minutesWords(200)).toBe('3 h 20');
    expect(minutesWords(180)).toBe('3 h');
    expect(minutesWords(1440 * 2 + 60 * 4 + 12)).toBe('2 jours et 4 h');
  });
});

describe('a youth’s history in brief', () => {
  const now = new Date('2026-12-03T12:00:00Z');
  const daysAgo = (n: number) => new Date(now.getTime() - n * 86_400_000).toISOString();
  let n = 0;
  const entry = (overrides: Partial<HistoryEntry>): HistoryEntry => ({
    fugueId: `f-${++n}`,
    status: 'closed',
    t0: daysAgo(1),
    end: null,
    level: 'routine',
    departmentCode: '75',
    foundAt: null,
    links: [],
    ...overrides,
  });
  const link = { fugueId: null, reasons: ['SAME_VEHICLE' as const], foundAt: daysAgo(1), sameFoyer: false, level: null, cancelled: false };

  it('counts the episodes not cancelled, recent and worrying, the places found again and the linked ones', () => {
    const brief = historyBrief(
      [
        entry({ t0: daysAgo(100), foundAt: 'Gare de Testville' }),
        entry({ t0: daysAgo(40), foundAt: 'gare de testville ', level: 'worrying', links: [link] }),
        entry({ t0: daysAgo(10), foundAt: 'Parc', links: [link] }),
        entry({ t0: daysAgo(2), status: 'cancelled', foundAt: 'Parc', level: 'worrying', links: [link] }),
      ],
      now,
    );
    expect(brief).toEqual({ count: 3, last30: 1, last90: 2, worrying: 1, placesAgain: [{ place: 'Gare de Testville', n: 2 }], linked: 2 });
  });

  it('says how long an episode lasted', () => {
    expect(episodeDuration({ status: 'returned', t0: daysAgo(1), end: now.toISOString() })).toBe('24 h');
    expect(episodeDuration({ status: 'closed', t0: daysAgo(3), end: now.toISOString() })).toBe('3 jours');
    expect(episodeDuration({ status: 'missing', t0: daysAgo(3), end: null })).toBe('en cours');
    expect(episodeDuration({ status: 'cancelled', t0: daysAgo(3), end: now.toISOString() })).toBe('—');
  });
});

describe('the links of the statistics page', () => {
  it('lists every reason of the vocabulary in its order and words, zeros included, and a reason it does not name yet after', () => {
    const labels = [
      { code: 'SAME_VEHICLE', label: 'Même véhicule' },
      { code: 'LEFT_TOGETHER', label: 'Partis ensemble du même foyer' },
    ];
    expect(linkReasonRows({ total: 3, LEFT_TOGETHER: 2, SAME_VEHICLE: 0, SAME_ALIAS: 1 }, labels)).toEqual([
      { code: 'SAME_VEHICLE', label: 'Même véhicule', count: 0 },
      { code: 'LEFT_TOGETHER', label: 'Partis ensemble du même foyer', count: 2 },
      { code: 'SAME_ALIAS', label: 'SAME_ALIAS', count: 1 },
    ]);
  });
});
