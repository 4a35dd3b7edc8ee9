import { DataCipher, slot } from '@vigie/persistence';
import { bearer, makeClient, startTestApp, TestApp } from '@vigie/testing';

/**
 * GET /v1/stats (api.md § Statistics) against a data set seeded row by row in March 2025, whose
 * figures are worked out by hand below. The API runs without a worker, so nothing triages or
 * sweeps the seeded rows.
 *
 * Département 75, period [2025-03-01, 2025-04-01):
 *
 * | episode | youth | noticed (t0)  | ends (first of located/returned) | status    | level      |
 * |---------|-------|---------------|----------------------------------|-----------|------------|
 * | E1      | Y1    | 03-02 10:00   | returned 03-02 14:00 (4 h)       | closed    | routine    |
 * | E2      | Y1    | 03-10 10:00   | returned 03-11 06:00 (20 h)      | returned  | routine    |
 * | E3      | Y1    | 03-20 10:00   | —                                | missing   | worrying   |
 * | E4      | Y2    | 03-05 08:00   | located 03-06 20:00 (36 h)       | located   | worrying   |
 * | E5      | Y3    | 03-15 00:00   | returned 03-18 00:00 (72 h)      | closed    | worrying   |
 * | E6      | Y3    | 03-25 00:00   | —                                | missing   | (none yet) |
 * | E11     | Y4    | 03-08 00:00   | returned 03-08 10:00 (10 h)      | closed    | routine    |
 * | E13     | Y6    | 03-01 00:00   | returned 03-02 06:00 (30 h)      | closed    | routine    |
 * | E7      | Y2    | 03-12 00:00   | (cancelled: never counted)       | cancelled | routine    |
 * | E8      | Y2    | 02-20 00:00   | returned 02-27 00:00 — before the period                     |
 * | E9, E10 | Y4    | 02-25, 02-28  | before the period                                            |
 * | E14     | Y6    | 04-01 00:00   | at `to`: excluded                                            |
 *
 * Episodes: 8 (E1–E6, E11, E13). Routine 4, worrying 3, unclassified 1. Missing 2, located 1,
 * returned 1, closed 4. Ended 6, durations 4, 10, 20, 30, 36, 72 h: median (20 + 30) / 2 = 25 h
 * = 90,000 s; under 24 h: 3 (share 0.375); under 48 h: 5 (share 0.625).
 * Youths with 3+ episodes in 30 days: Y1 (E1, E2, E3 within [02-18, 03-20]) and Y4 (E9, E10,
 * E11 within [02-06, 03-08]) = 2; Y2 has E8 and E4 only, E7 being cancelled.
 *
 * Return interviews due in the period: I1 (E1, due 03-05 14:00, held 03-04: on time), I2 (E2,
 * due 03-14 06:00, held at 03-14 06:00 exactly: on time), I3 (E5, due 03-21, held 03-22: late),
 * I4 (E11: declined), I5 (E13: not held), I6 (E8, due 03-02, still scheduled and overdue) = 6.
 *
 * Alerts opened in the period: A1 (E3, acknowledged after 600 s), A2 (E4, 1,800 s), A3 (E5,
 * 3,600 s, then resolved), A4 (E5, open, never acknowledged): 4 opened, 3 acknowledged, median
 * 1,800 s.
 *
 * Département 93: E12 (Y5, 03-03 00:00, returned after 2 h, closed, routine), its interview I8
 * (held on time) and alert A5 (acknowledged after 60 s).
 *
 * The figures added for the statistics page, département 75:
 * - Share worrying 3 / 8 = 0.375. Interviews held within 72 h: 2 / 6 = 0.3333.
 * - Acknowledged after 600, 1,800, 3,600 s: p90 at rank 0.9 × 2 = 1.8, 1,800 + 0.8 × 1,800 = 3,240 s.
 * - Weeks (ISO, Europe/Paris; 2025-03-01 is a Saturday, the period ends 04-01 01:00 local):
 *   W09 (02-24) E13, E1 → 2 / 0 worrying; W10 (03-03) E4, E11 → 2 / 1; W11 (03-10) E2, E5 → 2 / 1;
 *   W12 (03-17) E3 → 1 / 1; W13 (03-24) E6 → 1 / 0; W14 (03-31) → 0.
 * - Disclosures of the 5 recorded interviews due in the period: I1 violence + prosecutor referral,
 *   I3 sexual exploitation + an exploitation indicator + prosecutor referral → 2 with a disclosure,
 *   2 prosecutor referrals; I6 is still scheduled and I8 is in 93.
 * - Sexes: Y1 F (E1, E2, E3: 3, 1 worrying), Y4 F (E11) → F 4 / 1; Y2 M (E4), Y6 M (E13) → M 2 / 1;
 *   Y3 X (E5, E6) → X 2 / 1.
 * - Age at t0, local date in Paris: Y1 born 2012-03-15 is 12 at E1 and E2 and 13 at E3 (a birthday
 *   inside the period); Y4 born 2011-03-08 turns 14 on the day of E11; Y2 born 2010-01-01 is 15;
 *   Y3 born 2006-06-01 is 18; Y6's identity is erased. under_13 2 / 0, 13_14 2 / 1, 15_17 1 / 1,
 *   18_plus 2 / 1, unknown 1 / 0.
 * - Foyers: E11 was declared by the Foyer des Lilas (1 / 0), every other by the Foyer de test (7 / 3).
 */

