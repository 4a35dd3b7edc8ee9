import {
  bearer,
  birthDateForAge,
  declareFugue,
  makeClient,
  makeFoyerWithYouth,
  makeYouth,
  startTestApp,
  TestApp,
  waitFor,
  testNow,
} from '@vigie/testing';

const HOUR = 3600_000;

describe('the life of an episode', () => {
  let t: TestApp;
  let policeKey: string;
  let protectionKey: string;

  beforeAll(async () => {
    t = await startTestApp();
    policeKey = (await makeClient(t, { role: 'police', departmentCodes: ['75'] })).key;
    protectionKey = (await makeClient(t, { role: 'child_protection', departmentCodes: ['75'] })).key;
  });
  afterAll(() => t.close());

  /** The triage story of an episode, without the escalation events the alerts add beside it. */
  const triageEvents = (items: { type: string }[]) => items.map((e) => e.type).filter((type) => !/^(alert|routine|notification)\./.test(type));

  const get = async (id: string, key: string) => (await t.http.get(`/v1/fugues/${id}`).set(bearer(key)).expect(200)).body;

  /** Waits until the episode has been classified `count` times. */
  async function classifiedTimes(id: string, count: number) {
    await waitFor(
      async () => {
        const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM fugue_classifications WHERE fugue_id = $1`, [id]);
        return n >= count;
      },
      { what: `${count} classifications of ${id}` },
    );
  }

  it('re-triages on new information: an update with a critical indicator makes a routine episode worrying', async () => {
    const { foyerKey, youthId } = await makeFoyerWithYouth(t);
    const { id } = await declareFugue(t, foyerKey, youthId);
    await classifiedTimes(id, 1);
    expect((await get(id, foyerKey)).classification).toMatchObject({ level: 'routine', score: 0, reasons: [] });

    const res = await t.http
      .post(`/v1/fugues/${id}/updates`)
      .set(bearer(foyerKey))
      .send({ indicators: ['THIRD_PARTY_DANGER'], note: 'Note de test', sighting: { at: testNow().toISOString(), place: 'Lieu de test' } })
      .expect(201);
    expect(res.body.updateId).toEqual(expect.any(String));
    await classifiedTimes(id, 2);
    const fugue = await get(id, foyerKey);
    expect(fugue.classification.level).toBe('worrying');
    expect(fugue.classification.reasons).toEqual([{ code: 'THIRD_PARTY_DANGER', kind: 'critical', weight: null, source: 'update' }]);

    const timeline = (await t.http.get(`/v1/fugues/${id}/timeline`).set(bearer(foyerKey)).expect(200)).body.items;
    expect(triageEvents(timeline)).toEqual(['declared', 'classified', 'sighting', 'classified']);
    expect(timeline[2].text).toEqual({ note: 'Note de test', sightingPlace: 'Lieu de test' });
    expect(timeline[3].data).toMatchObject({ cause: 'updated', level: 'worrying', reasonCodes: ['THIRD_PARTY_DANGER'] });
  });

  it('fires the review timer by itself: a routine 14-year-old becomes worrying when the absence reaches 24 h', async () => {
    const { foyerKey, youthId } = await makeFoyerWithYouth(t, '75', { birthDate: birthDateForAge(14) });
    const noticedMissingAt = new Date(testNow().getTime() - 24 * HOUR + 3000);
    const { id } = await declareFugue(t, foyerKey, youthId, { noticedMissingAt: noticedMissingAt.toISOString() });
    await classifiedTimes(id, 1);
    const first = await get(id, foyerKey);
    expect(first.classification).toMatchObject({ level: 'routine', score: 2, reasons: [{ code: 'AGE_13_14', weight: 2 }] });
    expect(first.classification.nextReviewAt).toBe(new Date(noticedMissingAt.getTime() + 24 * HOUR).toISOString());

    // Nobody asks: the sweep finds the due review and the worker re-triages.
    await classifiedTimes(id, 2);
    const second = await get(id, foyerKey);
    expect(second.classification.level).toBe('worrying');
    expect(second.classification.reasons.map((r: { code: string }) => r.code)).toEqual(['LONG_ABSENCE', 'AGE_13_14']);
    expect(second.classification.nextReviewAt).toBeNull();
    expect(new Date(second.classification.evaluatedAt).getTime()).toBeGreaterThanOrEqual(noticedMissingAt.getTime() + 24 * HOUR);
    const [{ cause }] = await t.dataSource.query(
      `SELECT cause FROM fugue_classifications WHERE fugue_id = $1 ORDER BY evaluated_at DESC LIMIT 1`,
      [id],
    );
    expect(cause).toBe('review');
  });

  it('overrides: police may not lower a critical episode, child protection may; new facts supersede the override', async () => {
    const { foyerKey, youthId } = await makeFoyerWithYouth(t);
    const { id } = await declareFugue(t, foyerKey, youthId, { staffConcern: { worrying: true, note: 'Inquietude de test' } });
    await classifiedTimes(id, 1);
    expect((await get(id, foyerKey)).classification.reasons[0]).toMatchObject({ code: 'STAFF_CONCERN', kind: 'critical' });

    const refused = await t.http.post(`/v1/fugues/${id}/override`).set(bearer(policeKey)).send({ level: 'routine', reason: 'Raison de test' });
    expect(refused.status).toBe(403);
    await t.http.post(`/v1/fugues/${id}/override`).set(bearer(foyerKey)).send({ level: 'routine', reason: 'Raison de test' }).expect(403);

    const lowered = await t.http.post(`/v1/fugues/${id}/override`).set(bearer(protectionKey)).send({ level: 'routine', reason: 'Raison de test' }).expect(200);
    expect(lowered.body.effectiveLevel).toBe('routine');
    await classifiedTimes(id, 2); // the override asks for a re-triage of the same facts…
    let fugue = await get(id, protectionKey);
    expect(fugue.classification.level).toBe('worrying'); // …the computed level is shown beside the override…
    expect(fugue.override).toMatchObject({ level: 'routine', reason: 'Raison de test' });
    expect(fugue.effectiveLevel).toBe('routine'); // …which stands, since nothing new was learnt.
    const listed = await t.http.get('/v1/fugues?level=routine').set(bearer(protectionKey)).expect(200);
    expect(listed.body.items.map((f: { id: string }) => f.id)).toContain(id);

    await t.http.post(`/v1/fugues/${id}/updates`).set(bearer(foyerKey)).send({ indicators: ['MULTIPLE_PHONES'] }).expect(201);
    await classifiedTimes(id, 3);
    fugue = await get(id, protectionKey);
    expect(fugue.override).toBeNull();
    expect(fugue.effectiveLevel).toBe('worrying');
    const types = triageEvents((await t.http.get(`/v1/fugues/${id}/timeline`).set(bearer(protectionKey)).expect(200)).body.items);
    expect(types).toEqual(['declared', 'classified', 'override.set', 'classified', 'updated', 'classified', 'override.superseded']);
  });

  it('withdraws an override and goes back to the computed level', async () => {
    const { foyerKey, youthId } = await makeFoyerWithYouth(t);
    const { id } = await declareFugue(t, foyerKey, youthId);
    await classifiedTimes(id, 1);
    await t.http.post(`/v1/fugues/${id}/override`).set(bearer(policeKey)).send({ level: 'worrying', reason: 'Raison de test' }).expect(200);
    expect((await get(id, policeKey)).effectiveLevel).toBe('worrying');
    const withdrawn = await t.http.delete(`/v1/fugues/${id}/override`).set(bearer(policeKey)).expect(200);
    expect(withdrawn.body).toMatchObject({ effectiveLevel: 'routine', override: null });
    await t.http.delete(`/v1/fugues/${id}/override`).set(bearer(policeKey)).expect(409);
  });

  it('located, returned, closed: each transition once, in order, re-triaged with the end of the absence', async () => {
    const { foyerKey, youthId } = await makeFoyerWithYouth(t, '75', { birthDate: birthDateForAge(14) });
    const t0 = new Date(testNow().getTime() - 30 * HOUR);
    const { id } = await declareFugue(t, foyerKey, youthId, { noticedMissingAt: t0.toISOString() });
    await classifiedTimes(id, 1);
    expect((await get(id, foyerKey)).classification.reasons.map((r: { code: string }) => r.code)).toContain('LONG_ABSENCE');

    // Located 10 h after t0: the absence ended under 24 h, so LONG_ABSENCE no longer holds.
    const locatedAt = new Date(t0.getTime() + 10 * HOUR).toISOString();
    await t.http.post(`/v1/fugues/${id}/located`).set(bearer(policeKey)).send({ at: locatedAt, place: 'Lieu de test' }).expect(200);
    await t.http.post(`/v1/fugues/${id}/located`).set(bearer(policeKey)).send({ at: locatedAt }).expect(409);
    await classifiedTimes(id, 2);
    let fugue = await get(id, foyerKey);
    expect(fugue.status).toBe('located');
    expect(fugue.classification).toMatchObject({ level: 'routine', nextReviewAt: null });
    expect(fugue.located).toEqual({ at: locatedAt, place: 'Lieu de test' });

    const returnedAt = new Date(t0.getTime() + 12 * HOUR).toISOString();
    await t.http
      .post(`/v1/fugues/${id}/return`)
      .set(bearer(foyerKey))
      .send({ returnedAt, foundBy: 'police', condition: { injured: false, needsMedicalCare: true } })
      .expect(200);
    await classifiedTimes(id, 3);
    fugue = await get(id, foyerKey);
    expect(fugue.status).toBe('returned');
    expect(fugue.returned).toMatchObject({ at: returnedAt, foundBy: 'police', condition: { injured: false, needsMedicalCare: true } });

    await t.http.post(`/v1/fugues/${id}/cancel`).set(bearer(foyerKey)).send({ reason: 'Raison de test' }).expect(409);
    const closed = await t.http.post(`/v1/fugues/${id}/close`).set(bearer(foyerKey)).send({ reason: 'Raison de test' }).expect(200);
    expect(closed.body.status).toBe('closed');
    await t.http.post(`/v1/fugues/${id}/updates`).set(bearer(foyerKey)).send({ note: 'Trop tard' }).expect(409);

    // A closed episode does not block the next one.
    await declareFugue(t, foyerKey, youthId);
  });

  it('cancels an episode declared by mistake: kept, never counted in the history of the next one', async () => {
    const { foyer, foyerKey, youthId } = await makeFoyerWithYouth(t);
    const first = await declareFugue(t, foyerKey, youthId, { indicators: ['SUICIDE_RISK'] });
    await classifiedTimes(first.id, 1);
    await t.http.post(`/v1/fugues/${first.id}/cancel`).set(bearer(foyerKey)).send({ reason: 'Erreur de saisie' }).expect(200);
    const second = await declareFugue(t, foyerKey, youthId);
    await classifiedTimes(second.id, 1);
    const fugue = await get(second.id, foyerKey);
    // The cancelled worrying episode does not make PRIOR_WORRYING_EPISODE hold.
    expect(fugue.classification.reasons).toEqual([]);
    expect(foyer.departmentCode).toBe('75');
  });

  it('a retry with the same Idempotency-Key returns the first response and creates nothing', async () => {
    const { foyer, foyerKey } = await makeFoyerWithYouth(t);
    const youth = await makeYouth(t, foyerKey, foyer.id);
    const body = { youthId: youth.id, noticedMissingAt: new Date(testNow().getTime() - 60_000).toISOString() };
    const first = await t.http.post('/v1/fugues').set(bearer(foyerKey)).set('Idempotency-Key', 'cle-de-test-1').send(body).expect(201);
    const again = await t.http.post('/v1/fugues').set(bearer(foyerKey)).set('Idempotency-Key', 'cle-de-test-1').send(body).expect(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM fugues WHERE youth_id = $1`, [youth.id]);
    expect(n).toBe(1);
    const other = await t.http
      .post('/v1/fugues')
      .set(bearer(foyerKey))
      .set('Idempotency-Key', 'cle-de-test-1')
      .send({ ...body, indicators: ['MULTIPLE_PHONES'] })
      .expect(409);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });
});

