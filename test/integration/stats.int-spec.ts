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
 */

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
    },
    youthsWithRepeatedFugues: 2,
    returnInterviews: { due: 6, completedOnTime: 2, completedLate: 1, declined: 1, notHeld: 1, scheduled: 1, overdue: 1 },
    alerts: { opened: 4, acknowledged: 3, medianSecondsToAcknowledge: 1800 },
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
    expect(body.alerts).toEqual({ opened: 5, acknowledged: 4, medianSecondsToAcknowledge: 1200 });
    expect((await stats(t.adminKey).expect(200)).body).toMatchObject({ departmentCodes: null, episodes: { total: 9 } });
  });

  it('gives zeros and no medians for a period without data', async () => {
    const body = (await stats(protection75, 'from=2024-01-01T00:00:00Z&to=2024-02-01T00:00:00Z').expect(200)).body;
    expect(body.episodes).toMatchObject({ total: 0, ended: 0, medianDurationSeconds: null, shareEndedWithin24h: null });
    expect(body.returnInterviews.due).toBe(0);
    expect(body.alerts).toEqual({ opened: 0, acknowledged: 0, medianSecondsToAcknowledge: null });
  });

  it('hides a département outside the caller’s scope (404), and refuses roles without statistics (403)', async () => {
    expect((await stats(protection75, `departmentCode=93&from=${FROM}&to=${TO}`).expect(404)).body.code).toBe('NOT_FOUND');
    for (const role of ['police', 'hotline']) {
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
  });
});

async function seed(t: TestApp): Promise<void> {
  const q = (sql: string, params: unknown[]) => t.dataSource.query(sql, params) as Promise<{ id: string }[]>;
  const foyer = async (departmentCode: string) => (await q(`INSERT INTO foyers (name, department_code, kind) VALUES ('Foyer de test', $1, 'ase') RETURNING id`, [departmentCode]))[0].id;
  const paris = await foyer('75');
  const seineSaintDenis = await foyer('93');
  const youth = async (foyerId: string) => (await q(`INSERT INTO youths (foyer_id, sex) VALUES ($1, 'F') RETURNING id`, [foyerId]))[0].id;
  const [y1, y2, y3, y4, y6] = [await youth(paris), await youth(paris), await youth(paris), await youth(paris), await youth(paris)];
  const y5 = await youth(seineSaintDenis);

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
  const e11 = await episode(y4, paris, '75', { t0: at('03-08T00:00'), returnedAt: at('03-08T10:00'), endedAt: at('03-12T00:00'), status: 'closed', level: 'routine' });
  const e12 = await episode(y5, seineSaintDenis, '93', { t0: at('03-03T00:00'), returnedAt: at('03-03T02:00'), endedAt: at('03-07T00:00'), status: 'closed', level: 'routine' });
  const e13 = await episode(y6, paris, '75', { t0: at('03-01T00:00'), returnedAt: at('03-02T06:00'), endedAt: at('03-06T00:00'), status: 'closed', level: 'routine' });
  await episode(y6, paris, '75', { t0: at('04-01T00:00'), status: 'missing', level: null });

  const interview = async (fugueId: string, i: { returnedAt: string; dueAt: string; status: string; conductedAt?: string; overdueAt?: string }) => {
    const [row]: { youth_id: string; foyer_id: string; department_code: string }[] = await t.dataSource.query(
      `SELECT youth_id, foyer_id, department_code FROM fugues WHERE id = $1`,
      [fugueId],
    );
    await q(
      `INSERT INTO return_interviews (fugue_id, youth_id, department_code, foyer_id, status, returned_at, due_at, reminder_due_at, overdue_at, conducted_at, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7::timestamptz - interval '24 hours', $8, $9, $10) RETURNING id`,
      [fugueId, row.youth_id, row.department_code, row.foyer_id, i.status, i.returnedAt, i.dueAt, i.overdueAt ?? null, i.conductedAt ?? null, i.status === 'scheduled' ? null : i.dueAt],
    );
  };
  await interview(e1, { returnedAt: at('03-02T14:00'), dueAt: at('03-05T14:00'), status: 'completed', conductedAt: at('03-04T10:00') });
  await interview(e2, { returnedAt: at('03-11T06:00'), dueAt: at('03-14T06:00'), status: 'completed', conductedAt: at('03-14T06:00') });
  await interview(e5, { returnedAt: at('03-18T00:00'), dueAt: at('03-21T00:00'), status: 'completed', conductedAt: at('03-22T00:00'), overdueAt: at('03-21T00:00') });
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
