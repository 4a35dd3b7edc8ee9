import { BlindIndex } from '@vigie/persistence';
import { normaliseAddress, normaliseAlias, normalisePlate, plateFormat, communeDepartment } from './connections';
import { LinkEpisode, linkReasons, linkWindow } from './link.rules';

const HOUR = 3600_000;
const T = new Date('2026-11-20T10:00:00Z');
const at = (hours: number) => new Date(T.getTime() + hours * HOUR);
const index = BlindIndex.withKey(Buffer.alloc(32, 7));
const plate = (p: string) => index.of('plate', normalisePlate(p) as string);
const alias = (a: string) => index.of('alias', normaliseAlias(a));
const address = (a: string, commune: string) => index.of('address', normaliseAddress(a, commune));

let n = 0;
function episode(overrides: Partial<LinkEpisode> = {}): LinkEpisode {
  n += 1;
  return {
    id: `e${n}`,
    youthId: `y${n}`,
    foyerId: 'foyer-1',
    departmentCode: '75',
    noticedMissingAt: T,
    lastSeenAt: null,
    departedWith: null,
    locatedAt: null,
    returnedAt: null,
    endedAt: null,
    companionYouthIds: [],
    plateIndexes: [],
    aliasIndexes: [],
    addressIndexes: [],
    ...overrides,
  };
}
const NOW = at(1);

