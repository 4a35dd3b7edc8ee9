import type { DepartmentStats } from '@vigie/domain';
import { csvField, statsCsv, statsCsvFilename } from './stats.csv';

const stats = (over: Partial<DepartmentStats> = {}): DepartmentStats => ({
  departmentCodes: ['75'],
  from: new Date('2025-02-28T23:00:00Z'),
  to: new Date('2025-03-31T22:00:00Z'),
  timeZone: 'Europe/Paris',
  episodes: {
    total: 2, routine: 1, worrying: 1, unclassified: 0, missing: 0, located: 0, returned: 1, closed: 1, ended: 2,
    medianDurationSeconds: 3600, endedWithin24h: 2, endedWithin48h: 2, shareEndedWithin24h: 1, shareEndedWithin48h: 1, shareWorrying: 0.5,
  },
  weeks: [{ week: '2025-W09', start: '2025-02-24', episodes: 2, worrying: 1 }],
  youthsWithRepeatedFugues: 0,
  returnInterviews: { due: 1, completedOnTime: 1, completedLate: 0, declined: 0, notHeld: 0, scheduled: 0, overdue: 0, shareCompletedOnTime: 1 },
  disclosures: { recorded: 1, withDisclosure: 0, sexualExploitation: 0, violence: 0, sexualViolence: 0, exploitationIndicators: 0, prosecutorReferrals: 0 },
  alerts: { opened: 1, acknowledged: 0, medianSecondsToAcknowledge: null, p90SecondsToAcknowledge: null },
  links: { total: 2, NAMED_COMPANION: 0, SAME_VEHICLE: 1, SAME_PLACE: 0, SAME_ALIAS: 0, LEFT_TOGETHER: 1 },
  foyerClusters: [{ foyerId: 'f1', name: 'Foyer "Les Pins", Nord', departmentCode: '75', youths: 3, noticedAt: new Date('2025-03-10T08:00:00Z') }],
  breakdown: {
    ageBands: [{ key: 'under_13', episodes: 2, worrying: 1 }],
    sexes: [{ key: 'F', episodes: 2, worrying: 1 }],
    foyers: [{ foyerId: 'f1', name: 'Foyer "Les Pins", Nord', departmentCode: '75', episodes: 2, worrying: 1 }],
  },
  ...over,
});

describe('the statistics as CSV', () => {
  it('is one long table with a row per number, CRLF line ends, nulls empty', () => {
    const rows = statsCsv(stats()).split('\r\n');
    expect(rows[0]).toBe('section,item,measure,value');
    expect(rows.slice(1, 5)).toEqual(['period,,departmentCodes,75', 'period,,from,2025-02-28T23:00:00.000Z', 'period,,to,2025-03-31T22:00:00.000Z', 'period,,timeZone,Europe/Paris']);
    expect(rows).toContain('episodes,,shareWorrying,0.5');
    expect(rows).toContain('alerts,,medianSecondsToAcknowledge,');
    expect(rows).toContain('weeks,2025-W09,episodes,2');
    expect(rows).toContain('foyers,f1,name,"Foyer ""Les Pins"", Nord"');
    expect(rows).toContain('links,,SAME_VEHICLE,1');
    expect(rows).toContain('foyerClusters,f1,youths,3');
    expect(rows).toContain('foyerClusters,f1,noticedAt,2025-03-10T08:00:00.000Z');
    expect(rows.at(-1)).toBe('');
  });

  it('leaves the disclosures out when the caller may not read them', () => {
    expect(statsCsv(stats())).toContain('disclosures,,recorded,1');
    expect(statsCsv(stats({ disclosures: null }))).not.toContain('disclosures');
  });

  it('never lets a spreadsheet run a text as a formula', () => {
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('+33 1')).toBe("'+33 1");
    expect(csvField(-1)).toBe('-1');
    expect(csvField(null)).toBe('');
  });

  it('is named after the scope and the local dates of the period', () => {
    expect(statsCsvFilename(stats())).toBe('vigie-statistiques-75-2025-03-01-2025-04-01.csv');
    expect(statsCsvFilename(stats({ departmentCodes: null }))).toBe('vigie-statistiques-tous-2025-03-01-2025-04-01.csv');
    expect(statsCsvFilename(stats({ departmentCodes: ['75', '93'] }))).toBe('vigie-statistiques-75-93-2025-03-01-2025-04-01.csv');
  });
});
