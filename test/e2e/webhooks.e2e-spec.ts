import { randomBytes, randomUUID } from 'node:crypto';
import {
  bearer,
  birthDateForAge,
  declareFugue,
  HttpReceiver,
  makeClient,
  makeFoyer,
  makeYouth,
  ReceivedRequest,
  ReceiverAnswer,
  signedHeaders,
  startTestApp,
  TestApp,
  verifiesBySpecification,
  verifyWebhook,
  VerifiedWebhook,
  waitFor,
  testNow,
} from '@vigie/testing';

/**
 * Outbound webhooks (integrations.md § Outbound webhooks) and the 116 000 story from declaration to return, with
 * a real receiver: every request it gets is verified with the standardwebhooks library, with the
 * svix library's Webhook class, and with a check written from the specification alone.
 */

type Json = Record<string, any>;

const ALL_TYPES = [
  'fugue.declared',
  'fugue.classified',
  'fugue.located',
  'fugue.returned',
  'fugue.closed',
  'alert.acknowledged',
  'return_interview.overdue',
];

/** The data fields of each type, exactly (integrations.md, table of events). */
const DATA_FIELDS: Record<string, string[]> = {
  'fugue.declared': ['departmentCode', 'foyerId', 'fugueId', 'noticedMissingAt', 'status'],
  'fugue.classified': ['departmentCode', 'fugueId', 'level', 'previousLevel', 'reasonCodes', 'rulesetVersion', 'score'],
  'fugue.located': ['at', 'departmentCode', 'fugueId'],
  'fugue.returned': ['departmentCode', 'foundBy', 'fugueId', 'returnedAt'],
  'fugue.closed': ['departmentCode', 'fugueId', 'status'],
  'alert.acknowledged': ['acknowledgedAt', 'alertId', 'fugueId', 'role'],
  'return_interview.overdue': ['dueAt', 'fugueId', 'interviewId'],
};

/** Distinctive fictitious values that must never leave in a webhook body. */
const MARKERS = {
  firstName: 'Zwhprenom',
  lastName: 'Zwhnom',
  birthDate: birthDateForAge(16),
  description: 'Zwhdescription cheveux courts',
  circumstances: 'Zwhcirconstances dispute',
  lastSeenPlace: 'Zwhdernierlieu gare',
  summary: 'Zwhresume appel inquiet',
  sightingPlace: 'Zwhlieuapercu parc',
  returnPlace: 'Zwhlieuretour',
  locatedPlace: 'Zwhlieulocalise',
  closeReason: 'Zwhraisonfermeture',
  note: 'Zwhnoteacquittement',
};