describe('link rules', () => {
  describe('normalisation', () => {
    it('normalises both French plate formats and a foreign one', () => {
      expect(normalisePlate('ab-123-cd')).toBe('AB123CD');
      expect(normalisePlate(' AB 123 CD ')).toBe('AB123CD');
      expect(normalisePlate('1234 AB 75')).toBe('1234AB75');
      expect(normalisePlate('1234-ab-2a')).toBe('1234AB2A');
      expect(normalisePlate('B-MW 1234')).toBe('BMW1234');
      expect(plateFormat('AB123CD')).toBe('siv');
      expect(plateFormat('1234AB75')).toBe('fni');
      expect(plateFormat('BMW1234')).toBe('foreign');
      expect(normalisePlate('AB#123')).toBeNull();
      expect(normalisePlate('A')).toBeNull();
      expect(normalisePlate('AB--123')).toBeNull();
      expect(normalisePlate('ABCDEFGHIJKLM')).toBeNull();
    });

    it('normalises aliases without accents, case or extra spaces', () => {
      expect(normaliseAlias('  Zoé   La  TESTEUSE ')).toBe('zoe la testeuse');
      expect(normaliseAlias('Éloïse')).toBe(normaliseAlias('eloise'));
      expect(normaliseAlias('Ça\tva')).toBe('ca va');
    });

    it('knows INSEE commune codes and their département', () => {
      expect(communeDepartment('75056')).toBe('75');
      expect(communeDepartment('75101')).toBe('75');
      expect(communeDepartment('2A004')).toBe('2A');
      expect(communeDepartment('97411')).toBe('974');
      expect(communeDepartment('75999')).toBeNull();
      expect(communeDepartment('75')).toBeNull();
    });

    it('gives equal blind indexes to equal normalised values only, and none equal across kinds or keys', () => {
      expect(plate('AB-123-CD')).toBe(plate('ab 123 cd'));
      expect(plate('1234 AB 75')).toBe(plate('1234-ab-75'));
      expect(plate('AB-123-CD')).not.toBe(plate('AB-123-CE'));
      expect(alias('Zoé  Testa')).toBe(alias('zoe testa'));
      expect(index.of('alias', 'ab123cd')).not.toBe(index.of('plate', 'ab123cd'));
      expect(BlindIndex.withKey(Buffer.alloc(32, 8)).of('plate', 'AB123CD')).not.toBe(index.of('plate', 'AB123CD'));
      expect(address('12 Rue  des Tests', '75056')).toBe(address('12 rue des tests', '75056'));
      expect(address('12 rue des tests', '75056')).not.toBe(address('12 rue des tests', '93066'));
      expect(index.of('plate', 'AB123CD')).not.toContain('AB123CD');
    });

    it('keeps the indexes of the previous key findable while a rotation runs', () => {
      const previous = Buffer.alloc(32, 7);
      const rotated = BlindIndex.withKey(Buffer.alloc(32, 9), previous);
      expect(rotated.candidates('plate', 'AB123CD')).toEqual([rotated.of('plate', 'AB123CD'), index.of('plate', 'AB123CD')]);
      expect(rotated.rotating).toBe(true);
      expect(index.candidates('plate', 'AB123CD')).toEqual([index.of('plate', 'AB123CD')]);
    });
  });

  describe('windows', () => {
    it('runs from t0 − 24 h to the end (return, else location, else end) or now, + 24 h', () => {
      expect(linkWindow(episode(), NOW)).toEqual({ start: at(-24).getTime(), end: at(25).getTime() });
      expect(linkWindow(episode({ locatedAt: at(3) }), NOW).end).toBe(at(27).getTime());
      expect(linkWindow(episode({ locatedAt: at(3), returnedAt: at(5) }), NOW).end).toBe(at(29).getTime());
      expect(linkWindow(episode({ endedAt: at(2) }), NOW).end).toBe(at(26).getTime());
    });

    it('links windows that touch at exactly one instant, not a millisecond apart', () => {
      const a = episode({ plateIndexes: [plate('AB-123-CD')], returnedAt: at(2) }); // window ends at t+26 h
      const touching = episode({ plateIndexes: [plate('ab 123 cd')], noticedMissingAt: at(50) }); // starts at t+26 h
      const apart = episode({ plateIndexes: [plate('AB123CD')], noticedMissingAt: new Date(at(50).getTime() + 1) });
      const now = at(60);
      expect(linkReasons(a, touching, now)).toEqual(['SAME_VEHICLE']);
      expect(linkReasons(a, apart, now)).toEqual([]);
    });

    it('measures an open episode to now + 24 h', () => {
      const open = episode({ plateIndexes: [plate('AB-123-CD')] });
      const later = episode({ plateIndexes: [plate('AB-123-CD')], noticedMissingAt: at(73) }); // window from t+49 h
      expect(linkReasons(open, later, new Date(at(25).getTime() - 1))).toEqual([]);
      expect(linkReasons(open, later, at(25))).toEqual(['SAME_VEHICLE']);
    });
  });

  describe('reasons', () => {
    it('NAMED_COMPANION: either names the other youth', () => {
      const a = episode();
      const b = episode({ companionYouthIds: [a.youthId] });
      expect(linkReasons(a, b, NOW)).toEqual(['NAMED_COMPANION']);
      expect(linkReasons(b, a, NOW)).toEqual(['NAMED_COMPANION']);
      expect(linkReasons(a, episode({ companionYouthIds: ['someone-else'] }), NOW)).toEqual([]);
    });

    it('SAME_VEHICLE: the same plate in either French format or a foreign one', () => {
      expect(linkReasons(episode({ plateIndexes: [plate('AB-123-CD')] }), episode({ plateIndexes: [plate('ab123cd')] }), NOW)).toEqual(['SAME_VEHICLE']);
      expect(linkReasons(episode({ plateIndexes: [plate('1234 AB 75')] }), episode({ plateIndexes: [plate('1234-AB-75')] }), NOW)).toEqual(['SAME_VEHICLE']);
      expect(linkReasons(episode({ plateIndexes: [plate('B-MW 1234')] }), episode({ plateIndexes: [plate('bmw1234')] }), NOW)).toEqual(['SAME_VEHICLE']);
      expect(linkReasons(episode({ plateIndexes: [plate('AB-123-CD')] }), episode({ plateIndexes: [plate('AB-123-CE')] }), NOW)).toEqual([]);
    });

    it('SAME_PLACE: the same address index (kinds are filtered before the rules)', () => {
      expect(linkReasons(episode({ addressIndexes: [address('Hôtel Test', '75056')] }), episode({ addressIndexes: [address('hotel  test', '75056')] }), NOW)).toEqual(['SAME_PLACE']);
      expect(linkReasons(episode({ addressIndexes: [address('Hôtel Test', '75056')] }), episode({ addressIndexes: [address('Hôtel Test', '93066')] }), NOW)).toEqual([]);
    });

    it('SAME_ALIAS: with accents and spaces, in the same département only', () => {
      const a = episode({ aliasIndexes: [alias('Zoé  la Testeuse')] });
      expect(linkReasons(a, episode({ aliasIndexes: [alias('zoe la testeuse ')] }), NOW)).toEqual(['SAME_ALIAS']);
      expect(linkReasons(a, episode({ aliasIndexes: [alias('ZOÉ LA TESTEUSE')], departmentCode: '92' }), NOW)).toEqual([]);
    });

    it('LEFT_TOGETHER: same foyer, departures less than 2 h apart, peers on at least one', () => {
      const a = episode({ lastSeenAt: at(-1), departedWith: 'peers' });
      expect(linkReasons(a, episode({ lastSeenAt: new Date(at(1).getTime() - 1) }), NOW)).toEqual(['LEFT_TOGETHER']);
      expect(linkReasons(a, episode({ lastSeenAt: at(1) }), NOW)).toEqual([]); // exactly 2 h
      expect(linkReasons(a, episode({ lastSeenAt: at(0), foyerId: 'foyer-2' }), NOW)).toEqual([]);
      expect(linkReasons(episode({ departedWith: 'alone' }), episode({ departedWith: 'unknown' }), NOW)).toEqual([]);
      // Without lastSeenAt, noticedMissingAt is the departure.
      expect(linkReasons(episode({ noticedMissingAt: at(0), departedWith: 'alone' }), episode({ noticedMissingAt: at(1.5), departedWith: 'peers' }), at(2))).toEqual(['LEFT_TOGETHER']);
    });

    it('gives every reason that holds, in order, and never links a youth to themself', () => {
      const a = episode({ plateIndexes: [plate('AB-123-CD')], aliasIndexes: [alias('Testa')], departedWith: 'peers' });
      const b = episode({ plateIndexes: [plate('AB-123-CD')], aliasIndexes: [alias('testa')], companionYouthIds: [a.youthId] });
      expect(linkReasons(a, b, NOW)).toEqual(['NAMED_COMPANION', 'SAME_VEHICLE', 'SAME_ALIAS', 'LEFT_TOGETHER']);
      expect(linkReasons(b, a, NOW)).toEqual(linkReasons(a, b, NOW));
      expect(linkReasons(a, { ...b, youthId: a.youthId }, NOW)).toEqual([]);
    });
  });
});
