import { randomUUID } from 'node:crypto';
import { bearer, declareFugue, makeClient, makeFoyer, makeReferent, makeYouth, putEscalationPolicy, SmtpCatcher, startTestApp, TestApp, testNow, waitFor } from '@vigie/testing';

/**
 * What the console's episode page asks of the API for referents: a hotline person reports on an
 * episode with a session (POST /v1/fugues/{id}/hotline-reports: the facts of a signed inbound
 * event, the same effects, role and scope rules, idempotent); one episode's alerts
 * (GET /v1/alerts?fugueId=); a signed-in police person acknowledges, and the timeline names the
 * role that did.
 */

type Json = Record<string, any>;

const SUMMARY = 'Zrapresume appel du jeune';
const PLACE = 'Zraplieu gare';

describe('referents acting on an episode', () => {
  let t: TestApp;
  let smtp: SmtpCatcher;
  let foyerKey: string;
  let foyerId: string;
  let foyer13Key: string;
  let foyer13Id: string;
  let hotlineKey: string;

  /** Signs `email` in through the e-mailed link; the cookie pair and the CSRF token of the session. */
  async function signIn(email: string): Promise<{ Cookie: string; 'X-CSRF-Token': string }> {
    const mails = () => smtp.messages.filter((m) => m.envelopeTo.includes(email));
    const before = mails().length;
    await t.http.post('/auth/email-link').send({ email }).expect(202);
    await waitFor(() => mails().length > before, { what: `a sign-in e-mail to ${email}` });
    const text = (await smtp.parse(mails()[mails().length - 1])).text ?? '';
    const path = new URL(/https?:\/\/\S+\/auth\/email-link\/[A-Za-z0-9_-]+/.exec(text)![0]).pathname;
    const res = await t.http.post(path).expect(303);
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('vigie_session='))!.split(';')[0];
    const me = await t.http.get('/v1/me').set('Cookie', cookie).expect(200);
    return { Cookie: cookie, 'X-CSRF-Token': me.body.csrfToken };
  }

  async function person(role: string, scope: Json): Promise<{ Cookie: string; 'X-CSRF-Token': string }> {
    const email = `${role}.${randomUUID().slice(0, 8)}@vigie.test`;
    await t.http.post('/v1/people').set(bearer(t.adminKey)).send({ displayName: 'Personne Testnom', email, role, ...scope }).expect(201);
    return signIn(email);
  }

  beforeAll(async () => {
    smtp = await SmtpCatcher.start();
    t = await startTestApp({ env: { SMTP_URL: smtp.url, VIGIE_PUBLIC_URL: 'http://vigie.test', VIGIE_SIGN_IN_LINKS_PER_CLIENT_ADDRESS: '1000' } });
    const foyer = await makeFoyer(t, { departmentCode: '75' });
    foyerId = foyer.id;
    foyerKey = (await makeClient(t, { role: 'foyer', foyerIds: [foyer.id] })).key;
    const foyer13 = await makeFoyer(t, { departmentCode: '13' });
    foyer13Id = foyer13.id;
    foyer13Key = (await makeClient(t, { role: 'foyer', foyerIds: [foyer13.id] })).key;
    hotlineKey = (await makeClient(t, { role: 'hotline', departmentCodes: ['75'] })).key;
    await makeReferent(t, { departmentCode: '75', displayName: 'Brigade Testnom', role: 'police', channels: [{ type: 'email', address: 'brigade@police.test' }] });
    await putEscalationPolicy(t, '75', [{ afterSeconds: 0, notify: ['police'] }]);
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  const episode = async (overrides: Json = {}, inThirteen = false) => {
    const [key, foyer] = inThirteen ? [foyer13Key, foyer13Id] : [foyerKey, foyerId];
    const id = (await declareFugue(t, key, (await makeYouth(t, key, foyer)).id, overrides)).id;
    await waitFor(async () => (await t.http.get(`/v1/fugues/${id}`).set(bearer(t.adminKey)).expect(200)).body.effectiveLevel, { what: 'the first triage' });
    return id;
  };
  const getFugue = async (id: string) => (await t.http.get(`/v1/fugues/${id}`).set(bearer(t.adminKey)).expect(200)).body;
  const timeline = async (id: string): Promise<Json[]> => (await t.http.get(`/v1/fugues/${id}/timeline`).set(bearer(t.adminKey)).expect(200)).body.items;
  const ago = (ms: number) => new Date(testNow().getTime() - ms).toISOString();
  const call = (data: Json = {}) => ({
    type: 'hotline.call_received',
    data: { receivedAt: ago(60_000), caller: 'witness', sighting: { at: ago(90_000), place: PLACE }, indicators: ['EXPLOITATION_KNOWN'], summary: SUMMARY, ...data },
  });
  const report = (fugueId: string, headers: Record<string, string>, body: Json, key = randomUUID()) =>
    t.http.post(`/v1/fugues/${fugueId}/hotline-reports`).set(headers).set('Idempotency-Key', key).send(body);

  describe('POST /v1/fugues/{id}/hotline-reports', () => {
    it('a hotline person reports a call: 201, in the timeline with source hotline, its indicators join and the episode is triaged again', async () => {
      const hotline = await person('hotline', { departmentCodes: ['75'] });
      const fugueId = await episode();
      expect((await getFugue(fugueId)).effectiveLevel).toBe('routine');
      const res = await report(fugueId, hotline, call());
      expect(res.status).toBe(201);
      expect(res.headers.location).toBe(`/v1/fugues/${fugueId}/timeline`);
      expect(res.body).toEqual({ type: 'hotline.call_received', fugue: expect.objectContaining({ id: fugueId, status: 'missing' }) });
      const entry = (await timeline(fugueId)).find((e) => e.type === 'hotline.call')!;
      expect(entry.data).toMatchObject({ source: 'hotline', caller: 'witness', indicators: ['EXPLOITATION_KNOWN'] });
      expect(entry.text).toEqual({ summary: SUMMARY, sightingPlace: PLACE });
      // EXPLOITATION_KNOWN is a critical trigger: the call makes the episode worrying.
      await waitFor(async () => (await getFugue(fugueId)).effectiveLevel === 'worrying', { what: 'the re-triage' });
      expect((await getFugue(fugueId)).classification.reasons).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'EXPLOITATION_KNOWN', source: 'hotline' })]));
    });

    it('is idempotent: the same Idempotency-Key answers the first response and records one call', async () => {
      const fugueId = await episode();
      const key = randomUUID();
      const body = call({ indicators: [] });
      const first = await report(fugueId, bearer(hotlineKey), body, key);
      expect(first.status).toBe(201);
      const again = await report(fugueId, bearer(hotlineKey), body, key);
      expect(again.status).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect((await timeline(fugueId)).filter((e) => e.type === 'hotline.call')).toHaveLength(1);
      // The same key with other facts: a conflict, nothing recorded.
      expect((await report(fugueId, bearer(hotlineKey), { ...body, data: { ...body.data, indicators: ['SUICIDE_RISK'] } }, key)).status).toBe(409);
      expect((await timeline(fugueId)).filter((e) => e.type === 'hotline.call')).toHaveLength(1);
    });

    it('the child located: missing → located, as the signed event does', async () => {
      const hotline = await person('hotline', { departmentCodes: [] });
      const fugueId = await episode();
      const res = await report(fugueId, hotline, { type: 'hotline.child_located', data: { at: ago(30_000), place: PLACE } });
      expect(res.status).toBe(201);
      expect(res.body.fugue.status).toBe('located');
      const fugue = await getFugue(fugueId);
      expect(fugue.located).toEqual({ at: expect.any(String), place: PLACE });
      expect((await timeline(fugueId)).find((e) => e.type === 'located')!.data).toMatchObject({ source: 'hotline' });
    });

    it("answers 404 for an episode outside the hotline's départements, and for an unknown one, with no effect", async () => {
      const hotline = await person('hotline', { departmentCodes: ['75'] });
      const elsewhere = await episode({ indicators: ['SUICIDE_RISK'] }, true);
      const res = await report(elsewhere, hotline, call());
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ statusCode: 404, code: 'NOT_FOUND', message: expect.any(String), correlationId: expect.any(String) });
      expect(JSON.stringify(res.body)).not.toContain(SUMMARY);
      expect((await timeline(elsewhere)).filter((e) => e.type === 'hotline.call')).toEqual([]);
      expect((await report(randomUUID(), hotline, call())).status).toBe(404);
    });

    const badBodies: [string, Json][] = [
      ['an unknown type', { type: 'hotline.other', data: call().data }],
      ['an unknown caller', call({ caller: 'neighbour' })],
      ['no receivedAt', { type: 'hotline.call_received', data: { caller: 'youth' } }],
      ['an unknown indicator', call({ indicators: ['NOT_A_CODE'] })],
      ['an unknown field', call({ fugueId: randomUUID() })],
      ['a place of a located child too long', { type: 'hotline.child_located', data: { at: ago(1000), place: 'x'.repeat(501) } }],
      ['no data', { type: 'hotline.call_received' }],
    ];
    it.each(badBodies)('answers 400 to %s, with no effect', async (_name, body) => {
      const fugueId = await episode();
      const res = await report(fugueId, bearer(hotlineKey), body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
      expect((await timeline(fugueId)).filter((e) => e.type === 'hotline.call' || e.type === 'located')).toEqual([]);
    });

    it('answers 400 to a call received in the future', async () => {
      const fugueId = await episode();
      const res = await report(fugueId, bearer(hotlineKey), call({ receivedAt: new Date(testNow().getTime() + 3_600_000).toISOString() }));
      expect(res.status).toBe(400);
      expect(res.body.details).toEqual([expect.objectContaining({ field: 'data.receivedAt' })]);
    });

    it('answers 403 to every other role, person or key, with no effect', async () => {
      const fugueId = await episode({ indicators: ['SUICIDE_RISK'] });
      const others = [
        await person('police', { departmentCodes: ['75'] }),
        await person('child_protection', { departmentCodes: ['75'] }),
        await person('foyer', { foyerIds: [foyerId] }),
        bearer(t.adminKey),
        bearer(foyerKey),
      ];
      for (const headers of others) {
        const res = await report(fugueId, headers, call());
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('FORBIDDEN');
      }
      expect((await timeline(fugueId)).filter((e) => e.type === 'hotline.call')).toEqual([]);
    });

    it('answers 409 for a cancelled episode', async () => {
      const fugueId = await episode();
      await t.http.post(`/v1/fugues/${fugueId}/cancel`).set(bearer(foyerKey)).send({ reason: 'Erreur de saisie' }).expect(200);
      expect((await report(fugueId, bearer(hotlineKey), call())).status).toBe(409);
    });

    it('needs the session CSRF token', async () => {
      const hotline = await person('hotline', { departmentCodes: ['75'] });
      const fugueId = await episode();
      const res = await report(fugueId, { Cookie: hotline.Cookie }, call());
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('CSRF_FAILED');
    });
  });

  describe("an episode's alert, acknowledged by a signed-in police person", () => {
    it('GET /v1/alerts?fugueId= lists that episode’s alerts only; the acknowledgement names the role in the timeline', async () => {
      const fugueId = await episode({ indicators: ['SUICIDE_RISK'] });
      const other = await episode({ indicators: ['SUICIDE_RISK'] });
      const police = await person('police', { departmentCodes: ['75'] });
      const listed = await waitFor(
        async () => {
          const res = await t.http.get(`/v1/alerts?fugueId=${fugueId}`).set(police).expect(200);
          return res.body.items.length === 1 ? res.body.items : null;
        },
        { what: "the episode's alert" },
      );
      expect(listed[0].fugueId).toBe(fugueId);
      const alertId = listed[0].id as string;
      expect((await t.http.get(`/v1/alerts?fugueId=${other}`).set(police).expect(200)).body.items.map((a: Json) => a.fugueId)).toEqual([other]);
      expect((await t.http.get('/v1/alerts?fugueId=not-a-uuid').set(police)).status).toBe(400);

      const acknowledged = await t.http.post(`/v1/alerts/${alertId}/acknowledge`).set(police).send({ note: 'Patrouille envoyée' }).expect(200);
      expect(acknowledged.body).toMatchObject({ state: 'acknowledged', acknowledgedBy: { via: 'api', apiClientId: expect.any(String) } });
      const entry = (await timeline(fugueId)).find((e) => e.type === 'alert.acknowledged')!;
      expect(entry.data).toMatchObject({ alertId, via: 'api', role: 'police' });
      // The foyer reads the same alert, acknowledged.
      const seen = await t.http.get(`/v1/alerts/${alertId}`).set(bearer(foyerKey)).expect(200);
      expect(seen.body.state).toBe('acknowledged');
      // Out of scope: a police person of another département does not see it.
      const police13 = await person('police', { departmentCodes: ['13'] });
      expect((await t.http.get(`/v1/alerts?fugueId=${fugueId}`).set(police13).expect(200)).body.items).toEqual([]);
      expect((await t.http.post(`/v1/alerts/${alertId}/acknowledge`).set(police13).send({})).status).toBe(404);
    });

    it("a police person's reading of the episode, with the youth's identity, is audited in their name", async () => {
      const fugueId = await episode({ indicators: ['SUICIDE_RISK'] });
      const police = await person('police', { departmentCodes: ['75'] });
      const personId = (await t.http.get('/v1/me').set(police).expect(200)).body.id as string;
      const read = await t.http.get(`/v1/fugues/${fugueId}`).set(police).expect(200);
      expect(read.body.youth.firstName).toBe('Testprenom');
      const entries = await waitFor(
        async () => {
          const items = (await t.http.get(`/v1/audit?personId=${personId}`).set(bearer(t.adminKey)).expect(200)).body.items as Json[];
          return items.some((e) => e.fugueId === fugueId) ? items : null;
        },
        { what: 'the audit entry of the read' },
      );
      expect(entries.find((e) => e.fugueId === fugueId)).toMatchObject({ action: 'read_identity', method: 'GET', personId, clientId: null });
    });
  });
});
