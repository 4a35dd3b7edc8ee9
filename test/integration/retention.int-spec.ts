import { DataCipher, ENCRYPTED_COLUMNS, EncryptedTable, RetentionRepository, slot } from '@vigie/persistence';
import { RetentionService } from '@vigie/domain';
import { bearer, birthDateForAge, declareFugue, makeClient, makeFoyer, makeFoyerWithYouth, startTestApp, TestApp, waitFor } from '@vigie/testing';

/**
 * quality.md § Retention: episodes closed (or cancelled) more than VIGIE_RETENTION_DAYS ago have
 * their personal data erased by a scheduled job — here 3 days, and the job's clock is moved
 * forward instead of waiting. Every column of every table is searched afterwards, encrypted ones
 * decrypted, for the distinctive fictitious values that went in.
 */

const DAY = 24 * 3600_000;
const RETENTION_DAYS = 3;

/** Youth A: every kind of personal data, one episode closed. Youth D: one cancelled episode. */
const ERASED = {
  firstName: 'Zqxaprenom',
  lastName: 'Zqxanom',
  phone: '+33600000077',
  description: 'Zqxadescription',
  medical: 'Zqxamedical',
  usualPlace: 'Zqxalieuhabituel',
  externalRef: 'Zqxareference',
  lastSeenPlace: 'Zqxadernierlieu',
  clothing: 'Zqxavetements',
  circumstances: 'Zqxacirconstances',
  vehicle: 'Zqxavehicule',
  concernNote: 'Zqxainquietude',
  policeReference: 'Zqxaprocesverbal',
  updateNote: 'Zqxanote',
  sightingPlace: 'Zqxaapercu',
  overrideReason: 'Zqxaforcage',
  ackNote: 'Zqxaaccuse',
  locatedPlace: 'Zqxalocalise',
  returnPlace: 'Zqxaretour',
  interviewWhereabouts: 'Zqxaentretienlieu',
  interviewBy: 'Zqxaentretienpar',
  closeReason: 'Zqxafermeture',
  cancelledFirstName: 'Zqxdprenom',
  cancelReason: 'Zqxdannulation',
};
/** Youth B has an open episode: its identity and that episode's text stay. */
const KEPT = { firstName: 'Zqxbprenom', openCircumstances: 'Zqxbcirconstances' };
/** B's closed episode: its text goes, the identity stays. */
const B_CLOSED_TEXT = 'Zqxbfermeture';

const found = (haystack: string, markers: Record<string, string>) =>
  Object.entries(markers)
    .filter(([, value]) => haystack.toLowerCase().includes(value.toLowerCase()))
    .map(([name]) => name);

