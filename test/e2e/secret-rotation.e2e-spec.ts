import { randomUUID } from 'node:crypto';
import {
  bearer,
  declareFugue,
  HttpReceiver,
  makeClient,
  makeFoyer,
  makeYouth,
  signedHeaders,
  startTestApp,
  TestApp,
  testNow,
  verifiesBySpecification,
  verifyWebhook,
  waitFor,
} from '@vigie/testing';

/**
 * Rotating the hotline's inbound secret and a referent's webhook secret: the new secret is shown
 * once, and for 24 h both secrets work (inbound: either signature is accepted; outbound: every
 * request carries one signature per secret); after that only the new one does. The end of the
 * overlap is reached by moving its expiry into the past, not by waiting.
 */

type Json = Record<string, any>;
const DAY_MS = 24 * 3600_000;
const INBOUND = '/v1/integrations/116000/events';

describe('secret rotation with a 24 h overlap', () => {
  let t: TestApp;
  let hooks: HttpReceiver;
  let foyerId: string;
  let foyerKey: string;

  beforeAll(async () => {
    hooks = await HttpReceiver.start();
    t = await startTestApp();
    const foyer = await makeFoyer(t, { departmentCode: '75' });
    foyerId = foyer.id;
    foyerKey = (await makeClient(t, { role: 'foyer', foyerIds: [foyer.id] })).key;
  });

  afterAll(async () => {
    await t?.close();
    await hooks?.close();
  });

  const expectOverlapOf24h = (expiresAt: string) => {
    const overlapMs = new Date(expiresAt).getTime() - testNow().getTime();
    expect(overlapMs).toBeGreaterThan(DAY_MS - 60_000);
    expect(overlapMs).toBeLessThanOrEqual(DAY_MS);
  };
  const episode = async (indicators: string[] = []) => (await declareFugue(t, foyerKey, (await makeYouth(t, foyerKey, foyerId)).id, { indicators })).id;

  describe('POST /v1/api-clients/{id}/rotate-inbound-secret', () => {
    const sendSigned = (secret: string, fugueId: string) => {
      const raw = JSON.stringify({
        type: 'hotline.call_received',
        timestamp: testNow().toISOString(),
        data: { fugueId, receivedAt: new Date(testNow().getTime() - 60_000).toISOString(), caller: 'youth', indicators: [], summary: 'Zinresume' },
      });
      return t.http.post(INBOUND).set(signedHeaders(secret, `msg_${randomUUID()}`, raw)).send(raw);
    };

    it('accepts the old and the new secret for 24 h, then only the new one', async () => {
      const hotline = await makeClient(t, { role: 'hotline', departmentCodes: ['75'] });
      const oldSecret = hotline.inboundWebhookSecret!;
      const fugueId = await episode();
      await sendSigned(oldSecret, fugueId).expect(202);

      const res = await t.http.post(`/v1/api-clients/${hotline.id}/rotate-inbound-secret`).set(bearer(t.adminKey)).expect(200);
      expect(res.body).toMatchObject({ id: hotline.id, role: 'hotline', inboundWebhookSecret: expect.stringMatching(/^whsec_/) });
      const newSecret: string = res.body.inboundWebhookSecret;
      expect(newSecret).not.toBe(oldSecret);
      expectOverlapOf24h(res.body.previousSecretExpiresAt);
      // Shown once: never in the list.
      const listed = (await t.http.get('/v1/api-clients?limit=200').set(bearer(t.adminKey)).expect(200)).text;
      expect(listed).not.toContain(newSecret);
      expect(listed).not.toContain(oldSecret);

      await sendSigned(oldSecret, fugueId).expect(202);
      await sendSigned(newSecret, fugueId).expect(202);

      await t.dataSource.query(`UPDATE api_clients SET previous_inbound_webhook_secret_expires_at = now() - interval '1 second' WHERE id = $1`, [hotline.id]);
      expect((await sendSigned(oldSecret, fugueId)).status).toBe(401);
      await sendSigned(newSecret, fugueId).expect(202);
    });

    it('a second rotation during the overlap drops the oldest secret', async () => {
      const hotline = await makeClient(t, { role: 'hotline', departmentCodes: ['75'] });
      const first = hotline.inboundWebhookSecret!;
      const second = (await t.http.post(`/v1/api-clients/${hotline.id}/rotate-inbound-secret`).set(bearer(t.adminKey)).expect(200)).body.inboundWebhookSecret;
      const third = (await t.http.post(`/v1/api-clients/${hotline.id}/rotate-inbound-secret`).set(bearer(t.adminKey)).expect(200)).body.inboundWebhookSecret;
      const fugueId = await episode();
      expect((await sendSigned(first, fugueId)).status).toBe(401);
      await sendSigned(second, fugueId).expect(202);
      await sendSigned(third, fugueId).expect(202);
    });

    it('is for administrators, for live hotline clients only', async () => {
      const hotline = await makeClient(t, { role: 'hotline', departmentCodes: ['75'] });
      const police = await makeClient(t, { role: 'police', departmentCodes: ['75'] });
      const rotate = (id: string, key = t.adminKey) => t.http.post(`/v1/api-clients/${id}/rotate-inbound-secret`).set(bearer(key));
      expect((await rotate(hotline.id, hotline.key)).status).toBe(403);
      expect((await rotate(hotline.id, police.key)).status).toBe(403);
      const noSecret = await rotate(police.id);
      expect(noSecret.status).toBe(409);
      expect(noSecret.body).toMatchObject({ statusCode: 409, correlationId: expect.any(String) });
      expect((await rotate(randomUUID())).status).toBe(404);
      expect((await rotate('not-a-uuid')).status).toBe(400);
      await t.http.delete(`/v1/api-clients/${hotline.id}`).set(bearer(t.adminKey)).expect(204);
      expect((await rotate(hotline.id)).status).toBe(404);
    });
  });

  describe('POST /v1/referents/{id}/rotate-webhook-secret', () => {
    const notificationsTo = (path: string) =>
      hooks.requests.filter((r) => r.path === path).filter((r) => JSON.parse(r.rawBody).type === 'alert.notification');

    it('signs outbound webhooks with both secrets for 24 h, then with the new one only', async () => {
      const path = `/referent-${randomUUID()}`;
      const created = await t.http
        .post('/v1/referents')
        .set(bearer(t.adminKey))
        .send({ displayName: 'Brigade test', role: 'police', departmentCode: '75', channels: [{ type: 'webhook', url: hooks.url(path) }] })
        .expect(201);
      const oldSecret: string = created.body.webhookSecret;

      const res = await t.http.post(`/v1/referents/${created.body.id}/rotate-webhook-secret`).set(bearer(t.adminKey)).expect(200);
      expect(res.body).toMatchObject({ id: created.body.id, webhookSecret: expect.stringMatching(/^whsec_/) });
      const newSecret: string = res.body.webhookSecret;
      expect(newSecret).not.toBe(oldSecret);
      expectOverlapOf24h(res.body.previousSecretExpiresAt);
      const read = (await t.http.get(`/v1/referents/${created.body.id}`).set(bearer(t.adminKey)).expect(200)).text;
      expect(read).not.toContain(newSecret);

      await episode(['SUICIDE_RISK']);
      const [during] = await waitFor(() => (notificationsTo(path).length >= 1 ? notificationsTo(path) : null), { what: 'a notification during the overlap' });
      expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
      expect(verifyWebhook(newSecret, during).body.type).toBe('alert.notification');
      expect(verifyWebhook(oldSecret, during).body.type).toBe('alert.notification');

      await t.dataSource.query(`UPDATE referents SET previous_webhook_secret_expires_at = now() - interval '1 second' WHERE id = $1`, [created.body.id]);
      const seen = notificationsTo(path).length;
      await episode(['SUICIDE_RISK']);
      const after = await waitFor(() => notificationsTo(path)[seen], { what: 'a notification after the overlap' });
      expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
      expect(verifyWebhook(newSecret, after).body.type).toBe('alert.notification');
      expect(verifiesBySpecification(oldSecret, after)).toBe(false);
    });

    it('is for administrators, for referents with a webhook channel', async () => {
      const police = await makeClient(t, { role: 'police', departmentCodes: ['75'] });
      const emailOnly: Json = (
        await t.http
          .post('/v1/referents')
          .set(bearer(t.adminKey))
          .send({ displayName: 'Astreinte test', role: 'police', departmentCode: '75', channels: [{ type: 'email', address: 'astreinte@vigie.test' }] })
          .expect(201)
      ).body;
      const rotate = (id: string, key = t.adminKey) => t.http.post(`/v1/referents/${id}/rotate-webhook-secret`).set(bearer(key));
      expect((await rotate(emailOnly.id, police.key)).status).toBe(403);
      expect((await rotate(emailOnly.id)).status).toBe(409);
      expect((await rotate(randomUUID())).status).toBe(404);
      expect((await rotate('not-a-uuid')).status).toBe(400);
    });
  });
});