describe("one youth's episodes", () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ worker: false });
  });
  afterAll(() => t.close());

  it('lists them with ?youthId=, only within scope', async () => {
    const { foyer, foyerKey, youthId } = await makeFoyerWithYouth(t, '75');
    const other = await makeYouth(t, foyerKey, foyer.id);
    const first = await declareFugue(t, foyerKey, youthId, { noticedMissingAt: new Date(testNow().getTime() - 3 * HOUR).toISOString() });
    await t.http.post(`/v1/fugues/${first.id}/cancel`).set(bearer(foyerKey)).send({ reason: 'Déclarée par erreur' }).expect(200);
    const second = await declareFugue(t, foyerKey, youthId);
    const ofOther = await declareFugue(t, foyerKey, other.id);

    const listed = await t.http.get(`/v1/fugues?youthId=${youthId}`).set(bearer(foyerKey)).expect(200);
    expect(listed.body.items.map((f: { id: string }) => f.id)).toEqual([second.id, first.id]);
    expect(listed.body.items.map((f: { id: string }) => f.id)).not.toContain(ofOther.id);

    const outsider = await makeClient(t, { role: 'police', departmentCodes: ['13'] });
    expect((await t.http.get(`/v1/fugues?youthId=${youthId}`).set(bearer(outsider.key)).expect(200)).body.items).toEqual([]);
    expect((await t.http.get('/v1/fugues?youthId=nope').set(bearer(foyerKey)).expect(400)).body.code).toBe('VALIDATION_FAILED');
  });
});