const PARIS_FOYER = { id: '' };
const FROM = '2025-03-01T00:00:00.000Z';
const TO = '2025-04-01T00:00:00.000Z';
const at = (dayTime: string) => `2025-${dayTime}:00Z`;

describe('statistics of a département', () => {
  let t: TestApp;
  let protection75: string;
  let protection75and93: string;

  beforeAll(async () => {
    t = await startTestApp({ worker: false });
    protection75 = (await makeClient(t, { role: 'child_protection', departmentCodes: ['75'] })).key;
    protection75and93 = (await makeClient(t, { role: 'child_protection', departmentCodes: ['93', '75'] })).key;
    await seed(t);
  });
  afterAll(() => t.close());

  const stats = (key: string, query = `from=${FROM}&to=${TO}`) => t.http.get(`/v1/stats?${query}`).set(bearer(key));

  const PARIS = {
    departmentCodes: ['75'],
    from: FROM,
    to: TO,
    episodes: {
      total: 8,
      routine: 4,
      worrying: 3,
      unclassified: 1,
      missing: 2,
      located: 1,
      returned: 1,
      closed: 4,
      ended: 6,
      medianDurationSeconds: 90_000,
      endedWithin24h: 3,
      endedWithin48h: 5,
      shareEndedWithin24h: 0.375,
      shareEndedWithin48h: 0.625,
      shareWorrying: 0.375,
    },
    timeZone: 'Europe/Paris',
    weeks: [
      { week: '2025-W09', start: '2025-02-24', episodes: 2, worrying: 0 },
      { week: '2025-W10', start: '2025-03-03', episodes: 2, worrying: 1 },
      { week: '2025-W11', start: '2025-03-10', episodes: 2, worrying: 1 },
      { week: '2025-W12', start: '2025-03-17', episodes: 1, worrying: 1 },
      { week: '2025-W13', start: '2025-03-24', episodes: 1, worrying: 0 },
      { week: '2025-W14', start: '2025-03-31', episodes: 0, worrying: 0 },
    ],
    youthsWithRepeatedFugues: 2,
    returnInterviews: { due: 6, completedOnTime: 2, completedLate: 1, declined: 1, notHeld: 1, scheduled: 1, overdue: 1, shareCompletedOnTime: 0.3333 },
    disclosures: { recorded: 5, withDisclosure: 2, sexualExploitation: 1, violence: 1, sexualViolence: 0, exploitationIndicators: 1, prosecutorReferrals: 2 },
    alerts: { opened: 4, acknowledged: 3, medianSecondsToAcknowledge: 1800, p90SecondsToAcknowledge: 3240 },
    // No links in these figures: test/e2e/links-reading.e2e-spec.ts counts them.
    links: { total: 0, NAMED_COMPANION: 0, SAME_VEHICLE: 0, SAME_PLACE: 0, SAME_ALIAS: 0, LEFT_TOGETHER: 0 },
    foyerClusters: [],
    breakdown: {
      ageBands: [
        { key: 'under_13', episodes: 2, worrying: 0 },
        { key: '13_14', episodes: 2, worrying: 1 },
        { key: '15_17', episodes: 1, worrying: 1 },
        { key: '18_plus', episodes: 2, worrying: 1 },
        { key: 'unknown', episodes: 1, worrying: 0 },
      ],
      sexes: [
        { key: 'F', episodes: 4, worrying: 1 },
        { key: 'M', episodes: 2, worrying: 1 },
        { key: 'X', episodes: 2, worrying: 1 },
      ],
      foyers: [
        { foyerId: expect.any(String), name: 'Foyer de test', departmentCode: '75', episodes: 7, worrying: 3 },
        { foyerId: expect.any(String), name: 'Foyer des Lilas', departmentCode: '75', episodes: 1, worrying: 0 },
      ],
    },
  };

  it('gives the figures of the period for the caller’s département, as worked out by hand', async () => {
    expect((await stats(protection75).expect(200)).body).toEqual(PARIS);
  });

  it('gives the same for one of several départements asked by code, and for the administrator', async () => {
    expect((await stats(protection75and93, `departmentCode=75&from=${FROM}&to=${TO}`).expect(200)).body).toEqual(PARIS);
    expect((await stats(t.adminKey, `departmentCode=75&from=${FROM}&to=${TO}`).expect(200)).body).toEqual(PARIS);
  });

  it('counts every département of the caller together, medians included', async () => {
    const body = (await stats(protection75and93).expect(200)).body;
    expect(body.departmentCodes).toEqual(['75', '93']);
    // E12 joins: 9 episodes, 7 ended (2 h added: durations 2, 4, 10, 20, 30, 36, 72 → median 20 h).
    expect(body.episodes).toMatchObject({ total: 9, routine: 5, closed: 5, ended: 7, medianDurationSeconds: 72_000, endedWithin24h: 4, shareEndedWithin24h: 0.4444 });
    expect(body.returnInterviews).toMatchObject({ due: 7, completedOnTime: 3 });
    // Acknowledged after 60, 600, 1,800 and 3,600 s: median (600 + 1,800) / 2.
    // p90 at rank 0.9 × 3 = 2.7: 1,800 + 0.7 × 1,800 = 3,060 s.
    expect(body.alerts).toEqual({ opened: 5, acknowledged: 4, medianSecondsToAcknowledge: 1200, p90SecondsToAcknowledge: 3060 });
    expect(body.timeZone).toBe('Europe/Paris');
    expect((await stats(t.adminKey).expect(200)).body).toMatchObject({ departmentCodes: null, episodes: { total: 9 } });
  });

  it('gives zeros and no medians for a period without data', async () => {
    const body = (await stats(protection75, 'from=2024-01-01T00:00:00Z&to=2024-02-01T00:00:00Z').expect(200)).body;
    expect(body.episodes).toMatchObject({ total: 0, ended: 0, medianDurationSeconds: null, shareEndedWithin24h: null });
    expect(body.returnInterviews.due).toBe(0);
    expect(body.alerts).toEqual({ opened: 0, acknowledged: 0, medianSecondsToAcknowledge: null, p90SecondsToAcknowledge: null });
    expect(body.episodes.shareWorrying).toBeNull();
    expect(body.returnInterviews.shareCompletedOnTime).toBeNull();
    expect(body.weeks.map((w: { episodes: number }) => w.episodes)).toEqual(Array(body.weeks.length).fill(0));
    expect(body.breakdown.foyers).toEqual([]);
    expect(body.breakdown.ageBands.map((b: { key: string }) => b.key)).toEqual(['under_13', '13_14', '15_17', '18_plus', 'unknown']);
  });

  it('reads dates as local midnight in the département, and counts weeks on its calendar', async () => {
    // 2025-03-01 in Paris starts at 2025-02-28T23:00Z; 2025-04-01 at 2025-03-31T22:00Z (summer time).
    const body = (await stats(protection75, 'departmentCode=75&from=2025-03-01&to=2025-04-01').expect(200)).body;
    expect(body).toMatchObject({ from: '2025-02-28T23:00:00.000Z', to: '2025-03-31T22:00:00.000Z', timeZone: 'Europe/Paris' });
    expect(body.weeks.map((w: { week: string }) => w.week)).toEqual(['2025-W09', '2025-W10', '2025-W11', '2025-W12', '2025-W13', '2025-W14']);
    expect(body.episodes.total).toBe(8);
  });

  it('gives police every count but what the interviews revealed', async () => {
    const police75 = (await makeClient(t, { role: 'police', departmentCodes: ['75'] })).key;
    const body = (await stats(police75).expect(200)).body;
    expect(body).toEqual({ ...PARIS, disclosures: null });
    await stats(police75, `departmentCode=93&from=${FROM}&to=${TO}`).expect(404);
  });

  it('answers the same numbers as CSV, with format=csv or Accept: text/csv', async () => {
    const csv = await stats(protection75, `departmentCode=75&from=${FROM}&to=${TO}&format=csv`).expect(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="vigie-statistiques-75-2025-03-01-2025-04-01.csv"');
    const rows = csv.text.trimEnd().split('\r\n');
    expect(rows[0]).toBe('section,item,measure,value');
    expect(rows).toEqual(
      expect.arrayContaining([
        'period,,departmentCodes,75',
        'episodes,,total,8',
        'episodes,,medianDurationSeconds,90000',
        'episodes,,shareWorrying,0.375',
        'repeatRunaways,,youthsWithRepeatedFugues,2',
        'returnInterviews,,shareCompletedOnTime,0.3333',
        'disclosures,,prosecutorReferrals,2',
        'alerts,,p90SecondsToAcknowledge,3240',
        'weeks,2025-W09,start,2025-02-24',
        'weeks,2025-W10,episodes,2',
        'weeks,2025-W14,episodes,0',
        'ageBands,13_14,worrying,1',
        'sexes,X,episodes,2',
        'foyers,' + PARIS_FOYER.id + ',name,Foyer de test',
        'foyers,' + PARIS_FOYER.id + ',episodes,7',
      ]),
    );
    const accepted = await stats(protection75, `departmentCode=75&from=${FROM}&to=${TO}`).set('Accept', 'text/csv').expect(200);
    expect(accepted.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(accepted.text).toBe(csv.text);
    // The query parameter wins; a browser's Accept keeps JSON.
    const json = await stats(protection75, `from=${FROM}&to=${TO}&format=json`).set('Accept', 'text/csv').expect(200);
    expect(json.body).toEqual(PARIS);
    expect((await stats(protection75).set('Accept', 'text/html,application/xhtml+xml,*/*;q=0.8').expect(200)).body).toEqual(PARIS);
    // Police: no disclosures section.
    const police = (await makeClient(t, { role: 'police', departmentCodes: ['75'] })).key;
    expect((await stats(police, `from=${FROM}&to=${TO}&format=csv`).expect(200)).text).not.toContain('disclosures');
    // Errors stay JSON.
    expect((await stats(protection75, `departmentCode=93&from=${FROM}&to=${TO}&format=csv`).expect(404)).body.code).toBe('NOT_FOUND');
  });

  it('hides a département outside the caller’s scope (404), and refuses roles without statistics (403)', async () => {
    expect((await stats(protection75, `departmentCode=93&from=${FROM}&to=${TO}`).expect(404)).body.code).toBe('NOT_FOUND');
    for (const role of ['hotline']) {
      const key = (await makeClient(t, { role, departmentCodes: ['75'] })).key;
      expect((await stats(key).expect(403)).body.code).toBe('FORBIDDEN');
    }
    const foyer = (await t.dataSource.query(`SELECT id FROM foyers LIMIT 1`))[0].id;
    await stats((await makeClient(t, { role: 'foyer', foyerIds: [foyer] })).key).expect(403);
  });

  it('refuses an invalid period or département code', async () => {
    await stats(protection75, `from=${TO}&to=${FROM}`).expect(400);
    await stats(protection75, `from=${FROM}&to=${FROM}`).expect(400);
    await stats(protection75, 'from=2025-02-30T00:00:00Z').expect(400);
    await stats(protection75, 'departmentCode=7500').expect(400);
    await stats(protection75, 'period=week').expect(400);
    await stats(protection75, 'format=xlsx').expect(400);
    await stats(protection75, 'from=2025-02-30').expect(400);
    await stats(protection75, 'from=01/03/2025').expect(400);
    await stats(protection75, 'from=2025-03-01&to=2025-03-01').expect(400);
    await stats(t.adminKey, 'departmentCode=99&from=2025-03-01').expect(400);
    await stats(protection75, 'departmentCode=75&departmentCode=93').expect(400);
  });
});

async function seed(t: TestApp): Promise<void> {
  const q = (sql: string, params: unknown[]) => t.dataSource.query(sql, params) as Promise<{ id: string }[]>;
  const foyer = async (departmentCode: string) => (await q(`INSERT INTO foyers (name, department_code, kind) VALUES ('Foyer de test', $1, 'ase') RETURNING id`, [departmentCode]))[0].id;
  const paris = await foyer('75');
  PARIS_FOYER.id = paris;
  const lilas = (await q(`INSERT INTO foyers (name, department_code, kind) VALUES ('Foyer des Lilas', '75', 'ase') RETURNING id`, []))[0].id;
  const seineSaintDenis = await foyer('93');
  const cipher = t.app.get(DataCipher);
  const youth = async (foyerId: string, sex: string, birthDate: string | null) => {
    const id = (await q(`INSERT INTO youths (foyer_id, sex) VALUES ($1, $2) RETURNING id`, [foyerId, sex]))[0].id;
    if (birthDate) {
      const identity = cipher.encrypt({ firstName: 'Test', lastName: 'Statistique', birthDate }, slot('youths', 'identity_enc', id));
      await q(`UPDATE youths SET identity_enc = $2 WHERE id = $1`, [id, identity]);
    }
    return id;
  };
  const y1 = await youth(paris, 'F', '2012-03-15');
  const y2 = await youth(paris, 'M', '2010-01-01');
  const y3 = await youth(paris, 'X', '2006-06-01');
  const y4 = await youth(paris, 'F', '2011-03-08');
  const y6 = await youth(paris, 'M', null);
  const y5 = await youth(seineSaintDenis, 'F', '2012-01-01');

  const episode = async (
    youthId: string,
    foyerId: string,
    departmentCode: string,
    e: { t0: string; status: string; level: string | null; locatedAt?: string; returnedAt?: string; endedAt?: string },
  ) =>
    (
      await q(
        `INSERT INTO fugues (youth_id, foyer_id, department_code, status, noticed_missing_at, located_at, returned_at, ended_at, effective_level)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
        [youthId, foyerId, departmentCode, e.status, e.t0, e.locatedAt ?? null, e.returnedAt ?? null, e.endedAt ?? null, e.level],
      )
    )[0].id;
  const e1 = await episode(y1, paris, '75', { t0: at('03-02T10:00'), returnedAt: at('03-02T14:00'), endedAt: at('03-06T00:00'), status: 'closed', level: 'routine' });
  const e2 = await episode(y1, paris, '75', { t0: at('03-10T10:00'), returnedAt: at('03-11T06:00'), status: 'returned', level: 'routine' });
  const e3 = await episode(y1, paris, '75', { t0: at('03-20T10:00'), status: 'missing', level: 'worrying' });
  const e4 = await episode(y2, paris, '75', { t0: at('03-05T08:00'), locatedAt: at('03-06T20:00'), status: 'located', level: 'worrying' });
  const e5 = await episode(y3, paris, '75', { t0: at('03-15T00:00'), returnedAt: at('03-18T00:00'), endedAt: at('03-25T00:00'), status: 'closed', level: 'worrying' });
  await episode(y3, paris, '75', { t0: at('03-25T00:00'), status: 'missing', level: null });
  await episode(y2, paris, '75', { t0: at('03-12T00:00'), endedAt: at('03-12T01:00'), status: 'cancelled', level: 'routine' });
  const e8 = await episode(y2, paris, '75', { t0: at('02-20T00:00'), returnedAt: at('02-27T00:00'), status: 'returned', level: 'routine' });
  await episode(y4, paris, '75', { t0: at('02-25T00:00'), returnedAt: at('02-25T05:00'), endedAt: at('02-26T00:00'), status: 'closed', level: 'routine' });
  await episode(y4, paris, '75', { t0: at('02-28T00:00'), returnedAt: at('02-28T05:00'), endedAt: at('03-01T00:00'), status: 'closed', level: 'routine' });
  const e11 = await episode(y4, lilas, '75', { t0: at('03-08T00:00'), returnedAt: at('03-08T10:00'), endedAt: at('03-12T00:00'), status: 'closed', level: 'routine' });
  const e12 = await episode(y5, seineSaintDenis, '93', { t0: at('03-03T00:00'), returnedAt: at('03-03T02:00'), endedAt: at('03-07T00:00'), status: 'closed', level: 'routine' });
  const e13 = await episode(y6, paris, '75', { t0: at('03-01T00:00'), returnedAt: at('03-02T06:00'), endedAt: at('03-06T00:00'), status: 'closed', level: 'routine' });
  await episode(y6, paris, '75', { t0: at('04-01T00:00'), status: 'missing', level: null });

  const interview = async (
    fugueId: string,
    i: { returnedAt: string; dueAt: string; status: string; conductedAt?: string; overdueAt?: string; violence?: boolean; sexualExploitation?: boolean; indicators?: string[]; referrals?: string[] },
  ) => {
    const [row]: { youth_id: string; foyer_id: string; department_code: string }[] = await t.dataSource.query(
      `SELECT youth_id, foyer_id, department_code FROM fugues WHERE id = $1`,
      [fugueId],
    );
    await q(
      `INSERT INTO return_interviews (fugue_id, youth_id, department_code, foyer_id, status, returned_at, due_at, reminder_due_at, overdue_at, conducted_at, recorded_at,
                                      disclosed_violence, disclosed_sexual_exploitation, exploitation_indicators, referrals)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7::timestamptz - interval '24 hours', $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
      [
        fugueId,
        row.youth_id,
        row.department_code,
        row.foyer_id,
        i.status,
        i.returnedAt,
        i.dueAt,
        i.overdueAt ?? null,
        i.conductedAt ?? null,
        i.status === 'scheduled' ? null : i.dueAt,
        i.violence ?? false,
        i.sexualExploitation ?? false,
        i.indicators ?? [],
        i.referrals ?? [],
      ],
    );
  };
  await interview(e1, { returnedAt: at('03-02T14:00'), dueAt: at('03-05T14:00'), status: 'completed', conductedAt: at('03-04T10:00'), violence: true, referrals: ['SIGNALEMENT_PROCUREUR'] });
  await interview(e2, { returnedAt: at('03-11T06:00'), dueAt: at('03-14T06:00'), status: 'completed', conductedAt: at('03-14T06:00') });
  await interview(e5, {
    returnedAt: at('03-18T00:00'),
    dueAt: at('03-21T00:00'),
    status: 'completed',
    conductedAt: at('03-22T00:00'),
    overdueAt: at('03-21T00:00'),
    sexualExploitation: true,
    indicators: ['HOTEL_OR_RENTAL'],
    referrals: ['MEDICAL_CHECK', 'SIGNALEMENT_PROCUREUR'],
  });
  await interview(e11, { returnedAt: at('03-08T10:00'), dueAt: at('03-11T10:00'), status: 'declined' });
  await interview(e13, { returnedAt: at('03-02T06:00'), dueAt: at('03-05T06:00'), status: 'not_held' });
  await interview(e8, { returnedAt: at('02-27T00:00'), dueAt: at('03-02T00:00'), status: 'scheduled', overdueAt: at('03-02T00:00') });
  await interview(e12, { returnedAt: at('03-03T02:00'), dueAt: at('03-06T02:00'), status: 'completed', conductedAt: at('03-04T00:00') });

  const alert = async (fugueId: string, a: { openedAt: string; acknowledgedAfterSeconds?: number; state: string }) => {
    await q(
      `INSERT INTO alerts (fugue_id, department_code, foyer_id, state, policy, opened_at, acknowledged_at)
       SELECT id, department_code, foyer_id, $2, '{}'::jsonb, $3::timestamptz, $3::timestamptz + ($4::int * interval '1 second') FROM fugues WHERE id = $1 RETURNING id`,
      [fugueId, a.state, a.openedAt, a.acknowledgedAfterSeconds ?? null],
    );
  };
  await alert(e3, { openedAt: at('03-20T10:00'), acknowledgedAfterSeconds: 600, state: 'acknowledged' });
  await alert(e4, { openedAt: at('03-05T08:05'), acknowledgedAfterSeconds: 1800, state: 'acknowledged' });
  await alert(e5, { openedAt: at('03-15T00:00'), acknowledgedAfterSeconds: 3600, state: 'resolved' });
  await alert(e5, { openedAt: at('03-16T00:00'), state: 'open' });
  await alert(e12, { openedAt: at('03-03T00:05'), acknowledgedAfterSeconds: 60, state: 'acknowledged' });
}
