import { randomBytes, randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { WebhookHousekeepingService } from '@vigie/domain';
import { bearer, declareFugue, makeClient, makeFoyer, makeYouth, signedHeaders, startTestApp, TestApp, waitFor, testNow } from '@vigie/testing';

/**
 * Events from the 116 000 (integrations.md § Inbound events): authenticated by a Standard Webhooks
 * signature over the raw body with the hotline client's inboundWebhookSecret, deduplicated on
 * webhook-id, applied to episodes of the hotline's départements only; and the hotline's read
 * access (api.md § Roles and scopes).
 */

type Json = Record<string, any>;

const PATH = '/v1/integrations/116000/events';
const SUMMARY = 'Zinresume appel de la gare';
const PLACE = 'Zinlieu quai 3';

describe('inbound events from the 116 000', () => {
  let t: TestApp;
  let hotline: { id: string; key: string; inboundWebhookSecret: string };
  let foyerKey: string;
  let foyerId: string;
  let foyer13Key: string;
  let foyer13Id: string;
  const warnings: string[] = [];

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(function (this: Logger, message: unknown) {
      warnings.push(String(message));
    });
    t = await startTestApp();
    const foyer = await makeFoyer(t, { departmentCode: '75' });
    foyerId = foyer.id;
    foyerKey = (await makeClient(t, { role: 'foyer', foyerIds: [foyer.id] })).key;
    const foyer13 = await makeFoyer(t, { departmentCode: '13' });
    foyer13Id = foyer13.id;
    foyer13Key = (await makeClient(t, { role: 'foyer', foyerIds: [foyer13.id] })).key;
    hotline = (await makeClient(t, { role: 'hotline', departmentCodes: ['75'] })) as typeof hotline;
    expect(hotline.inboundWebhookSecret).toMatch(/^whsec_/);
  });

  afterAll(async () => {
    await t?.close();
    jest.restoreAllMocks();
  });

  const episode = async (overrides: Json = {}, inThirteen = false) => {
    const [key, foyer] = inThirteen ? [foyer13Key, foyer13Id] : [foyerKey, foyerId];
    const id = (await declareFugue(t, key, (await makeYouth(t, key, foyer)).id, overrides)).id;
    await waitFor(async () => (await t.http.get(`/v1/fugues/${id}`).set(bearer(t.adminKey)).expect(200)).body.effectiveLevel, { what: 'the first triage' });
    return id;
  };
  /** Every job asked for about the episode (triages) has run. */
  const settled = (fugueId: string) =>
    waitFor(
      async () => (await t.dataSource.query(`SELECT 1 FROM outbox WHERE payload->>'fugueId' = $1 AND processed_at IS NULL`, [fugueId])).length === 0,
      { what: 'the episode settled' },
    );
  const getFugue = async (id: string) => (await t.http.get(`/v1/fugues/${id}`).set(bearer(t.adminKey)).expect(200)).body;

  const callReceived = (fugueId: string, data: Json = {}) => ({
    type: 'hotline.call_received',
    timestamp: testNow().toISOString(),
    data: {
      fugueId,
      receivedAt: new Date(testNow().getTime() - 60_000).toISOString(),
      caller: 'youth',
      sighting: { at: new Date(testNow().getTime() - 90_000).toISOString(), place: PLACE },
      indicators: ['EXPLOITATION_KNOWN'],
      summary: SUMMARY,
      ...data,
    },
  });
  const childLocated = (fugueId: string, data: Json = {}) => ({
    type: 'hotline.child_located',
    timestamp: testNow().toISOString(),
    data: { fugueId, at: new Date(testNow().getTime() - 30_000).toISOString(), place: PLACE, ...data },
  });

  /** Posts exactly `raw`, signed as the 116 000 does unless `headers` replace the signature. */
  const send = (raw: string, headers: Record<string, string>) => t.http.post(PATH).set(headers).send(raw);
  const sendSigned = (body: Json, { id = `msg_${randomUUID()}`, secret = hotline.inboundWebhookSecret, at = new Date() } = {}) => {
    const raw = JSON.stringify(body);
    return send(raw, signedHeaders(secret, id, raw, at));
  };
  const hotlineUpdates = async (fugueId: string) =>
    Number((await t.dataSource.query(`SELECT count(*) AS n FROM fugue_updates WHERE fugue_id = $1 AND source = 'hotline'`, [fugueId]))[0].n);

  describe('the signature', () => {
    let fugueId: string;
    beforeAll(async () => {
      fugueId = await episode();
    });

    it('a correctly signed event is accepted with 202', async () => {
      const id = `msg_${randomUUID()}`;
      const res = await sendSigned(callReceived(fugueId, { indicators: [] }), { id });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ status: 'accepted', webhookId: id });
      expect(await hotlineUpdates(fugueId)).toBe(1);
    });

    const unsigned = (raw: string, id = `msg_${randomUUID()}`) => signedHeaders(hotline.inboundWebhookSecret, id, raw);
    const otherSecret = `whsec_${randomBytes(32).toString('base64')}`;
    const cases: [string, (raw: string) => Promise<Record<string, string>> | Record<string, string>, ((raw: string) => string) | null][] = [
      ['no webhook header at all', () => ({ 'content-type': 'application/json' }), null],
      ['no webhook-signature', (raw) => ({ ...unsigned(raw), 'webhook-signature': '' }), null],
      ['no webhook-id', (raw) => ({ ...unsigned(raw), 'webhook-id': '' }), null],
      ['no webhook-timestamp', (raw) => ({ ...unsigned(raw), 'webhook-timestamp': '' }), null],
      ['a signature made with another secret', (raw) => signedHeaders(otherSecret, `msg_${randomUUID()}`, raw), null],
      ['a signature that is not base64 HMAC', (raw) => ({ ...unsigned(raw), 'webhook-signature': 'v1,bm90IGEgc2lnbmF0dXJl' }), null],
      ['a signature of another webhook-id', (raw) => ({ ...unsigned(raw), 'webhook-id': `msg_${randomUUID()}` }), null],
      ['a timestamp 6 minutes old, correctly signed', (raw) => signedHeaders(hotline.inboundWebhookSecret, `msg_${randomUUID()}`, raw, new Date(Date.now() - 6 * 60_000)), null],
      ['a timestamp 6 minutes ahead, correctly signed', (raw) => signedHeaders(hotline.inboundWebhookSecret, `msg_${randomUUID()}`, raw, new Date(Date.now() + 6 * 60_000)), null],
      ['a timestamp that is not a number', (raw) => ({ ...unsigned(raw), 'webhook-timestamp': 'yesterday' }), null],
      [
        'a body altered after signing',
        (raw) => unsigned(raw),
        (raw) => raw.replace('"indicators":["EXPLOITATION_KNOWN"]', '"indicators":["SUICIDE_RISK"]'),
      ],
      [
        "a revoked hotline client's signature",
        async (raw) => {
          const revoked = await makeClient(t, { role: 'hotline', departmentCodes: ['75'] });
          await t.http.delete(`/v1/api-clients/${revoked.id}`).set(bearer(t.adminKey)).expect(204);
          return signedHeaders(revoked.inboundWebhookSecret!, `msg_${randomUUID()}`, raw);
        },
        null,
      ],
      ["the hotline's API key instead of a signature", () => ({ 'content-type': 'application/json', ...bearer(hotline.key) }), null],
    ];

    it.each(cases)('answers 401 to %s, with no effect', async (_name, headersFor, alter) => {
      const before = await hotlineUpdates(fugueId);
      const raw = JSON.stringify(callReceived(fugueId));
      const res = await send(alter ? alter(raw) : raw, await headersFor(raw));
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ statusCode: 401, code: 'UNAUTHENTICATED', message: expect.any(String), correlationId: expect.any(String) });
      expect(await hotlineUpdates(fugueId)).toBe(before);
    });

    it('checks the signature before the body: an invalid body with a bad signature is a 401', async () => {
      const raw = JSON.stringify({ type: 'hotline.unknown', data: 'x' });
      const res = await send(raw, signedHeaders(otherSecret, `msg_${randomUUID()}`, raw));
      expect(res.status).toBe(401);
    });

    it('answers 401 with a message that names the stale timestamp', async () => {
      const res = await sendSigned(callReceived(fugueId), { at: new Date(Date.now() - 10 * 60_000) });
      expect(res.body.message).toMatch(/webhook-timestamp/);
    });
  });

  describe('deduplication on webhook-id', () => {
    it('a replay answers 200 and has no second effect, even with a fresh signature or another body', async () => {
      const fugueId = await episode();
      const id = `msg_${randomUUID()}`;
      const body = callReceived(fugueId);
      expect((await sendSigned(body, { id })).status).toBe(202);
      await waitFor(async () => (await getFugue(fugueId)).effectiveLevel === 'worrying', { what: 'the re-triage' });
      const triages = async () =>
        Number((await t.dataSource.query(`SELECT count(*) AS n FROM outbox WHERE job_name = 'fugue.triage' AND payload->>'fugueId' = $1`, [fugueId]))[0].n);
      const triagesBefore = await triages();

      const replay = await sendSigned(body, { id });
      expect(replay.status).toBe(200);
      expect(replay.body).toEqual({ status: 'duplicate', webhookId: id });
      expect((await sendSigned(callReceived(fugueId, { indicators: ['SUICIDE_RISK'] }), { id })).status).toBe(200);
      expect(await hotlineUpdates(fugueId)).toBe(1);
      expect(await triages()).toBe(triagesBefore);
    });

    it('the same webhook-id from another hotline client is another event', async () => {
      const fugueId = await episode();
      const other = await makeClient(t, { role: 'hotline' });
      const id = `msg_${randomUUID()}`;
      expect((await sendSigned(callReceived(fugueId, { indicators: [] }), { id })).status).toBe(202);
      expect((await sendSigned(callReceived(fugueId, { indicators: [] }), { id, secret: other.inboundWebhookSecret! })).status).toBe(202);
      expect(await hotlineUpdates(fugueId)).toBe(2);
    });

    it('keeps received ids at least 7 days, then forgets them', async () => {
      const fugueId = await episode();
      const [kept, forgotten] = [`msg_${randomUUID()}`, `msg_${randomUUID()}`];
      for (const id of [kept, forgotten]) expect((await sendSigned(callReceived(fugueId, { indicators: [] }), { id })).status).toBe(202);
      await t.dataSource.query(`UPDATE inbound_events SET received_at = now() - interval '6 days 23 hours' WHERE webhook_id = $1`, [kept]);
      await t.dataSource.query(`UPDATE inbound_events SET received_at = now() - interval '7 days 1 hour' WHERE webhook_id = $1`, [forgotten]);
      // The sweep prunes once an hour: this one is told an hour has passed.
      await t.app.get(WebhookHousekeepingService).pruneIfDue(testNow().getTime() + 3600_000 + 1);
      const ids = (await t.dataSource.query(`SELECT webhook_id FROM inbound_events WHERE webhook_id = ANY($1)`, [[kept, forgotten]])).map((r: Json) => r.webhook_id);
      expect(ids).toEqual([kept]);
      expect((await sendSigned(callReceived(fugueId, { indicators: [] }), { id: kept })).status).toBe(200);
    });
  });

  describe('hotline.call_received', () => {
    it('adds the indicators with source hotline and re-triages: EXPLOITATION_KNOWN makes a routine episode worrying, with an alert', async () => {
      const fugueId = await episode();
      expect((await getFugue(fugueId)).effectiveLevel).toBe('routine');
      expect((await sendSigned(callReceived(fugueId))).status).toBe(202);

      const fugue = await waitFor(async () => {
        const body = await getFugue(fugueId);
        return body.effectiveLevel === 'worrying' && body;
      }, { what: 'the re-triage' });
      expect(fugue.classification.reasons).toContainEqual(expect.objectContaining({ code: 'EXPLOITATION_KNOWN', source: 'hotline' }));
      const causes = (await t.dataSource.query(`SELECT cause FROM fugue_classifications WHERE fugue_id = $1 ORDER BY evaluated_at`, [fugueId])).map((r: Json) => r.cause);
      expect(causes).toEqual(['declared', 'hotline']);
      await waitFor(async () => (await t.dataSource.query(`SELECT 1 FROM alerts WHERE fugue_id = $1 AND state = 'open'`, [fugueId])).length === 1, {
        what: 'the alert',
      });

      const timeline = (await t.http.get(`/v1/fugues/${fugueId}/timeline`).set(bearer(t.adminKey)).expect(200)).body.items as Json[];
      const call = timeline.find((e) => e.type === 'hotline.call')!;
      expect(call.data).toEqual({
        updateId: expect.any(String),
        source: 'hotline',
        caller: 'youth',
        receivedAt: expect.any(String),
        indicators: ['EXPLOITATION_KNOWN'],
        sightingAt: expect.any(String),
      });
      expect(call.text).toEqual({ summary: SUMMARY, sightingPlace: PLACE });
    });

    it('keeps the summary encrypted at rest and out of every log line', async () => {
      const fugueId = await episode();
      expect((await sendSigned(callReceived(fugueId, { indicators: [] }))).status).toBe(202);
      const rows = await t.dataSource.query(
        `SELECT u::text AS row FROM fugue_updates u WHERE fugue_id = $1 UNION ALL SELECT e::text FROM fugue_events e WHERE fugue_id = $1
         UNION ALL SELECT i::text FROM inbound_events i`,
        [fugueId],
      );
      expect(rows.length).toBeGreaterThan(2);
      expect(rows.filter((r: Json) => r.row.includes(SUMMARY) || r.row.includes(PLACE))).toEqual([]);
      expect(warnings.filter((w) => w.includes(SUMMARY) || w.includes(PLACE))).toEqual([]);
    });

    it('is accepted for a returned episode and refused with 409 for a closed or cancelled one', async () => {
      const returned = await episode();
      await t.http.post(`/v1/fugues/${returned}/return`).set(bearer(foyerKey)).send({ returnedAt: testNow().toISOString(), foundBy: 'self' }).expect(200);
      expect((await sendSigned(callReceived(returned, { indicators: [] }))).status).toBe(202);

      await t.http.post(`/v1/fugues/${returned}/close`).set(bearer(foyerKey)).send({ reason: 'Raison de test' }).expect(200);
      const closed = await sendSigned(callReceived(returned, { indicators: [] }));
      expect(closed.status).toBe(409);
      expect(closed.body.code).toBe('INVALID_TRANSITION');

      const cancelled = await episode();
      await t.http.post(`/v1/fugues/${cancelled}/cancel`).set(bearer(foyerKey)).send({ reason: 'Raison de test' }).expect(200);
      expect((await sendSigned(callReceived(cancelled, { indicators: [] }))).status).toBe(409);
    });
  });

  describe('hotline.child_located', () => {
    it('marks the episode located through the located transition', async () => {
      const fugueId = await episode({ indicators: ['SUICIDE_RISK'] });
      const at = new Date(testNow().getTime() - 20_000).toISOString();
      expect((await sendSigned(childLocated(fugueId, { at }))).status).toBe(202);
      const fugue = await getFugue(fugueId);
      expect(fugue).toMatchObject({ status: 'located', locatedAt: at });
      const timeline = (await t.http.get(`/v1/fugues/${fugueId}/timeline`).set(bearer(t.adminKey)).expect(200)).body.items as Json[];
      expect(timeline.filter((e) => e.type === 'located')).toEqual([expect.objectContaining({ actorId: hotline.id, data: { at, source: 'hotline' }, text: { place: PLACE } })]);
      const events = await t.dataSource.query(`SELECT data FROM webhook_events WHERE type = 'fugue.located' AND data->>'fugueId' = $1`, [fugueId]);
      expect(events).toEqual([{ data: { fugueId, departmentCode: '75', at } }]);
      // The episode's alert is resolved, as with any located transition.
      await waitFor(async () => (await t.dataSource.query(`SELECT state FROM alerts WHERE fugue_id = $1`, [fugueId]))[0]?.state === 'resolved', {
        what: 'the alert resolved',
      });
    });

    it('leaves an episode already located or returned as it is, and answers 202', async () => {
      const fugueId = await episode();
      await t.http.post(`/v1/fugues/${fugueId}/return`).set(bearer(foyerKey)).send({ returnedAt: testNow().toISOString(), foundBy: 'self' }).expect(200);
      await settled(fugueId);
      const timelineSize = async () => Number((await t.dataSource.query(`SELECT count(*) AS n FROM fugue_events WHERE fugue_id = $1`, [fugueId]))[0].n);
      const before = await timelineSize();
      expect((await sendSigned(childLocated(fugueId))).status).toBe(202);
      expect((await getFugue(fugueId)).status).toBe('returned');
      expect(await timelineSize()).toBe(before);
    });

    it('refuses a time before the episode began', async () => {
      const fugueId = await episode();
      const res = await sendSigned(childLocated(fugueId, { at: new Date(testNow().getTime() - 3 * 3600_000).toISOString() }));
      expect(res.status).toBe(400);
      expect(res.body.details).toEqual([{ field: 'data.at', message: 'must not be before noticedMissingAt' }]);
    });
  });

  describe('episodes the hotline cannot report on', () => {
    it.each([
      ['an unknown episode', async () => randomUUID()],
      ['an episode of another département', async () => episode({}, true)],
    ])('answers 404 to an event about %s, logged for follow-up without personal data', async (_name, target) => {
      const fugueId = await target();
      const id = `msg_${randomUUID()}`;
      const res = await sendSigned(callReceived(fugueId), { id });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('NOT_FOUND');
      expect(warnings).toContainEqual(
        `Inbound hotline.call_received ${id} from hotline client ${hotline.id}: episode ${fugueId} unknown or outside its scope`,
      );
      expect(warnings.filter((w) => w.includes(SUMMARY) || w.includes(PLACE))).toEqual([]);
      // Not recorded as received: once the episode is known, the hotline's retry is applied.
      expect(await t.dataSource.query(`SELECT 1 FROM inbound_events WHERE webhook_id = $1`, [id])).toEqual([]);
    });
  });

  describe('validation of the body', () => {
    let fugueId: string;
    beforeAll(async () => {
      fugueId = await episode();
    });

    it.each<[string, () => Json, string[]]>([
      ['an unknown type', () => ({ ...callReceived(fugueId), type: 'hotline.child_abducted' }), ['type']],
      ['a fugueId that is not a UUID', () => callReceived('1234'), ['data.fugueId']],
      ['an unknown caller', () => callReceived(fugueId, { caller: 'neighbour' }), ['data.caller']],
      ['an unknown indicator code', () => callReceived(fugueId, { indicators: ['EXPLOITATION_SUSPECTED_MAYBE'] }), ['data.indicators']],
      ['a receivedAt that is not a time', () => callReceived(fugueId, { receivedAt: '2026-02-30T10:00:00Z' }), ['data.receivedAt']],
      ['a receivedAt in the future', () => callReceived(fugueId, { receivedAt: new Date(testNow().getTime() + 3600_000).toISOString() }), ['data.receivedAt']],
      ['a sighting without its time', () => callReceived(fugueId, { sighting: { place: PLACE } }), ['data.sighting.at']],
      ['a summary over 4000 characters', () => callReceived(fugueId, { summary: 'a'.repeat(4001) }), ['data.summary']],
      ['an unknown field in data', () => callReceived(fugueId, { callerName: 'Testnom' }), ['data.callerName']],
      ['an unknown top-level field', () => ({ ...callReceived(fugueId), priority: 'high' }), ['priority']],
      ['no timestamp', () => ({ type: 'hotline.call_received', data: callReceived(fugueId).data }), ['timestamp']],
      ['data that is not an object', () => ({ ...callReceived(fugueId), data: 'x' }), ['data']],
      ['a located event without its time', () => ({ ...childLocated(fugueId), data: { fugueId } }), ['data.at']],
    ])('answers 400 to %s', async (_name, body, fields) => {
      const res = await sendSigned(body());
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect([...new Set((res.body.details as Json[]).map((d) => d.field))]).toEqual(fields);
      expect(await hotlineUpdates(fugueId)).toBe(0);
    });

    it('answers 415 to a body that is not JSON', async () => {
      const raw = 'type=hotline.call_received';
      const res = await send(raw, { ...signedHeaders(hotline.inboundWebhookSecret, `msg_${randomUUID()}`, raw), 'content-type': 'text/plain' });
      expect(res.status).toBe(415);
    });
  });

  describe("the hotline's read access", () => {
    it('reads worrying episodes of its départements with identity, audited; routine ones and others are 404 to it', async () => {
      const worrying = await episode({ indicators: ['SUICIDE_RISK'] });
      const routine = await episode();
      const elsewhere = await episode({ indicators: ['SUICIDE_RISK'] }, true);

      const read = await t.http.get(`/v1/fugues/${worrying}`).set(bearer(hotline.key)).expect(200);
      expect(read.body.youth).toMatchObject({ firstName: 'Testprenom', lastName: 'Testnom' });
      const audit = await t.dataSource.query(`SELECT client_id, action, route, fugue_id FROM audit_log WHERE correlation_id = $1`, [read.headers['x-correlation-id']]);
      expect(audit).toEqual([{ client_id: hotline.id, action: 'read_identity', route: '/v1/fugues/:id', fugue_id: worrying }]);
      await t.http.get(`/v1/fugues/${worrying}/timeline`).set(bearer(hotline.key)).expect(200);

      for (const id of [routine, elsewhere]) {
        await t.http.get(`/v1/fugues/${id}`).set(bearer(hotline.key)).expect(404);
        await t.http.get(`/v1/fugues/${id}/timeline`).set(bearer(hotline.key)).expect(404);
      }
      const listed = ((await t.http.get('/v1/fugues?limit=200').set(bearer(hotline.key)).expect(200)).body.items as Json[]).map((f) => f.id);
      expect(listed).toContain(worrying);
      expect(listed).not.toContain(routine);
      expect(listed).not.toContain(elsewhere);
      expect(((await t.http.get('/v1/fugues?limit=200&level=routine').set(bearer(hotline.key)).expect(200)).body.items as Json[])).toEqual([]);

      // It reads and reports; it does not change episodes through the API.
      await t.http.post(`/v1/fugues/${worrying}/updates`).set(bearer(hotline.key)).send({ indicators: ['EXPLOITATION_KNOWN'] }).expect(403);
      await t.http.post(`/v1/fugues/${worrying}/located`).set(bearer(hotline.key)).send({ at: testNow().toISOString() }).expect(403);
    });
  });
});