describe('retention erases personal data after VIGIE_RETENTION_DAYS, and keeps the figures', () => {
  let t: TestApp;
  let retention: RetentionService;
  let cipher: DataCipher;
  let foyerKey: string;
  let protectionKey: string;
  const ids = { youthA: '', fugueA: '', youthB: '', fugueBClosed: '', fugueBOpen: '', youthC: '', fugueCClosed: '', fugueCReturned: '', youthD: '', fugueD: '' };
  let startedAt: number;

  /** Every row of every table as text, encrypted values decrypted beside them. */
  async function everything(): Promise<string> {
    const tables: { name: string }[] = await t.dataSource.query(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`);
    const parts: string[] = [];
    for (const { name } of tables) {
      const rows: { row: Record<string, unknown> }[] = await t.dataSource.query(`SELECT row_to_json(x) AS row FROM "${name}" x`);
      const encrypted = ENCRYPTED_COLUMNS[name as EncryptedTable];
      for (const { row } of rows) {
        parts.push(JSON.stringify(row));
        for (const column of encrypted?.columns ?? []) {
          const value = row[column];
          const rowId = encrypted.rowKey.map((key) => String(row[key]));
          if (typeof value === 'string') parts.push(JSON.stringify(cipher.decrypt(value, slot(name as EncryptedTable, column as never, rowId))));
        }
      }
    }
    return parts.join('\n');
  }

  const statsNow = async () =>
    (
      await t.http
        .get(`/v1/stats?from=${new Date(startedAt - DAY).toISOString()}&to=${new Date(startedAt + DAY).toISOString()}`)
        .set(bearer(protectionKey))
        .expect(200)
    ).body;

  beforeAll(async () => {
    t = await startTestApp({ env: { VIGIE_RETENTION_DAYS: String(RETENTION_DAYS) } });
    retention = t.app.get(RetentionService);
    cipher = t.app.get(DataCipher);
    startedAt = Date.now();
    const foyer = await makeFoyer(t, { departmentCode: '75' });
    foyerKey = (await makeClient(t, { role: 'foyer', foyerIds: [foyer.id] })).key;
    protectionKey = (await makeClient(t, { role: 'child_protection', departmentCodes: ['75'] })).key;
    const as = (key: string) => bearer(key);
    const youth = async (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
      (await t.http.post('/v1/youths').set(as(foyerKey)).set(headers).send({ foyerId: foyer.id, lastName: 'Testnom', birthDate: birthDateForAge(15), sex: 'F', ...body }).expect(201)).body.id as string;

    // Youth A: identity, profile, an episode with every free-text field, an acknowledged alert, an interview, closed.
    ids.youthA = await youth(
      {
        firstName: ERASED.firstName,
        lastName: ERASED.lastName,
        phone: ERASED.phone,
        description: ERASED.description,
        usualPlaces: [ERASED.usualPlace],
        medical: { vitalTreatment: true, details: ERASED.medical },
        vulnerabilities: ['SUBSTANCE_USE'],
        externalRef: ERASED.externalRef,
      },
      { 'Idempotency-Key': 'retention-youth-a' },
    );
    ids.fugueA = (
      await declareFugue(t, foyerKey, ids.youthA, {
        lastSeenPlace: ERASED.lastSeenPlace,
        clothing: ERASED.clothing,
        circumstances: ERASED.circumstances,
        vehicle: ERASED.vehicle,
        indicators: ['SUICIDE_RISK'],
        staffConcern: { worrying: true, note: ERASED.concernNote },
        policeReport: { reference: ERASED.policeReference },
      })
    ).id;
    const alertId = await waitFor(async () => (await t.dataSource.query(`SELECT id FROM alerts WHERE fugue_id = $1`, [ids.fugueA]))[0]?.id as string | undefined, {
      what: 'the alert of episode A',
    });
    await t.http.post(`/v1/alerts/${alertId}/acknowledge`).set(as(protectionKey)).send({ note: ERASED.ackNote }).expect(200);
    await t.http
      .post(`/v1/fugues/${ids.fugueA}/updates`)
      .set(as(foyerKey))
      .send({ note: ERASED.updateNote, sighting: { at: new Date().toISOString(), place: ERASED.sightingPlace } })
      .expect(201);
    await t.http.post(`/v1/fugues/${ids.fugueA}/override`).set(as(protectionKey)).send({ level: 'worrying', reason: ERASED.overrideReason }).expect(200);
    await t.http.post(`/v1/fugues/${ids.fugueA}/located`).set(as(foyerKey)).send({ at: new Date().toISOString(), place: ERASED.locatedPlace }).expect(200);
    await t.http.post(`/v1/fugues/${ids.fugueA}/return`).set(as(foyerKey)).send({ returnedAt: new Date().toISOString(), foundBy: 'family', place: ERASED.returnPlace }).expect(200);
    const interview = (await t.http.get(`/v1/return-interviews?fugueId=${ids.fugueA}`).set(as(foyerKey)).expect(200)).body.items[0];
    await t.http
      .put(`/v1/return-interviews/${interview.id}`)
      .set(as(foyerKey))
      .send({
        outcome: 'completed',
        conductedAt: new Date().toISOString(),
        conductedBy: ERASED.interviewBy,
        interviewerIndependent: true,
        whereabouts: ERASED.interviewWhereabouts,
        exploitationIndicators: ['MULTIPLE_PHONES'],
      })
      .expect(200);
    await t.http.post(`/v1/fugues/${ids.fugueA}/close`).set(as(foyerKey)).send({ reason: ERASED.closeReason }).expect(200);

    // Youth B: a closed episode and an open one.
    ids.youthB = await youth({ firstName: KEPT.firstName });
    ids.fugueBClosed = (await declareFugue(t, foyerKey, ids.youthB, { noticedMissingAt: new Date(Date.now() - 3600_000).toISOString() })).id;
    await t.http.post(`/v1/fugues/${ids.fugueBClosed}/return`).set(as(foyerKey)).send({ returnedAt: new Date().toISOString(), foundBy: 'self' }).expect(200);
    await t.http.post(`/v1/fugues/${ids.fugueBClosed}/close`).set(as(foyerKey)).send({ reason: B_CLOSED_TEXT }).expect(200);
    ids.fugueBOpen = (await declareFugue(t, foyerKey, ids.youthB, { circumstances: KEPT.openCircumstances })).id;

    // Youth C: a closed episode and a returned one, not closed yet.
    ids.youthC = await youth({ firstName: 'Testprenomc' });
    ids.fugueCClosed = (await declareFugue(t, foyerKey, ids.youthC, { noticedMissingAt: new Date(Date.now() - 7200_000).toISOString() })).id;
    await t.http.post(`/v1/fugues/${ids.fugueCClosed}/return`).set(as(foyerKey)).send({ returnedAt: new Date(Date.now() - 3600_000).toISOString(), foundBy: 'self' }).expect(200);
    await t.http.post(`/v1/fugues/${ids.fugueCClosed}/close`).set(as(foyerKey)).send({ reason: 'Retour au foyer' }).expect(200);
    ids.fugueCReturned = (await declareFugue(t, foyerKey, ids.youthC)).id;
    await t.http.post(`/v1/fugues/${ids.fugueCReturned}/return`).set(as(foyerKey)).send({ returnedAt: new Date().toISOString(), foundBy: 'self' }).expect(200);

    // Youth D: an episode declared by mistake, cancelled.
    ids.youthD = await youth({ firstName: ERASED.cancelledFirstName });
    ids.fugueD = (await declareFugue(t, foyerKey, ids.youthD)).id;
    await t.http.post(`/v1/fugues/${ids.fugueD}/cancel`).set(as(foyerKey)).send({ reason: ERASED.cancelReason }).expect(200);

    // Every episode triaged before the figures are read.
    await waitFor(async () => {
      const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM fugues WHERE classification IS NULL AND status <> 'cancelled'`);
      return n === 0;
    });
  });

  afterAll(() => t.close());

  it('erases nothing before the period has passed', async () => {
    // Only the stored idempotent response goes: keys are kept VIGIE_IDEMPOTENCY_KEEP_HOURS, not the retention period.
    expect(await retention.eraseExpired(new Date(Date.now() + (RETENTION_DAYS - 1) * DAY))).toEqual({ episodes: 0, youths: 0, idempotencyKeys: 1 });
    expect(found(await everything(), ERASED).sort()).toEqual(Object.keys(ERASED).sort());
  });

  describe('once the period has passed', () => {
    let statsBefore: unknown;
    let report: Awaited<ReturnType<RetentionService['eraseExpired']>>;
    const later = () => new Date(startedAt + (RETENTION_DAYS + 1) * DAY);

    beforeAll(async () => {
      statsBefore = await statsNow();
      report = await retention.eraseExpired(later());
    });

    it('erases the closed and cancelled episodes and the youths none of whose episodes is kept', () => {
      // A, B's closed one, C's closed one, D's cancelled one; youths A and D.
      // The stored idempotent response carrying youth A's identity went long before (see above).
      expect(report).toEqual({ episodes: 4, youths: 2, idempotencyKeys: 0 });
    });

    it('leaves no erased value in any column of any table, encrypted or not', async () => {
      expect(found(await everything(), ERASED)).toEqual([]);
      expect(found(await everything(), { closedB: B_CLOSED_TEXT })).toEqual([]);
    });

    it('keeps the identity of a youth with an open episode, and that episode’s text', async () => {
      expect(found(await everything(), KEPT).sort()).toEqual(['firstName', 'openCircumstances']);
      const youthB = (await t.http.get(`/v1/youths/${ids.youthB}`).set(bearer(foyerKey)).expect(200)).body;
      expect(youthB).toMatchObject({ firstName: KEPT.firstName, erased: false });
      const youthC = (await t.http.get(`/v1/youths/${ids.youthC}`).set(bearer(foyerKey)).expect(200)).body;
      expect(youthC).toMatchObject({ firstName: 'Testprenomc', erased: false });
    });

    it('shows what remains through the API: codes and times, no identity, no text', async () => {
      const youthA = (await t.http.get(`/v1/youths/${ids.youthA}`).set(bearer(foyerKey)).expect(200)).body;
      expect(youthA).toMatchObject({ erased: true, firstName: null, lastName: null, birthDate: null, phone: null, externalRef: null, vulnerabilities: [] });
      const fugue = (await t.http.get(`/v1/fugues/${ids.fugueA}`).set(bearer(foyerKey)).expect(200)).body;
      expect(fugue).toMatchObject({ status: 'closed', lastSeenPlace: null, circumstances: null, indicators: ['SUICIDE_RISK'], effectiveLevel: 'worrying' });
      expect(fugue.youth).toMatchObject({ firstName: null, lastName: null });
      const interview = (await t.http.get(`/v1/return-interviews?fugueId=${ids.fugueA}`).set(bearer(foyerKey)).expect(200)).body.items[0];
      const full = (await t.http.get(`/v1/return-interviews/${interview.id}`).set(bearer(foyerKey)).expect(200)).body;
      expect(full).toMatchObject({ status: 'completed', erased: true, whereabouts: null, conductedBy: null, exploitationIndicators: ['MULTIPLE_PHONES'] });
      const timeline = (await t.http.get(`/v1/fugues/${ids.fugueA}/timeline`).set(bearer(foyerKey)).expect(200)).body.items;
      expect(timeline.every((e: { text: unknown }) => e.text === null)).toBe(true);
      expect(timeline.map((e: { type: string }) => e.type)).toContain('personal_data.erased');
    });

    it('keeps every figure of the statistics unchanged', async () => {
      expect(await statsNow()).toEqual(statsBefore);
    });

    it('writes an audit entry for each erased episode and youth', async () => {
      const entries: { client_id: string | null; method: string; route: string; youth_id: string; fugue_id: string | null }[] = await t.dataSource.query(
        `SELECT client_id, method, route, youth_id, fugue_id FROM audit_log WHERE action = 'erase' ORDER BY id`,
      );
      const described = entries.map((e) => `${e.method} ${e.route} ${e.youth_id} ${e.fugue_id ?? '-'}`).sort();
      expect(described).toEqual(
        [
          `JOB retention ${ids.youthA} ${ids.fugueA}`,
          `JOB retention ${ids.youthB} ${ids.fugueBClosed}`,
          `JOB retention ${ids.youthC} ${ids.fugueCClosed}`,
          `JOB retention ${ids.youthD} ${ids.fugueD}`,
          `JOB retention ${ids.youthA} -`,
          `JOB retention ${ids.youthD} -`,
        ].sort(),
      );
      expect(entries.every((e) => e.client_id === null)).toBe(true);
    });

    it('does nothing more when it runs again', async () => {
      const [{ n: before }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'erase'`);
      expect(await retention.eraseExpired(new Date(later().getTime() + DAY))).toEqual({ episodes: 0, youths: 0, idempotencyKeys: 0 });
      const [{ n: after }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'erase'`);
      expect(after).toBe(before);
    });

    it('refuses a new episode or a profile change for an erased youth', async () => {
      await t.http.post('/v1/fugues').set(bearer(foyerKey)).send({ youthId: ids.youthA, noticedMissingAt: new Date().toISOString() }).expect(409);
      await t.http.patch(`/v1/youths/${ids.youthA}`).set(bearer(foyerKey)).send({ firstName: 'Testprenom' }).expect(409);
    });
  });

  it('runs once a day, whichever worker claims the run', async () => {
    const day = startedAt + 10 * DAY;
    expect(await retention.runIfDue(new Date(day))).toEqual(expect.objectContaining({ episodes: 0 }));
    // Two minutes later (past the per-process check interval): already run today.
    expect(await retention.runIfDue(new Date(day + 2 * 60_000))).toBeNull();
    expect(await retention.runIfDue(new Date(day + DAY + 2 * 60_000))).toEqual(expect.objectContaining({ episodes: 0 }));
  });

  it('makes a declaration that races the erasure of its youth wait for it, then refuses it', async () => {
    const { foyerKey: key, youthId } = await makeFoyerWithYouth(t, '13');
    const runner = t.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    let declaration: Promise<{ status: number; body: { code?: string } }> | null = null;
    try {
      // The retention erases the youth (no episode kept) and has not committed yet.
      expect(await t.app.get(RetentionRepository).eraseYouthsWithoutKeptEpisodes(runner.manager, [youthId], new Date())).toEqual([youthId]);
      declaration = t.http
        .post('/v1/fugues')
        .set(bearer(key))
        .send({ youthId, noticedMissingAt: new Date(Date.now() - 60_000).toISOString() })
        .then((res) => res);
      // The declaration read the youth before the erasure was visible, and now waits for its lock.
      await waitFor(
        async () =>
          (
            await t.dataSource.query(
              `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO fugues%'`,
            )
          ).length === 1,
        { what: 'the declaration to wait for the youth' },
      );
      await runner.commitTransaction();
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
    const res = await declaration!;
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('INVALID_TRANSITION');
    expect(await t.dataSource.query(`SELECT 1 FROM fugues WHERE youth_id = $1`, [youthId])).toHaveLength(0);
  });

  it('keeps a youth whose declaration commits while the erasure waits for it', async () => {
    const { foyer, youthId } = await makeFoyerWithYouth(t, '69');
    const declaring = t.dataSource.createQueryRunner();
    await declaring.connect();
    await declaring.startTransaction();
    let erasing: Promise<string[]> | null = null;
    try {
      // What the declaration's statement holds until it commits: the youth FOR KEY SHARE, and the new episode.
      await declaring.query(`SELECT id FROM youths WHERE id = $1 FOR KEY SHARE`, [youthId]);
      await declaring.query(
        `INSERT INTO fugues (youth_id, foyer_id, department_code, status, noticed_missing_at, indicators) VALUES ($1, $2, '69', 'missing', now(), '{}')`,
        [youthId, foyer.id],
      );
      erasing = t.dataSource.transaction((manager) => t.app.get(RetentionRepository).eraseYouthsWithoutKeptEpisodes(manager, [youthId], new Date()));
      await waitFor(
        async () =>
          (
            await t.dataSource.query(
              `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FROM youths WHERE id = ANY%'`,
            )
          ).length === 1,
        { what: 'the erasure to wait for the youth' },
      );
      await declaring.commitTransaction();
    } finally {
      if (declaring.isTransactionActive) await declaring.rollbackTransaction();
      await declaring.release();
    }
    expect(await erasing!).toEqual([]);
    const [youth]: { erased_at: Date | null }[] = await t.dataSource.query(`SELECT erased_at FROM youths WHERE id = $1`, [youthId]);
    expect(youth.erased_at).toBeNull();
  });
});