describe('outbound webhooks and the 116 000 integration', () => {
  let t: TestApp;
  let receiver: HttpReceiver;
  let foyerId: string;
  let foyerKey: string;
  let hotline: { id: string; key: string; inboundWebhookSecret: string };
  /** When each request arrived, in ms. */
  const arrivals = new Map<ReceivedRequest, number>();
  /** How each path answers; 200 by default. */
  const answers = new Map<string, (request: ReceivedRequest) => ReceiverAnswer>();

  beforeAll(async () => {
    receiver = await HttpReceiver.start();
    receiver.answerWith((request) => {
      arrivals.set(request, Date.now());
      return answers.get(request.path)?.(request) ?? { status: 200 };
    });
    t = await startTestApp({ env: { VIGIE_DELIVERY_TIMEOUT_MS: '1500' } });
    const foyer = await makeFoyer(t, { departmentCode: '75' });
    foyerId = foyer.id;
    foyerKey = (await makeClient(t, { role: 'foyer', foyerIds: [foyer.id] })).key;
    hotline = (await makeClient(t, { role: 'hotline', departmentCodes: ['75'] })) as typeof hotline;
  });

  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  const newYouth = async () =>
    (
      await makeYouth(t, foyerKey, foyerId, {
        firstName: MARKERS.firstName,
        lastName: MARKERS.lastName,
        birthDate: MARKERS.birthDate,
        description: MARKERS.description,
      })
    ).id;
  const newEpisode = async (overrides: Json = {}) =>
    (await declareFugue(t, foyerKey, await newYouth(), { circumstances: MARKERS.circumstances, lastSeenPlace: MARKERS.lastSeenPlace, ...overrides })).id;

  const createEndpoint = async (body: Json, key = t.adminKey) => {
    const res = await t.http.post('/v1/webhook-endpoints').set(bearer(key)).send(body);
    expect(res.status).toBe(201);
    return res.body as Json & { id: string; secret: string };
  };
  const deliveriesOf = async (endpointId: string, query = '') =>
    (await t.http.get(`/v1/webhook-endpoints/${endpointId}/deliveries${query}`).set(bearer(t.adminKey)).expect(200)).body.items as Json[];

  const requestsTo = (path: string) => receiver.requests.filter((r) => r.path === path);
  /** The requests a path received about one episode (optionally of one type), each verified three ways. */
  const received = (path: string, secret: string, fugueId: string, type?: string): VerifiedWebhook[] =>
    requestsTo(path)
      .map((r) => verifyWebhook(secret, r))
      .filter((w) => w.body.data.fugueId === fugueId && (!type || w.body.type === type));
  const arrive = async (path: string, secret: string, fugueId: string, type: string, count = 1, timeoutMs = 10000): Promise<VerifiedWebhook[]> => {
    await waitFor(() => received(path, secret, fugueId, type).length >= count, { timeoutMs, what: `${count} ${type} at ${path}` });
    return received(path, secret, fugueId, type);
  };

  /** Every event emitted so far has been fanned out to its endpoints (with its own commit, or by a leftover fan-out job). */
  const fanOutsDone = () =>
    waitFor(async () => (await t.dataSource.query(`SELECT 1 FROM webhook_events WHERE fanned_out_at IS NULL`)).length === 0, {
      what: 'every fan-out',
    });

  const sendHotlineEvent = (body: Json, id = `msg_${randomUUID()}`) => {
    const raw = JSON.stringify(body);
    return t.http.post('/v1/integrations/116000/events').set(signedHeaders(hotline.inboundWebhookSecret, id, raw)).send(raw);
  };

  describe('the story: a subscriber follows a worrying fugue, the hotline makes a routine one worrying', () => {
    let subscriber: { id: string; secret: string };
    let hotlineEndpoint: { id: string; secret: string };
    let worryingId: string;
    let routineId: string;
    let callId: string;
    let callBody: Json;

    it('a subscriber registers and gets its whsec_ secret once', async () => {
      const created = await createEndpoint({ url: receiver.url('/subscriber'), events: ALL_TYPES, description: 'Système départemental (test)' });
      expect(created).toMatchObject({ url: receiver.url('/subscriber'), events: ALL_TYPES, status: 'active', scope: { departmentCodes: null, worryingOnly: false } });
      expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
      const keyBytes = Buffer.from(created.secret.slice('whsec_'.length), 'base64').length;
      expect(keyBytes).toBeGreaterThanOrEqual(24);
      expect(keyBytes).toBeLessThanOrEqual(64);
      subscriber = created;

      const read = (await t.http.get(`/v1/webhook-endpoints/${created.id}`).set(bearer(t.adminKey)).expect(200)).body;
      expect(read).not.toHaveProperty('secret');
      expect(JSON.stringify(read)).not.toContain(created.secret.slice(6));

      // The hotline registers its own endpoint: it will see worrying episodes of its département only.
      hotlineEndpoint = await createEndpoint({ url: receiver.url('/hotline'), events: ['fugue.declared', 'fugue.classified', 'fugue.returned'] }, hotline.key);
      expect(hotlineEndpoint).toMatchObject({ scope: { departmentCodes: ['75'], worryingOnly: true }, ownerClientId: hotline.id });
    });

    it('a foyer declares a worrying fugue: fugue.declared and fugue.classified arrive signed; a failed delivery comes again with the same webhook-id about 5 s later', async () => {
      let failedOnce = false;
      answers.set('/subscriber', (request) => {
        if (!failedOnce && JSON.parse(request.rawBody).type === 'fugue.declared') {
          failedOnce = true;
          return { status: 503 };
        }
        return { status: 200 };
      });
      worryingId = await newEpisode({ indicators: ['SUICIDE_RISK'] });

      const classified = (await arrive('/subscriber', subscriber.secret, worryingId, 'fugue.classified'))[0];
      expect(classified.body).toEqual({
        type: 'fugue.classified',
        timestamp: expect.any(String),
        data: {
          fugueId: worryingId,
          departmentCode: '75',
          level: 'worrying',
          previousLevel: null,
          score: expect.any(Number),
          reasonCodes: expect.arrayContaining(['SUICIDE_RISK']),
          rulesetVersion: expect.any(String),
        },
      });

      const [first, second] = await arrive('/subscriber', subscriber.secret, worryingId, 'fugue.declared', 2, 15000);
      expect(first.body).toEqual({
        type: 'fugue.declared',
        timestamp: expect.any(String),
        data: { fugueId: worryingId, departmentCode: '75', foyerId, noticedMissingAt: expect.any(String), status: 'missing' },
      });
      expect(second.id).toBe(first.id);
      expect(second.rawBody).toBe(first.rawBody);
      const [firstRequest, secondRequest] = requestsTo('/subscriber').filter((r) => r.headers['webhook-id'] === first.id);
      const gapMs = arrivals.get(secondRequest)! - arrivals.get(firstRequest)!;
      expect(gapMs).toBeGreaterThanOrEqual(4400);
      expect(gapMs).toBeLessThan(7500);
      // A fresh webhook-timestamp on each attempt.
      expect(second.timestamp - first.timestamp).toBeGreaterThanOrEqual(4);
      expect(Math.abs(second.timestamp - Date.now() / 1000)).toBeLessThan(10);

      const log = await waitFor(async () => (await deliveriesOf(subscriber.id)).find((d) => d.eventId === first.id && d.status !== 'sending'), {
        what: 'the second attempt logged',
      });
      expect(log).toMatchObject({ eventType: 'fugue.declared', status: 'delivered', attempts: 2, lastStatusCode: 200, lastError: null });
      expect(log.attemptLog).toEqual([
        { attempt: 1, at: expect.any(String), durationMs: expect.any(Number), statusCode: 503, error: 'HTTP 503', succeeded: false },
        { attempt: 2, at: expect.any(String), durationMs: expect.any(Number), statusCode: 200, error: null, succeeded: true },
      ]);

      // The hotline's endpoint gets the worrying classification, not the declaration (no level yet).
      await arrive('/hotline', hotlineEndpoint.secret, worryingId, 'fugue.classified');
      expect(received('/hotline', hotlineEndpoint.secret, worryingId, 'fugue.declared')).toEqual([]);
    });

    it('the hotline reports a call with EXPLOITATION_KNOWN on a routine episode: it becomes worrying with source hotline, and an alert opens', async () => {
      routineId = await newEpisode();
      const routine = (await arrive('/subscriber', subscriber.secret, routineId, 'fugue.classified'))[0];
      expect(routine.body.data).toMatchObject({ level: 'routine', previousLevel: null });

      callId = `msg_${randomUUID()}`;
      callBody = {
        type: 'hotline.call_received',
        timestamp: testNow().toISOString(),
        data: {
          fugueId: routineId,
          receivedAt: new Date(testNow().getTime() - 60_000).toISOString(),
          caller: 'witness',
          sighting: { at: new Date(testNow().getTime() - 120_000).toISOString(), place: MARKERS.sightingPlace },
          indicators: ['EXPLOITATION_KNOWN'],
          summary: MARKERS.summary,
        },
      };
      const accepted = await sendHotlineEvent(callBody, callId);
      expect(accepted.status).toBe(202);
      expect(accepted.body).toEqual({ status: 'accepted', webhookId: callId });

      const fugue = await waitFor(
        async () => {
          const body = (await t.http.get(`/v1/fugues/${routineId}`).set(bearer(t.adminKey)).expect(200)).body;
          return body.effectiveLevel === 'worrying' && body;
        },
        { what: 'the re-triage' },
      );
      expect(fugue.classification.reasons).toContainEqual(expect.objectContaining({ code: 'EXPLOITATION_KNOWN', source: 'hotline' }));
      const alerts = (await t.http.get('/v1/alerts?departmentCode=75&limit=200').set(bearer(t.adminKey)).expect(200)).body.items as Json[];
      expect(alerts.filter((a) => a.fugueId === routineId)).toEqual([expect.objectContaining({ state: 'open' })]);

      const [raised] = await arrive('/subscriber', subscriber.secret, routineId, 'fugue.classified', 2).then((all) => all.slice(1));
      expect(raised.body.data).toMatchObject({ level: 'worrying', previousLevel: 'routine', reasonCodes: expect.arrayContaining(['EXPLOITATION_KNOWN']) });
      // Now worrying, the episode reaches the hotline's endpoint; its routine classification never did.
      const atHotline = await arrive('/hotline', hotlineEndpoint.secret, routineId, 'fugue.classified');
      expect(atHotline.map((w) => w.body.data.level)).toEqual(['worrying']);
    });

    it('the same event replayed answers 200 and changes nothing', async () => {
      const count = async (sql: string) => Number((await t.dataSource.query(sql, [routineId]))[0].n);
      const before = {
        updates: await count(`SELECT count(*) AS n FROM fugue_updates WHERE fugue_id = $1 AND source = 'hotline'`),
        triages: await count(`SELECT count(*) AS n FROM outbox WHERE job_name = 'fugue.triage' AND payload->>'fugueId' = $1`),
        timeline: await count(`SELECT count(*) AS n FROM fugue_events WHERE fugue_id = $1`),
      };
      expect(before.updates).toBe(1);

      const replay = await sendHotlineEvent(callBody, callId);
      expect(replay.status).toBe(200);
      expect(replay.body).toEqual({ status: 'duplicate', webhookId: callId });

      // The replay wrote nothing: no second update, no triage asked for, nothing on the timeline.
      expect({
        updates: await count(`SELECT count(*) AS n FROM fugue_updates WHERE fugue_id = $1 AND source = 'hotline'`),
        triages: await count(`SELECT count(*) AS n FROM outbox WHERE job_name = 'fugue.triage' AND payload->>'fugueId' = $1`),
        timeline: await count(`SELECT count(*) AS n FROM fugue_events WHERE fugue_id = $1`),
      }).toEqual(before);
    });

    it('the youth returns: fugue.returned arrives', async () => {
      const returnedAt = new Date(testNow().getTime() - 10_000).toISOString();
      await t.http.post(`/v1/fugues/${routineId}/return`).set(bearer(foyerKey)).send({ returnedAt, foundBy: 'hotline', place: MARKERS.returnPlace }).expect(200);
      const [returned] = await arrive('/subscriber', subscriber.secret, routineId, 'fugue.returned');
      expect(returned.body).toEqual({
        type: 'fugue.returned',
        timestamp: expect.any(String),
        data: { fugueId: routineId, departmentCode: '75', returnedAt, foundBy: 'hotline' },
      });
      await arrive('/hotline', hotlineEndpoint.secret, routineId, 'fugue.returned');
    });

    it('the other episode events arrive as they happen: located, acknowledged, closed', async () => {
      const at = new Date(testNow().getTime() - 30_000).toISOString();
      const police = await makeClient(t, { role: 'police', departmentCodes: ['75'] });
      const alert = await waitFor(
        async () =>
          ((await t.http.get('/v1/alerts?departmentCode=75&limit=200').set(bearer(t.adminKey)).expect(200)).body.items as Json[]).find(
            (a) => a.fugueId === worryingId,
          ),
        { what: 'the alert of the worrying episode' },
      );
      await t.http.post(`/v1/alerts/${alert.id}/acknowledge`).set(bearer(police.key)).send({ note: MARKERS.note }).expect(200);
      const [acknowledged] = await arrive('/subscriber', subscriber.secret, worryingId, 'alert.acknowledged');
      expect(acknowledged.body.data).toEqual({ alertId: alert.id, fugueId: worryingId, acknowledgedAt: expect.any(String), role: 'police' });

      await t.http.post(`/v1/fugues/${worryingId}/located`).set(bearer(police.key)).send({ at, place: MARKERS.locatedPlace }).expect(200);
      const [located] = await arrive('/subscriber', subscriber.secret, worryingId, 'fugue.located');
      expect(located.body.data).toEqual({ fugueId: worryingId, departmentCode: '75', at });

      await t.http.post(`/v1/fugues/${worryingId}/return`).set(bearer(foyerKey)).send({ returnedAt: testNow().toISOString(), foundBy: 'police' }).expect(200);
      await t.http.post(`/v1/fugues/${worryingId}/close`).set(bearer(foyerKey)).send({ reason: MARKERS.closeReason }).expect(200);
      const [closed] = await arrive('/subscriber', subscriber.secret, worryingId, 'fugue.closed');
      expect(closed.body.data).toEqual({ fugueId: worryingId, departmentCode: '75', status: 'closed' });

      const cancelledId = await newEpisode();
      await t.http.post(`/v1/fugues/${cancelledId}/cancel`).set(bearer(foyerKey)).send({ reason: MARKERS.closeReason }).expect(200);
      const [cancelled] = await arrive('/subscriber', subscriber.secret, cancelledId, 'fugue.closed');
      expect(cancelled.body.data).toEqual({ fugueId: cancelledId, departmentCode: '75', status: 'cancelled' });
    });
  });

  describe('fugue.classified', () => {
    it("is emitted when a referent's override changes the effective level, and not for a re-triage that keeps it", async () => {
      const endpoint = await createEndpoint({ url: receiver.url('/levels'), events: ['fugue.classified'] });
      const police = await makeClient(t, { role: 'police', departmentCodes: ['75'] });
      const fugueId = await newEpisode();
      await arrive('/levels', endpoint.secret, fugueId, 'fugue.classified');
      await t.http.post(`/v1/fugues/${fugueId}/override`).set(bearer(police.key)).send({ level: 'worrying', reason: 'Raison de test' }).expect(200);
      const [, raised] = await arrive('/levels', endpoint.secret, fugueId, 'fugue.classified', 2);
      expect(raised.body.data).toMatchObject({ level: 'worrying', previousLevel: 'routine' });

      // An update re-triages the episode; its computed level is routine, the override stands: no event.
      await t.http.post(`/v1/fugues/${fugueId}/updates`).set(bearer(foyerKey)).send({ note: MARKERS.note }).expect(201);
      await waitFor(
        async () => (await t.dataSource.query(`SELECT 1 FROM fugue_classifications WHERE fugue_id = $1 AND cause = 'updated'`, [fugueId])).length === 1,
        { what: 'the re-triage' },
      );
      await fanOutsDone();
      expect(await t.dataSource.query(`SELECT data->>'level' AS level FROM webhook_events WHERE type = 'fugue.classified' AND data->>'fugueId' = $1 ORDER BY occurred_at`, [fugueId])).toEqual([
        { level: 'routine' },
        { level: 'worrying' },
      ]);
    });
  });

  describe('webhook endpoints', () => {
    it('are managed by administrators and hotline clients only', async () => {
      const police = await makeClient(t, { role: 'police', departmentCodes: ['75'] });
      const body = { url: receiver.url('/forbidden'), events: ['fugue.declared'] };
      for (const key of [foyerKey, police.key]) {
        await t.http.post('/v1/webhook-endpoints').set(bearer(key)).send(body).expect(403);
        await t.http.get('/v1/webhook-endpoints').set(bearer(key)).expect(403);
      }
      await t.http.post('/v1/webhook-endpoints').send(body).expect(401);
    });

    it('refuse unknown event types, an empty list, unknown fields and a URL that is not one', async () => {
      const post = (body: Json) => t.http.post('/v1/webhook-endpoints').set(bearer(t.adminKey)).send(body).expect(400);
      const field = async (body: Json) => [...new Set((await post(body)).body.details.map((d: Json) => d.field))];
      expect(await field({ url: receiver.url('/x'), events: ['fugue.exploded'] })).toEqual(['events']);
      expect(await field({ url: receiver.url('/x'), events: [] })).toEqual(['events']);
      expect(await field({ url: receiver.url('/x'), events: ['fugue.declared'], secret: 'whsec_AAAA' })).toEqual(['secret']);
      expect(await field({ url: 'not a url', events: ['fugue.declared'] })).toEqual(['url']);
      expect(await field({ events: ['fugue.declared'] })).toEqual(['url']);
    });

    it("a hotline client sees and manages its own endpoints only; an administrator sees every one", async () => {
      const own = await createEndpoint({ url: receiver.url('/hotline-own'), events: ['fugue.classified'] }, hotline.key);
      const admins = await createEndpoint({ url: receiver.url('/admin-own'), events: ['fugue.classified'] });
      const otherHotline = await makeClient(t, { role: 'hotline', departmentCodes: ['13'] });

      const listed = async (key: string) => ((await t.http.get('/v1/webhook-endpoints?limit=200').set(bearer(key)).expect(200)).body.items as Json[]).map((e) => e.id);
      expect(await listed(hotline.key)).toContain(own.id);
      expect(await listed(hotline.key)).not.toContain(admins.id);
      expect(await listed(otherHotline.key)).toEqual([]);
      expect(await listed(t.adminKey)).toEqual(expect.arrayContaining([own.id, admins.id]));

      for (const [method, path] of [
        ['get', `/v1/webhook-endpoints/${own.id}`],
        ['get', `/v1/webhook-endpoints/${own.id}/deliveries`],
        ['delete', `/v1/webhook-endpoints/${own.id}`],
        ['post', `/v1/webhook-endpoints/${own.id}/rotate-secret`],
      ] as const) {
        await t.http[method](path).set(bearer(otherHotline.key)).expect(404);
      }
      await t.http.get(`/v1/webhook-endpoints/${admins.id}`).set(bearer(hotline.key)).expect(404);
      await t.http.get(`/v1/webhook-endpoints/${own.id}`).set(bearer(t.adminKey)).expect(200);
      await t.http.get(`/v1/webhook-endpoints/${randomUUID()}`).set(bearer(t.adminKey)).expect(404);
      await t.http.get('/v1/webhook-endpoints/not-a-uuid').set(bearer(t.adminKey)).expect(400);
    });

    it("a hotline endpoint receives worrying episodes of its départements only", async () => {
      const foyer13 = await makeFoyer(t, { departmentCode: '13' });
      const key13 = (await makeClient(t, { role: 'foyer', foyerIds: [foyer13.id] })).key;
      const elsewhere = (await declareFugue(t, key13, (await makeYouth(t, key13, foyer13.id)).id, { indicators: ['SUICIDE_RISK'] })).id;
      await waitFor(async () => (await t.http.get(`/v1/fugues/${elsewhere}`).set(bearer(t.adminKey)).expect(200)).body.classification, { what: 'the first triage' });
      await fanOutsDone();
      const admin = await createEndpoint({ url: receiver.url('/everything'), events: ['fugue.classified'] });
      const mine = await createEndpoint({ url: receiver.url('/scoped'), events: ['fugue.classified'] }, hotline.key);
      const worryingHere = await newEpisode({ indicators: ['SUICIDE_RISK'] });
      const routineHere = await newEpisode();
      const worryingElsewhere = (await declareFugue(t, key13, (await makeYouth(t, key13, foyer13.id)).id, { indicators: ['SUICIDE_RISK'] })).id;

      await arrive('/everything', admin.secret, routineHere, 'fugue.classified');
      await arrive('/everything', admin.secret, worryingElsewhere, 'fugue.classified');
      await arrive('/scoped', mine.secret, worryingHere, 'fugue.classified');
      // Deliveries are decided at fan-out: once every fan-out is done, the scoped endpoint has all it will get.
      await fanOutsDone();
      const scopedFugues = (await deliveriesOf(mine.id)).map((d) => d.eventId);
      expect(scopedFugues).toHaveLength(1);
      expect(received('/scoped', mine.secret, routineHere)).toEqual([]);
      expect(received('/scoped', mine.secret, worryingElsewhere)).toEqual([]);
      // Events from before an endpoint existed are not sent to it.
      expect(received('/everything', admin.secret, elsewhere)).toEqual([]);
    });

    it('deleted, an endpoint receives nothing more and is gone from reads', async () => {
      const endpoint = await createEndpoint({ url: receiver.url('/deleted'), events: ['fugue.declared'] });
      const before = await newEpisode();
      await arrive('/deleted', endpoint.secret, before, 'fugue.declared');
      await t.http.delete(`/v1/webhook-endpoints/${endpoint.id}`).set(bearer(t.adminKey)).expect(204);
      await t.http.get(`/v1/webhook-endpoints/${endpoint.id}`).set(bearer(t.adminKey)).expect(404);
      await t.http.delete(`/v1/webhook-endpoints/${endpoint.id}`).set(bearer(t.adminKey)).expect(404);

      await newEpisode();
      const watcher = await createEndpoint({ url: receiver.url('/watcher'), events: ['fugue.declared'] });
      const later = await newEpisode();
      // The watcher, created after the deletion, has its event: the deleted endpoint would have had its own by now.
      await arrive('/watcher', watcher.secret, later, 'fugue.declared');
      await fanOutsDone();
      expect(requestsTo('/deleted').map((r) => JSON.parse(r.rawBody).data.fugueId)).toEqual([before]);
    });
  });

  describe('secret rotation', () => {
    it('sends two signatures for 24 h, one with each secret, then only the new one', async () => {
      const endpoint = await createEndpoint({ url: receiver.url('/rotating'), events: ['fugue.declared'] });
      const oldSecret = endpoint.secret;
      const rotated = (await t.http.post(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`).set(bearer(t.adminKey)).expect(200)).body;
      const newSecret = rotated.secret as string;
      expect(newSecret).toMatch(/^whsec_/);
      expect(newSecret).not.toBe(oldSecret);
      const overlapMs = new Date(rotated.previousSecretExpiresAt).getTime() - testNow().getTime();
      expect(overlapMs).toBeGreaterThan(24 * 3600_000 - 60_000);
      expect(overlapMs).toBeLessThanOrEqual(24 * 3600_000);

      const during = await newEpisode();
      await waitFor(() => requestsTo('/rotating').length === 1, { what: 'a delivery during the overlap' });
      const [request] = requestsTo('/rotating');
      expect(String(request.headers['webhook-signature']).split(' ')).toHaveLength(2);
      expect(verifyWebhook(newSecret, request).body.data.fugueId).toBe(during);
      expect(verifyWebhook(oldSecret, request).body.data.fugueId).toBe(during);
      expect(verifiesBySpecification(`whsec_${randomBytes(32).toString('base64')}`, request)).toBe(false);

      // Once the overlap is over, only the new secret signs.
      await t.dataSource.query(`UPDATE webhook_endpoints SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1`, [endpoint.id]);
      const after = await newEpisode();
      const [later] = await arrive('/rotating', newSecret, after, 'fugue.declared');
      expect(later.signatures).toHaveLength(1);
      const laterRequest = requestsTo('/rotating').find((r) => r.headers['webhook-id'] === later.id)!;
      expect(verifiesBySpecification(oldSecret, laterRequest)).toBe(false);
    });
  });

  describe('delivery outcomes', () => {
    it('a 410 disables the endpoint: nothing more is sent until it is enabled again', async () => {
      const endpoint = await createEndpoint({ url: receiver.url('/gone'), events: ['fugue.declared'] });
      answers.set('/gone', () => ({ status: 410 }));
      const first = await newEpisode();
      await waitFor(async () => (await t.http.get(`/v1/webhook-endpoints/${endpoint.id}`).set(bearer(t.adminKey)).expect(200)).body.status === 'disabled', {
        what: 'the endpoint disabled',
      });
      const read = (await t.http.get(`/v1/webhook-endpoints/${endpoint.id}`).set(bearer(t.adminKey))).body;
      expect(read).toMatchObject({ status: 'disabled', disabledReason: 'The endpoint answered 410 Gone', disabledAt: expect.any(String) });
      const [failed] = await deliveriesOf(endpoint.id);
      expect(failed).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: 410, nextAttemptAt: null });
      expect(requestsTo('/gone')).toHaveLength(1);

      // While disabled, new events create no delivery for it and a redelivery is refused.
      await newEpisode();
      const control = await createEndpoint({ url: receiver.url('/control-410'), events: ['fugue.declared'] });
      const third = await newEpisode();
      await arrive('/control-410', control.secret, third, 'fugue.declared');
      await fanOutsDone();
      expect((await deliveriesOf(endpoint.id)).map((d) => d.id)).toEqual([failed.id]);
      const refused = await t.http.post(`/v1/webhook-deliveries/${failed.id}/redeliver`).set(bearer(t.adminKey)).expect(409);
      expect(refused.body.code).toBe('CONFLICT');

      answers.set('/gone', () => ({ status: 204 }));
      await t.http.post(`/v1/webhook-endpoints/${endpoint.id}/enable`).set(bearer(t.adminKey)).expect(200);
      await t.http.post(`/v1/webhook-deliveries/${failed.id}/redeliver`).set(bearer(t.adminKey)).expect(202);
      await waitFor(() => requestsTo('/gone').length === 2, { what: 'the redelivery' });
      expect(requestsTo('/gone').map((r) => JSON.parse(r.rawBody).data.fugueId)).toEqual([first, first]);
    });

    it('a redirect is not followed: the attempt fails and is retried', async () => {
      const endpoint = await createEndpoint({ url: receiver.url('/redirecting'), events: ['fugue.declared'] });
      answers.set('/redirecting', () => ({ status: 302, headers: { location: receiver.url('/redirected') } }));
      await newEpisode();
      const delivery = await waitFor(async () => (await deliveriesOf(endpoint.id)).find((d) => d.attempts === 1 && d.status === 'pending'), {
        what: 'the failed attempt',
      });
      expect(delivery).toMatchObject({ lastStatusCode: 302, lastError: 'redirect 302 not followed', nextAttemptAt: expect.any(String) });
      expect(delivery.attemptLog).toEqual([expect.objectContaining({ attempt: 1, statusCode: 302, succeeded: false })]);
      expect(requestsTo('/redirected')).toEqual([]);
      await t.http.delete(`/v1/webhook-endpoints/${endpoint.id}`).set(bearer(t.adminKey)).expect(204);
    });

    it('a receiver that does not answer in time is a failed attempt, logged with its reason', async () => {
      const endpoint = await createEndpoint({ url: receiver.url('/hanging'), events: ['fugue.declared'] });
      answers.set('/hanging', () => 'hang');
      await newEpisode();
      const delivery = await waitFor(async () => (await deliveriesOf(endpoint.id)).find((d) => d.attempts === 1 && d.status === 'pending'), {
        what: 'the timed-out attempt',
      });
      expect(delivery.lastError).toBe('timeout after 1500 ms');
      expect(delivery.attemptLog[0].durationMs).toBeGreaterThanOrEqual(1400);
      expect(delivery.attemptLog[0].statusCode).toBeNull();
      await t.http.delete(`/v1/webhook-endpoints/${endpoint.id}`).set(bearer(t.adminKey)).expect(204);
    });

    it('after the last attempt of the schedule a delivery fails, is listed for replay, and a redelivery sends the same webhook-id again', async () => {
      const endpoint = await createEndpoint({ url: receiver.url('/failing'), events: ['fugue.declared'] });
      answers.set('/failing', () => ({ status: 500 }));
      const fugueId = await newEpisode();
      const first = await waitFor(async () => (await deliveriesOf(endpoint.id)).find((d) => d.attempts === 1 && d.status === 'pending'), {
        what: 'the first failed attempt',
      });
      // Nine attempts already made: the next one is the tenth and last of the schedule.
      await t.dataSource.query(`UPDATE webhook_deliveries SET attempts = 9, next_attempt_at = now() WHERE id = $1`, [first.id]);
      const failed = await waitFor(async () => (await deliveriesOf(endpoint.id, '?status=failed'))[0], { timeoutMs: 15000, what: 'the delivery failed for good' });
      expect(failed).toMatchObject({ id: first.id, status: 'failed', attempts: 10, lastStatusCode: 500, nextAttemptAt: null });
      expect(await deliveriesOf(endpoint.id, '?status=pending')).toEqual([]);

      answers.set('/failing', () => ({ status: 200 }));
      const redelivered = await t.http.post(`/v1/webhook-deliveries/${first.id}/redeliver`).set(bearer(t.adminKey)).expect(202);
      expect(redelivered.body).toMatchObject({ id: first.id, status: 'pending', eventId: first.eventId });
      const delivered = await waitFor(async () => (await deliveriesOf(endpoint.id)).find((d) => d.status === 'delivered'), { what: 'the redelivery' });
      expect(delivered).toMatchObject({ attempts: 11, lastStatusCode: 200 });
      expect(delivered.attemptLog.map((a: Json) => [a.attempt, a.statusCode])).toEqual([
        [1, 500],
        [10, 500],
        [11, 200],
      ]);
      const ids = requestsTo('/failing').map((r) => verifyWebhook(endpoint.secret, r));
      expect(new Set(ids.map((w) => w.id))).toEqual(new Set([first.eventId]));
      expect(ids.every((w) => w.body.data.fugueId === fugueId)).toBe(true);
    });

    it('a delivery left sending by a crashed worker goes back to pending and is sent again, the lost attempt logged', async () => {
      const endpoint = await createEndpoint({ url: receiver.url('/recovered'), events: ['fugue.declared'] });
      const [event] = await t.dataSource.query(`SELECT id, data->>'fugueId' AS fugue_id FROM webhook_events WHERE type = 'fugue.declared' ORDER BY occurred_at LIMIT 1`);
      // As a worker killed mid-request leaves it: claimed, attempt counted, never finished.
      const [{ id }] = await t.dataSource.query(
        `INSERT INTO webhook_deliveries (event_id, endpoint_id, status, attempts, sending_since, last_attempt_at)
         VALUES ($1, $2, 'sending', 1, now() - interval '1 minute', now() - interval '1 minute') RETURNING id`,
        [event.id, endpoint.id],
      );
      const [again] = await arrive('/recovered', endpoint.secret, event.fugue_id, 'fugue.declared');
      expect(again.id).toBe(event.id);
      const delivery = await waitFor(async () => (await deliveriesOf(endpoint.id)).find((d) => d.id === id && d.status === 'delivered'), { what: 'the delivery' });
      expect(delivery.attemptLog).toEqual([
        expect.objectContaining({ attempt: 1, statusCode: null, error: 'interrupted while sending: outcome unknown', succeeded: false }),
        expect.objectContaining({ attempt: 2, statusCode: 200, error: null, succeeded: true }),
      ]);
    });

    it('a delivered event can be redelivered by its endpoint owner only', async () => {
      const endpoint = await createEndpoint({ url: receiver.url('/replayed'), events: ['fugue.classified'] }, hotline.key);
      const fugueId = await newEpisode({ indicators: ['SUICIDE_RISK'] });
      const [original] = await arrive('/replayed', endpoint.secret, fugueId, 'fugue.classified');
      // The receiver has the request before the attempt's outcome is recorded: wait for the record.
      const delivery = await waitFor(async () => {
        const items = (await t.http.get(`/v1/webhook-endpoints/${endpoint.id}/deliveries`).set(bearer(hotline.key)).expect(200)).body.items as Json[];
        return items.find((d) => d.eventId === original.id && d.status !== 'sending');
      }, { what: 'the delivery outcome recorded' });
      expect(delivery).toMatchObject({ eventId: original.id, status: 'delivered' });

      const otherHotline = await makeClient(t, { role: 'hotline' });
      await t.http.post(`/v1/webhook-deliveries/${delivery.id}/redeliver`).set(bearer(otherHotline.key)).expect(404);
      await t.http.post(`/v1/webhook-deliveries/${delivery.id}/redeliver`).set(bearer(foyerKey)).expect(403);
      await t.http.post(`/v1/webhook-deliveries/${randomUUID()}/redeliver`).set(bearer(t.adminKey)).expect(404);
      await t.http.post(`/v1/webhook-deliveries/${delivery.id}/redeliver`).set(bearer(hotline.key)).expect(202);
      const [, again] = await arrive('/replayed', endpoint.secret, fugueId, 'fugue.classified', 2);
      expect(again.id).toBe(original.id);
      expect(again.rawBody).toBe(original.rawBody);
    });
  });

  describe('bodies are thin', () => {
    it('no body carries a name, birth date, description or free text, and each has exactly the fields of its type', () => {
      const bodies = receiver.requests.map((r) => r.rawBody);
      expect(bodies.length).toBeGreaterThan(20);
      for (const [name, marker] of Object.entries(MARKERS)) {
        expect({ name, found: bodies.filter((b) => b.toLowerCase().includes(marker.toLowerCase())).length }).toEqual({ name, found: 0 });
      }
      expect(bodies.filter((b) => b.includes('Testprenom') || b.includes('Testnom'))).toEqual([]);
      const types = new Set<string>();
      for (const raw of bodies) {
        const body = JSON.parse(raw);
        types.add(body.type);
        expect(Object.keys(body).sort()).toEqual(['data', 'timestamp', 'type']);
        expect({ type: body.type, fields: Object.keys(body.data).sort() }).toEqual({ type: body.type, fields: DATA_FIELDS[body.type] });
      }
      expect([...types].sort()).toEqual(ALL_TYPES.filter((type) => type !== 'return_interview.overdue').sort());
    });
  });
});

describe('webhook endpoint URLs are web targets', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ worker: false, env: { VIGIE_ALLOW_PRIVATE_WEBHOOK_TARGETS: 'false' } });
  });
  afterAll(() => t?.close());

  it.each([
    ['http://hooks.example.org/vigie', /scheme http: is not allowed/],
    // One message whatever the reason: it never says what a name resolved to.
    ['https://127.0.0.1/vigie', /^host 127\.0\.0\.1 does not resolve to a public address$/],
    ['https://localhost/vigie', /^host localhost does not resolve to a public address$/],
    ['https://10.1.2.3/vigie', /^host 10\.1\.2\.3 does not resolve to a public address$/],
    ['https://192.168.1.10/vigie', /^host 192\.168\.1\.10 does not resolve to a public address$/],
    ['https://169.254.169.254/latest', /^host 169\.254\.169\.254 does not resolve to a public address$/],
    ['https://[::1]/vigie', /^host ::1 does not resolve to a public address$/],
    ['https://[64:ff9b::a9fe:a9fe]/latest', /^host 64:ff9b::a9fe:a9fe does not resolve to a public address$/],
    ['https://198.18.0.1/vigie', /^host 198\.18\.0\.1 does not resolve to a public address$/],
    ['https://vigie-test.invalid/vigie', /^host vigie-test\.invalid does not resolve to a public address$/],
    ['https://user:pass@hooks.example.org/vigie', /credentials/],
  ])('refuses %s', async (url, reason) => {
    const res = await t.http.post('/v1/webhook-endpoints').set(bearer(t.adminKey)).send({ url, events: ['fugue.declared'] }).expect(400);
    expect(res.body.details).toEqual([{ field: 'url', message: expect.stringMatching(reason) }]);
  });

  it('accepts a public https URL', async () => {
    // A literal public address: no DNS lookup is needed to check it.
    const res = await t.http.post('/v1/webhook-endpoints').set(bearer(t.adminKey)).send({ url: 'https://93.184.215.14/vigie', events: ['fugue.declared'] });
    expect(res.status).toBe(201);
  });
});
