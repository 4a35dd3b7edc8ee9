import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { Webhook } from 'standardwebhooks';
import {
  bearer,
  declareFugue,
  HttpReceiver,
  makeClient,
  makeFoyer,
  makeYouth,
  ReceivedRequest,
  SmtpCatcher,
  startTestApp,
  TEST_IDENTITY,
  TestApp,
  waitFor,
  testNow,
} from '@vigie/testing';

/** A response body, read as plain JSON. */
type Json = Record<string, any>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UTC_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;
const ALL_ROLES = ['child_protection', 'department_duty', 'foyer_duty', 'police', 'prosecutor'];

/** The default policy, exactly as integrations.md § Escalation writes it. */
const DEFAULT_POLICY = {
  worrying: {
    steps: [
      { afterSeconds: 0, notify: ['foyer_duty', 'child_protection', 'police'] },
      { afterSeconds: 900, notify: ['department_duty', 'police'] },
      { afterSeconds: 2700, notify: ['prosecutor', 'department_duty'] },
    ],
    repeatLastStepEverySeconds: 1800,
    maxRepeats: 3,
  },
  routine: { notify: ['foyer_duty'] },
  disclosure: { notify: ['prosecutor', 'police', 'child_protection'] },
  overdueInterview: { notify: ['child_protection', 'foyer_duty'] },
};

/** A `whsec_` secret: base64 of at least 24 random bytes. */
function expectWebhookSecret(secret: unknown): void {
  expect(typeof secret).toBe('string');
  const encoded = (secret as string).slice('whsec_'.length);
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
  const bytes = Buffer.from(encoded, 'base64');
  expect(bytes.length).toBeGreaterThanOrEqual(24);
  expect(bytes.toString('base64')).toBe(encoded);
}

/** Every key of a JSON value, at any depth. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...keysOf(v)]);
  return [];
}

/** A 400 whose details name exactly `field` (one or more problems, all on that field). */
function expectInvalid(res: Response, field: string): void {
  expect(res.status).toBe(400);
  expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', correlationId: expect.any(String) });
  expect(res.body.details.length).toBeGreaterThan(0);
  expect([...new Set(res.body.details.map((d: { field: string }) => d.field))]).toEqual([field]);
}

function expectForbidden(res: Response): void {
  expect(res.status).toBe(403);
  expect(res.body).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
}

function expectNotFound(res: Response): void {
  expect(res.status).toBe(404);
  expect(res.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
}

const idsOf = (res: Response): string[] => res.body.items.map((i: { id: string }) => i.id).sort();
const sorted = (values: string[]) => [...values].sort();

describe('escalation over HTTP: referents, policies, alerts and signed links', () => {
  let t: TestApp;
  /** Same code, VIGIE_ALLOW_PRIVATE_WEBHOOK_TARGETS=false (as in production). */
  let strict: TestApp;
  let smtp: SmtpCatcher;
  let sms: HttpReceiver;
  let hooks: HttpReceiver;

  let foyerA: { id: string };
  let foyerB: { id: string };
  let foyerC: { id: string };
  let keyA: string;
  let keyB: string;
  let keyC: string;
  let police75: { id: string; key: string };
  let police93: { id: string; key: string };
  let childProtection75: { id: string; key: string };
  let hotline75: { id: string; key: string };
  let hotlineAll: { id: string; key: string };
  let revokedClient: { id: string };

  beforeAll(async () => {
    [smtp, sms, hooks] = await Promise.all([SmtpCatcher.start(), HttpReceiver.start(), HttpReceiver.start()]);
    [t, strict] = await Promise.all([
      startTestApp({ env: { SMTP_URL: smtp.url, SMS_GATEWAY_URL: sms.url('/sms'), VIGIE_DELIVERY_TIMEOUT_MS: '2000' } }),
      startTestApp({ worker: false, env: { VIGIE_ALLOW_PRIVATE_WEBHOOK_TARGETS: 'false' } }),
    ]);
    [foyerA, foyerB, foyerC] = await Promise.all([
      makeFoyer(t, { departmentCode: '75' }),
      makeFoyer(t, { departmentCode: '75' }),
      makeFoyer(t, { departmentCode: '93' }),
    ]);
    [keyA, keyB, keyC] = (
      await Promise.all([foyerA, foyerB, foyerC].map((f) => makeClient(t, { role: 'foyer', foyerIds: [f.id] })))
    ).map((c) => c.key);
    [police75, police93, childProtection75, hotline75, hotlineAll, revokedClient] = await Promise.all([
      makeClient(t, { role: 'police', departmentCodes: ['75'] }),
      makeClient(t, { role: 'police', departmentCodes: ['93'] }),
      makeClient(t, { role: 'child_protection', departmentCodes: ['75'] }),
      makeClient(t, { role: 'hotline', departmentCodes: ['75'] }),
      makeClient(t, { role: 'hotline', departmentCodes: [] }),
      makeClient(t, { role: 'police', departmentCodes: ['75'] }),
    ]);
    await t.http.delete(`/v1/api-clients/${revokedClient.id}`).set(bearer(t.adminKey)).expect(204);
  });

  afterAll(async () => {
    await Promise.all([t?.close(), strict?.close()]);
    await Promise.all([smtp?.close(), sms?.close(), hooks?.close()]);
  });

  const postReferent = (body: Json, key = t.adminKey, app = t) => app.http.post('/v1/referents').set(bearer(key)).send(body);
  const createReferent = async (body: Json): Promise<Json> => {
    const res = await postReferent(body);
    if (res.status !== 201) throw new Error(`referent: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const countReferents = async (): Promise<number> => (await t.dataSource.query(`SELECT count(*)::int AS n FROM referents`))[0].n;
  const getPolicy = (code: string, key = t.adminKey) => t.http.get(`/v1/departments/${code}/escalation-policy`).set(bearer(key));
  const putPolicy = (code: string, body: Json, key = t.adminKey) => t.http.put(`/v1/departments/${code}/escalation-policy`).set(bearer(key)).send(body);
  const hookBodies = (path: string): { request: ReceivedRequest; body: Json }[] =>
    hooks.requests.filter((r) => r.path === path).map((request) => ({ request, body: JSON.parse(request.rawBody) }));

  describe('referents', () => {
    const base = { displayName: 'Astreinte test', role: 'police', departmentCode: '31', channels: [{ type: 'email', address: 'astreinte@vigie.test' }] };

    it('may be managed by an administrator only: every other role gets 403 and changes nothing', async () => {
      const referent = await createReferent(base);
      for (const key of [keyA, police75.key, childProtection75.key, hotlineAll.key]) {
        expectForbidden(await postReferent(base, key));
        expectForbidden(await t.http.get('/v1/referents').set(bearer(key)));
        expectForbidden(await t.http.get(`/v1/referents/${referent.id}`).set(bearer(key)));
        expectForbidden(await t.http.patch(`/v1/referents/${referent.id}`).set(bearer(key)).send({ displayName: 'Changé' }));
        expectForbidden(await t.http.delete(`/v1/referents/${referent.id}`).set(bearer(key)));
      }
      const after = await t.http.get(`/v1/referents/${referent.id}`).set(bearer(t.adminKey)).expect(200);
      expect(after.body.displayName).toBe('Astreinte test');
      await t.http.post('/v1/referents').send(base).expect(401);
    });

    it.each([
      ['an e-mail channel', [{ type: 'email', address: 'astreinte@vigie.test' }], false],
      ['an SMS channel', [{ type: 'sms', phone: '+33600000042' }], false],
      ['a webhook channel', [{ type: 'webhook', url: 'https://203.0.113.10/hooks/vigie' }], true],
      [
        'all three channels',
        [
          { type: 'email', address: 'astreinte@vigie.test' },
          { type: 'sms', phone: '+33600000042' },
          { type: 'webhook', url: 'https://203.0.113.10/hooks/vigie' },
        ],
        true,
      ],
    ])('is created with %s (201), with a webhookSecret only when a webhook channel is given', async (_name, channels, withSecret) => {
      const res = await postReferent({ ...base, channels }).expect(201);
      expect(res.body).toMatchObject({
        id: expect.stringMatching(UUID),
        displayName: 'Astreinte test',
        role: 'police',
        departmentCode: '31',
        foyerId: null,
        channels,
        apiClientId: null,
        createdAt: expect.stringMatching(UTC_TIMESTAMP),
      });
      if (withSecret) expectWebhookSecret(res.body.webhookSecret);
      else expect(res.body).not.toHaveProperty('webhookSecret');
    });

    it('links a foyer_duty referent to a foyer of its département and a referent to an API client', async () => {
      const duty = await createReferent({ ...base, role: 'foyer_duty', departmentCode: '93', foyerId: foyerC.id });
      expect(duty).toMatchObject({ role: 'foyer_duty', departmentCode: '93', foyerId: foyerC.id });
      const linked = await createReferent({ ...base, apiClientId: police93.id });
      expect(linked.apiClientId).toBe(police93.id);
    });

    it('shows the webhook secret once: reading the referent never returns it nor anything encrypted', async () => {
      const created = await createReferent({ ...base, channels: [{ type: 'webhook', url: 'https://203.0.113.10/hooks/once' }] });
      const secret: string = created.webhookSecret;
      expectWebhookSecret(secret);

      const one = await t.http.get(`/v1/referents/${created.id}`).set(bearer(t.adminKey)).expect(200);
      const list = await t.http.get('/v1/referents?departmentCode=31&limit=200').set(bearer(t.adminKey)).expect(200);
      expect(list.body.items.map((r: Json) => r.id)).toContain(created.id);
      for (const body of [one.body, list.body]) {
        expect(keysOf(body)).not.toContain('webhookSecret');
        expect(keysOf(body).filter((k) => /enc$/i.test(k))).toEqual([]);
        expect(JSON.stringify(body)).not.toContain('whsec_');
        expect(JSON.stringify(body)).not.toContain(secret.slice('whsec_'.length));
      }
      expect(one.body).toEqual({
        id: created.id,
        displayName: 'Astreinte test',
        role: 'police',
        departmentCode: '31',
        foyerId: null,
        channels: [{ type: 'webhook', url: 'https://203.0.113.10/hooks/once' }],
        apiClientId: null,
        createdAt: created.createdAt,
        updatedAt: expect.stringMatching(UTC_TIMESTAMP),
      });
      const [row] = await t.dataSource.query(`SELECT webhook_secret_enc FROM referents WHERE id = $1`, [created.id]);
      expect(row.webhook_secret_enc).toEqual(expect.any(String));
      expect(row.webhook_secret_enc).not.toContain(secret.slice('whsec_'.length));
    });

    const invalid: [string, () => Json, string][] = [
      ['a foyer_duty referent without foyerId', () => ({ ...base, role: 'foyer_duty', departmentCode: '75' }), 'foyerId'],
      ['a foyerId on a role other than foyer_duty', () => ({ ...base, role: 'police', departmentCode: '75', foyerId: foyerA.id }), 'foyerId'],
      ['a foyer of another département', () => ({ ...base, role: 'foyer_duty', departmentCode: '75', foyerId: foyerC.id }), 'foyerId'],
      ['a foyer that does not exist', () => ({ ...base, role: 'foyer_duty', departmentCode: '75', foyerId: randomUUID() }), 'foyerId'],
      [
        'two channels of one type',
        () => ({ ...base, channels: [{ type: 'email', address: 'un@vigie.test' }, { type: 'email', address: 'deux@vigie.test' }] }),
        'channels',
      ],
      ['an e-mail channel given a url', () => ({ ...base, channels: [{ type: 'email', url: 'https://203.0.113.10/x' }] }), 'channels.0'],
      [
        'an e-mail channel given both an address and a url',
        () => ({ ...base, channels: [{ type: 'email', address: 'un@vigie.test', url: 'https://203.0.113.10/x' }] }),
        'channels.0',
      ],
      ['an SMS channel given an address', () => ({ ...base, channels: [{ type: 'sms', address: 'un@vigie.test' }] }), 'channels.0'],
      ['an invalid e-mail address', () => ({ ...base, channels: [{ type: 'email', address: 'pas-une-adresse' }] }), 'channels.0.address'],
      ['a phone number not in international format', () => ({ ...base, channels: [{ type: 'sms', phone: '0612345678' }] }), 'channels.0.phone'],
      ['an unknown channel type', () => ({ ...base, channels: [{ type: 'fax', address: 'un@vigie.test' }] }), 'channels.0.type'],
      ['no channel at all', () => ({ ...base, channels: [] }), 'channels'],
      ['an unknown role', () => ({ ...base, role: 'mayor' }), 'role'],
      ['an unknown département', () => ({ ...base, departmentCode: '99' }), 'departmentCode'],
      ['an unknown field', () => ({ ...base, pager: '1234' }), 'pager'],
      ['an unknown apiClientId', () => ({ ...base, apiClientId: randomUUID() }), 'apiClientId'],
      ['a revoked API client', () => ({ ...base, apiClientId: revokedClient.id }), 'apiClientId'],
    ];
    it.each(invalid)('refuses %s with 400 and the field in details, creating nothing', async (_name, body, field) => {
      const before = await countReferents();
      expectInvalid(await postReferent(body()), field);
      expect(await countReferents()).toBe(before);
    });

    describe('when private webhook targets are not allowed', () => {
      it.each([
        ['http://example.test/x', /https/],
        ['https://127.0.0.1/x', /^host 127\.0\.0\.1 does not resolve to a public address$/],
        ['https://10.0.0.1/x', /^host 10\.0\.0\.1 does not resolve to a public address$/],
        ['https://[::1]/x', /^host ::1 does not resolve to a public address$/],
        ['https://169.254.169.254/x', /^host 169\.254\.169\.254 does not resolve to a public address$/],
        ['https://[64:ff9b::a9fe:a9fe]/x', /^host 64:ff9b::a9fe:a9fe does not resolve to a public address$/],
        ['https://localhost/x', /^host localhost does not resolve to a public address$/],
      ])('refuses the webhook URL %s on create and on update', async (url, reason) => {
        const channels = [
          { type: 'email', address: 'astreinte@vigie.test' },
          { type: 'webhook', url },
        ];
        const created = await postReferent({ ...base, channels }, strict.adminKey, strict);
        expectInvalid(created, 'channels.1.url');
        expect(created.body.details[0].message).toMatch(reason);

        const existing = (await postReferent(base, strict.adminKey, strict).expect(201)).body;
        const patched = await strict.http.patch(`/v1/referents/${existing.id}`).set(bearer(strict.adminKey)).send({ channels });
        expectInvalid(patched, 'channels.1.url');
        const [row] = await strict.dataSource.query(`SELECT channels, webhook_secret_enc FROM referents WHERE id = $1`, [existing.id]);
        expect(row).toEqual({ channels: base.channels, webhook_secret_enc: null });
      });

      it('accepts a public https target', async () => {
        const res = await postReferent({ ...base, channels: [{ type: 'webhook', url: 'https://8.8.8.8/hooks/vigie' }] }, strict.adminKey, strict).expect(201);
        expectWebhookSecret(res.body.webhookSecret);
      });
    });

    it('accepts http:// and private addresses when VIGIE_ALLOW_PRIVATE_WEBHOOK_TARGETS is true', async () => {
      for (const url of ['http://example.test/x', 'https://10.0.0.1/x', 'https://[::1]/x']) {
        await postReferent({ ...base, channels: [{ type: 'webhook', url }] }).expect(201);
      }
    });

    it('lists referents filtered by département and role, newest first, page by page', async () => {
      const created: Json[] = [];
      for (const role of ['police', 'prosecutor', 'police', 'prosecutor', 'police']) {
        created.push(await createReferent({ ...base, role, departmentCode: '13', displayName: `Référent ${created.length}` }));
      }
      const newestFirst = created.map((r) => r.id).reverse();

      const all = await t.http.get('/v1/referents?departmentCode=13').set(bearer(t.adminKey)).expect(200);
      expect(all.body.items.map((r: Json) => r.id)).toEqual(newestFirst);
      expect(all.body.nextCursor).toBeNull();

      const police = await t.http.get('/v1/referents?departmentCode=13&role=police').set(bearer(t.adminKey)).expect(200);
      expect(police.body.items.map((r: Json) => r.id)).toEqual(created.filter((r) => r.role === 'police').map((r) => r.id).reverse());

      const paged: string[] = [];
      const pageSizes: number[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `/v1/referents?departmentCode=13&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page: Response = await t.http.get(query).set(bearer(t.adminKey)).expect(200);
        pageSizes.push(page.body.items.length);
        paged.push(...page.body.items.map((r: Json) => r.id));
        cursor = page.body.nextCursor;
      } while (cursor && pageSizes.length < 10);
      expect(pageSizes).toEqual([2, 2, 1]);
      expect(paged).toEqual(newestFirst);

      const elsewhere = await t.http.get('/v1/referents?departmentCode=13&role=department_duty').set(bearer(t.adminKey)).expect(200);
      expect(elsewhere.body).toEqual({ items: [], nextCursor: null });
      expectInvalid(await t.http.get('/v1/referents?role=mayor').set(bearer(t.adminKey)), 'role');
      expectInvalid(await t.http.get('/v1/referents?departmentCode=abc').set(bearer(t.adminKey)), 'departmentCode');
    });

    it('PATCH: adding a webhook channel to a referent without one returns a new secret, once', async () => {
      const referent = await createReferent(base);
      const path = `/v1/referents/${referent.id}`;
      const channels = [base.channels[0], { type: 'webhook', url: 'https://203.0.113.10/hooks/added' }];

      const added = await t.http.patch(path).set(bearer(t.adminKey)).send({ channels }).expect(200);
      expect(added.body).toMatchObject({ id: referent.id, channels });
      expectWebhookSecret(added.body.webhookSecret);

      const renamed = await t.http.patch(path).set(bearer(t.adminKey)).send({ displayName: 'Astreinte renommée' }).expect(200);
      expect(renamed.body).toMatchObject({ displayName: 'Astreinte renommée', channels });
      expect(renamed.body).not.toHaveProperty('webhookSecret');

      const moved = await t.http
        .patch(path)
        .set(bearer(t.adminKey))
        .send({ channels: [{ type: 'webhook', url: 'https://203.0.113.10/hooks/moved' }] })
        .expect(200);
      expect(moved.body).not.toHaveProperty('webhookSecret');

      const read = await t.http.get(path).set(bearer(t.adminKey)).expect(200);
      expect(read.body).toMatchObject({ displayName: 'Astreinte renommée', channels: [{ type: 'webhook', url: 'https://203.0.113.10/hooks/moved' }] });
      expect(JSON.stringify(read.body)).not.toContain('whsec_');

      expectInvalid(
        await t.http.patch(path).set(bearer(t.adminKey)).send({ channels: [{ type: 'sms', phone: '+33600000001' }, { type: 'sms', phone: '+33600000002' }] }),
        'channels',
      );
      expectInvalid(await t.http.patch(path).set(bearer(t.adminKey)).send({ role: 'prosecutor' }), 'role');
      expectNotFound(await t.http.patch(`/v1/referents/${randomUUID()}`).set(bearer(t.adminKey)).send({ displayName: 'X' }));
      expect((await t.http.patch('/v1/referents/not-a-uuid').set(bearer(t.adminKey)).send({ displayName: 'X' })).status).toBe(400);
    });

    it('DELETE answers 204; the referent is then gone from GET, PATCH, DELETE and the list', async () => {
      const referent = await createReferent(base);
      const path = `/v1/referents/${referent.id}`;
      const res = await t.http.delete(path).set(bearer(t.adminKey)).expect(204);
      expect(res.text).toBe('');
      expectNotFound(await t.http.get(path).set(bearer(t.adminKey)));
      expectNotFound(await t.http.patch(path).set(bearer(t.adminKey)).send({ displayName: 'X' }));
      expectNotFound(await t.http.delete(path).set(bearer(t.adminKey)));
      const list = await t.http.get('/v1/referents?departmentCode=31&limit=200').set(bearer(t.adminKey)).expect(200);
      expect(list.body.items.map((r: Json) => r.id)).not.toContain(referent.id);
    });

    it('a deleted referent is no longer notified', async () => {
      const foyer = await makeFoyer(t, { departmentCode: '33' });
      const key = (await makeClient(t, { role: 'foyer', foyerIds: [foyer.id] })).key;
      const youth = await makeYouth(t, key, foyer.id);
      const gone = await createReferent({ ...base, departmentCode: '33', displayName: 'Ancien', channels: [{ type: 'webhook', url: hooks.url('/gone33') }] });
      const kept = await createReferent({ ...base, departmentCode: '33', displayName: 'Actuel', channels: [{ type: 'webhook', url: hooks.url('/kept33') }] });
      await t.http.delete(`/v1/referents/${gone.id}`).set(bearer(t.adminKey)).expect(204);

      const fugue = await declareFugue(t, key, youth.id, { indicators: ['SUICIDE_RISK'] });
      const received = await waitFor(() => hookBodies('/kept33').find((h) => h.body.type === 'alert.notification'), { what: 'step 0 to the kept referent' });
      expect(received.body.data).toMatchObject({ fugueId: fugue.id, step: 0 });
      expect(hookBodies('/gone33')).toEqual([]);
      const alert = (await t.http.get(`/v1/alerts/${received.body.data.alertId}`).set(bearer(t.adminKey)).expect(200)).body;
      expect(alert.notifications.map((n: Json) => n.referentId)).toEqual([kept.id]);
    });
  });

  describe('escalation policies', () => {
    const validPolicy = {
      worrying: {
        steps: [
          { afterSeconds: 0, notify: ['police', 'foyer_duty'] },
          { afterSeconds: 600, notify: ['department_duty'] },
        ],
        repeatLastStepEverySeconds: 900,
        maxRepeats: 2,
      },
      routine: { notify: ['foyer_duty'] },
      disclosure: { notify: ['prosecutor'] },
      overdueInterview: { notify: ['child_protection'] },
    };

    it('GET returns the default policy of integrations.md with the coverage gaps, which shrink as referents are added', async () => {
      const first = await getPolicy('75').expect(200);
      expect(first.body).toEqual({
        departmentCode: '75',
        policy: DEFAULT_POLICY,
        isDefault: true,
        updatedAt: null,
        uncoveredRoles: expect.any(Array),
        foyersWithoutDuty: expect.any(Array),
      });
      expect(sorted(first.body.uncoveredRoles)).toEqual(ALL_ROLES);
      expect(sorted(first.body.foyersWithoutDuty)).toEqual(sorted([foyerA.id, foyerB.id]));

      const email = [{ type: 'email', address: 'couverture@vigie.test' }];
      // A referent of another département covers nothing here.
      const elsewhere = await createReferent({ displayName: 'Police 93', role: 'police', departmentCode: '93', channels: email });
      expect(sorted((await getPolicy('75').expect(200)).body.uncoveredRoles)).toEqual(ALL_ROLES);

      const childProtection = await createReferent({ displayName: 'ASE 75', role: 'child_protection', departmentCode: '75', channels: email });
      const duty = await createReferent({ displayName: 'Astreinte A', role: 'foyer_duty', departmentCode: '75', foyerId: foyerA.id, channels: email });
      const covered = (await getPolicy('75').expect(200)).body;
      expect(sorted(covered.uncoveredRoles)).toEqual(['department_duty', 'police', 'prosecutor']);
      expect(covered.foyersWithoutDuty).toEqual([foyerB.id]);

      // A deleted referent covers nothing any more.
      await t.http.delete(`/v1/referents/${childProtection.id}`).set(bearer(t.adminKey)).expect(204);
      await t.http.delete(`/v1/referents/${duty.id}`).set(bearer(t.adminKey)).expect(204);
      await t.http.delete(`/v1/referents/${elsewhere.id}`).set(bearer(t.adminKey)).expect(204);
      const uncovered = (await getPolicy('75').expect(200)).body;
      expect(sorted(uncovered.uncoveredRoles)).toEqual(ALL_ROLES);
      expect(sorted(uncovered.foyersWithoutDuty)).toEqual(sorted([foyerA.id, foyerB.id]));
    });

    it('police and child protection read the policy of their départements; other départements are 404, other roles 403', async () => {
      expect((await getPolicy('75', police75.key).expect(200)).body).toMatchObject({ departmentCode: '75', policy: DEFAULT_POLICY, isDefault: true });
      expect((await getPolicy('75', childProtection75.key).expect(200)).body).toMatchObject({ departmentCode: '75', isDefault: true });
      expectNotFound(await getPolicy('75', police93.key));
      expectNotFound(await getPolicy('93', police75.key));
      expectForbidden(await getPolicy('75', keyA));
      expectForbidden(await getPolicy('75', hotline75.key));
    });

    it('PUT by an administrator replaces the policy of one département; GET then returns it', async () => {
      const put = await putPolicy('69', validPolicy).expect(200);
      expect(put.body).toEqual({
        departmentCode: '69',
        policy: validPolicy,
        isDefault: false,
        updatedAt: expect.stringMatching(UTC_TIMESTAMP),
        uncoveredRoles: expect.any(Array),
        foyersWithoutDuty: [],
      });
      expect(sorted(put.body.uncoveredRoles)).toEqual(ALL_ROLES);
      expect((await getPolicy('69').expect(200)).body).toEqual(put.body);
      expect((await getPolicy('75').expect(200)).body).toMatchObject({ policy: DEFAULT_POLICY, isDefault: true });

      // A policy naming fewer roles reports fewer gaps; omitted groups keep the default recipients.
      const minimal = await putPolicy('69', { worrying: { steps: [{ afterSeconds: 0, notify: ['police'] }] } }).expect(200);
      expect(minimal.body.policy).toEqual({
        worrying: { steps: [{ afterSeconds: 0, notify: ['police'] }], repeatLastStepEverySeconds: null, maxRepeats: 0 },
        routine: DEFAULT_POLICY.routine,
        disclosure: DEFAULT_POLICY.disclosure,
        overdueInterview: DEFAULT_POLICY.overdueInterview,
      });
      expect((await getPolicy('69').expect(200)).body.policy).toEqual(minimal.body.policy);
    });

    const step = (afterSeconds: unknown, notify: unknown = ['police']) => ({ afterSeconds, notify });
    const invalidPolicies: [string, Json, string][] = [
      ['steps not in increasing order', { worrying: { steps: [step(0), step(900), step(600)] } }, 'worrying.steps.2.afterSeconds'],
      ['two steps at the same time', { worrying: { steps: [step(0), step(0)] } }, 'worrying.steps.1.afterSeconds'],
      ['a negative afterSeconds', { worrying: { steps: [step(-1)] } }, 'worrying.steps.0.afterSeconds'],
      ['a fractional afterSeconds', { worrying: { steps: [step(1.5)] } }, 'worrying.steps.0.afterSeconds'],
      ['an unknown role in a step', { worrying: { steps: [step(0, ['police', 'mayor'])] } }, 'worrying.steps.0.notify'],
      ['a step that notifies nobody', { worrying: { steps: [step(0, [])] } }, 'worrying.steps.0.notify'],
      ['an unknown role in routine', { worrying: { steps: [step(0)] }, routine: { notify: ['mayor'] } }, 'routine.notify'],
      ['no step', { worrying: { steps: [] } }, 'worrying.steps'],
      ['no worrying section', { routine: { notify: ['foyer_duty'] } }, 'worrying'],
      ['a negative maxRepeats', { worrying: { steps: [step(0)], maxRepeats: -1 } }, 'worrying.maxRepeats'],
      ['an unknown top-level field', { ...validPolicy, escalateTo: 'prefet' }, 'escalateTo'],
      ['an unknown field in worrying', { worrying: { ...validPolicy.worrying, delaySeconds: 5 } }, 'worrying.delaySeconds'],
      ['an unknown field in a step', { worrying: { steps: [{ ...step(0), channel: 'sms' }] } }, 'worrying.steps.0.channel'],
      ['an unknown field in routine', { worrying: { steps: [step(0)] }, routine: { notify: ['foyer_duty'], channel: 'sms' } }, 'routine.channel'],
    ];
    it.each(invalidPolicies)('PUT refuses %s with 400 and the field in details', async (_name, body, field) => {
      expectInvalid(await putPolicy('75', body), field);
      expect((await getPolicy('75').expect(200)).body.isDefault).toBe(true);
    });

    it('PUT by any role other than admin is 403 and changes nothing', async () => {
      for (const key of [police75.key, childProtection75.key, keyA, hotlineAll.key]) {
        expectForbidden(await putPolicy('75', validPolicy, key));
      }
      expect((await getPolicy('75').expect(200)).body.isDefault).toBe(true);
    });

    it.each(['20', '99', 'abc', '2C', '00'])('an unknown département code (%s) is 404 for GET and PUT', async (code) => {
      expectNotFound(await getPolicy(code));
      expectNotFound(await putPolicy(code, validPolicy));
      expectNotFound(await getPolicy(code, police75.key));
    });
  });

  describe('alerts', () => {
    let police75Referent: Json;
    let fugueA: string;
    let fugueB: string;
    let fugueC: string;
    let alertA: Json;
    let alertB: Json;
    let alertC: Json;
    const pages: string[] = [];

    const alertOf = (fugueId: string): Promise<Json> =>
      waitFor(
        async () => (await t.http.get('/v1/alerts?limit=200').set(bearer(t.adminKey)).expect(200)).body.items.find((a: Json) => a.fugueId === fugueId),
        { what: `the alert of ${fugueId}` },
      );
    const getAlert = (id: string, key = t.adminKey) => t.http.get(`/v1/alerts/${id}`).set(bearer(key));
    /** The step-0 webhook the police referent of 75 got for this alert, its signature checked. */
    const notificationFor = async (alertId: string): Promise<Json> => {
      const { request, body } = await waitFor(
        () => hookBodies('/police75').find((h) => h.body.type === 'alert.notification' && h.body.data.alertId === alertId),
        { what: `the police webhook of alert ${alertId}` },
      );
      new Webhook(police75Referent.webhookSecret).verify(request.rawBody, request.headers as Record<string, string>);
      return body;
    };
    const tokenOf = async (alertId: string): Promise<string> => {
      const ackUrl: string = (await notificationFor(alertId)).data.ackUrl;
      const token = /\/a\/([^/?#]+)$/.exec(new URL(ackUrl).pathname)?.[1];
      if (!token) throw new Error(`no token in ${ackUrl}`);
      return token;
    };
    const worrying = async (key: string, foyerId: string): Promise<string> => {
      const youth = await makeYouth(t, key, foyerId);
      return (await declareFugue(t, key, youth.id, { indicators: ['SUICIDE_RISK'] })).id;
    };
    const ackEvents = async (fugueId: string): Promise<number> =>
      (await t.dataSource.query(`SELECT count(*)::int AS n FROM fugue_events WHERE fugue_id = $1 AND type = 'alert.acknowledged'`, [fugueId]))[0].n;

    beforeAll(async () => {
      police75Referent = await createReferent({
        displayName: 'Brigade des mineurs 75',
        role: 'police',
        departmentCode: '75',
        channels: [{ type: 'webhook', url: hooks.url('/police75') }],
        apiClientId: police75.id,
      });
      [fugueA, fugueB, fugueC] = await Promise.all([worrying(keyA, foyerA.id), worrying(keyB, foyerB.id), worrying(keyC, foyerC.id)]);
      [alertA, alertB, alertC] = await Promise.all([alertOf(fugueA), alertOf(fugueB), alertOf(fugueC)]);
      await Promise.all([notificationFor(alertA.id), notificationFor(alertB.id)]);
    });

    describe('reading', () => {
      it('a foyer sees only the alerts of its own foyers', async () => {
        expect(idsOf(await t.http.get('/v1/alerts').set(bearer(keyA)).expect(200))).toEqual([alertA.id]);
        expect(idsOf(await t.http.get('/v1/alerts').set(bearer(keyC)).expect(200))).toEqual([alertC.id]);
        await getAlert(alertA.id, keyA).expect(200);
        expectNotFound(await getAlert(alertB.id, keyA));
        expectNotFound(await getAlert(alertC.id, keyA));
      });

      it('police and child protection see the alerts of their départements only', async () => {
        expect(idsOf(await t.http.get('/v1/alerts').set(bearer(police75.key)).expect(200))).toEqual(sorted([alertA.id, alertB.id]));
        expect(idsOf(await t.http.get('/v1/alerts').set(bearer(childProtection75.key)).expect(200))).toEqual(sorted([alertA.id, alertB.id]));
        expect(idsOf(await t.http.get('/v1/alerts').set(bearer(police93.key)).expect(200))).toEqual([alertC.id]);
        expectNotFound(await getAlert(alertC.id, police75.key));
        expectNotFound(await getAlert(alertA.id, police93.key));
        await getAlert(alertC.id, police93.key).expect(200);
      });

      it('the hotline sees the alerts of its départements, or all of them when it has none', async () => {
        expect(idsOf(await t.http.get('/v1/alerts').set(bearer(hotline75.key)).expect(200))).toEqual(sorted([alertA.id, alertB.id]));
        expectNotFound(await getAlert(alertC.id, hotline75.key));
        const all = idsOf(await t.http.get('/v1/alerts?limit=200').set(bearer(hotlineAll.key)).expect(200));
        expect(all).toEqual(expect.arrayContaining([alertA.id, alertB.id, alertC.id]));
        await getAlert(alertC.id, hotlineAll.key).expect(200);
      });

      it('filters by département within the caller’s scope, never beyond it', async () => {
        expect(idsOf(await t.http.get('/v1/alerts?departmentCode=93').set(bearer(t.adminKey)).expect(200))).toEqual([alertC.id]);
        expect(idsOf(await t.http.get('/v1/alerts?departmentCode=75').set(bearer(police75.key)).expect(200))).toEqual(sorted([alertA.id, alertB.id]));
        expect((await t.http.get('/v1/alerts?departmentCode=93').set(bearer(police75.key)).expect(200)).body).toEqual({ items: [], nextCursor: null });
      });

      it('pages with limit and cursor, newest first', async () => {
        const first = await t.http.get('/v1/alerts?limit=1').set(bearer(police75.key)).expect(200);
        expect(first.body.items).toHaveLength(1);
        expect(first.body.nextCursor).toEqual(expect.any(String));
        const second = await t.http.get(`/v1/alerts?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`).set(bearer(police75.key)).expect(200);
        expect(second.body.items).toHaveLength(1);
        expect(second.body.nextCursor).toBeNull();
        const [newer, older] = [first.body.items[0], second.body.items[0]];
        expect(sorted([newer.id, older.id])).toEqual(sorted([alertA.id, alertB.id]));
        expect(new Date(newer.openedAt).getTime()).toBeGreaterThanOrEqual(new Date(older.openedAt).getTime());
      });

      it('rejects a malformed id or filter with 400 and answers 404 for an unknown id', async () => {
        const malformed = await t.http.get('/v1/alerts/not-a-uuid').set(bearer(t.adminKey));
        expect(malformed.status).toBe(400);
        expect(malformed.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
        expectNotFound(await getAlert(randomUUID()));
        expectInvalid(await t.http.get('/v1/alerts?state=closed').set(bearer(t.adminKey)), 'state');
        expectInvalid(await t.http.get('/v1/alerts?departmentCode=abc').set(bearer(t.adminKey)), 'departmentCode');
        expect((await t.http.get('/v1/alerts')).status).toBe(401);
      });

      it('has the shape of api.md, with every notification’s status and attempts', async () => {
        const body = await waitFor(
          async () => {
            const b = (await getAlert(alertA.id, keyA).expect(200)).body;
            return b.notifications.length > 0 && b.notifications.every((n: Json) => n.status === 'sent') ? b : null;
          },
          { what: 'the step-0 notification to be sent' },
        );
        expect(body).toMatchObject({
          id: alertA.id,
          fugueId: fugueA,
          state: 'open',
          openedAt: expect.stringMatching(UTC_TIMESTAMP),
          acknowledgedAt: null,
          acknowledgedBy: null,
          resolvedAt: null,
          currentStep: 0,
        });
        expect(body.notifications).toEqual([
          expect.objectContaining({
            id: expect.stringMatching(UUID),
            referentId: police75Referent.id,
            channel: 'webhook',
            step: 0,
            status: 'sent',
            attempts: 1,
            sentAt: expect.stringMatching(UTC_TIMESTAMP),
            lastError: null,
          }),
        ]);
        expect(new Date(body.notifications[0].sentAt).getTime()).toBeGreaterThanOrEqual(new Date(body.openedAt).getTime());
        expect(JSON.stringify(body)).not.toMatch(/Testprenom|Testnom/);
      });

      it('filters by state; acknowledging through the API is idempotent and names the referent of the caller', async () => {
        const acknowledged = await t.http.post(`/v1/alerts/${alertB.id}/acknowledge`).set(bearer(police75.key)).send({ note: 'Patrouille envoyée' }).expect(200);
        expect(acknowledged.body).toMatchObject({
          id: alertB.id,
          state: 'acknowledged',
          acknowledgedAt: expect.stringMatching(UTC_TIMESTAMP),
          acknowledgedBy: { referentId: police75Referent.id, apiClientId: police75.id, via: 'api' },
        });
        const again = await t.http.post(`/v1/alerts/${alertB.id}/acknowledge`).set(bearer(police75.key)).send({}).expect(200);
        expect(again.body.acknowledgedAt).toBe(acknowledged.body.acknowledgedAt);
        expect(await ackEvents(fugueB)).toBe(1);

        const byState = async (state: string) => idsOf(await t.http.get(`/v1/alerts?state=${state}`).set(bearer(police75.key)).expect(200));
        expect(await byState('open')).toEqual([alertA.id]);
        expect(await byState('acknowledged')).toEqual([alertB.id]);
        expect(await byState('resolved')).toEqual([]);
        expect(idsOf(await t.http.get('/v1/alerts?state=open&departmentCode=93').set(bearer(t.adminKey)).expect(200))).toEqual([alertC.id]);
      });
    });

    describe('signed acknowledgement links', () => {
      it('GET and HEAD show a confirmation page and never acknowledge', async () => {
        const token = await tokenOf(alertA.id);
        for (let i = 0; i < 3; i += 1) {
          const page = await t.http.get(`/a/${token}`).expect(200);
          expect(page.headers['content-type']).toMatch(/^text\/html/);
          expect(page.headers['cache-control']).toBe('no-store');
          expect(page.text).toContain('<form method="post"');
          pages.push(page.text);
        }
        await t.http.head(`/a/${token}`).expect(200);
        const alert = (await getAlert(alertA.id).expect(200)).body;
        expect(alert).toMatchObject({ state: 'open', acknowledgedAt: null, acknowledgedBy: null });
        expect(await ackEvents(fugueA)).toBe(0);
      });

      it('POST acknowledges once; a second POST answers 200 and changes nothing', async () => {
        const token = await tokenOf(alertA.id);
        const first = await t.http.post(`/a/${token}`).expect(200);
        expect(first.headers['content-type']).toMatch(/^text\/html/);
        pages.push(first.text);
        const acknowledged = (await getAlert(alertA.id).expect(200)).body;
        expect(acknowledged).toMatchObject({
          state: 'acknowledged',
          acknowledgedAt: expect.stringMatching(UTC_TIMESTAMP),
          acknowledgedBy: { referentId: police75Referent.id, apiClientId: null, via: 'link' },
        });

        const second = await t.http.post(`/a/${token}`).expect(200);
        pages.push(second.text);
        expect((await getAlert(alertA.id).expect(200)).body.acknowledgedAt).toBe(acknowledged.acknowledgedAt);
        expect(await ackEvents(fugueA)).toBe(1);
      });

      it('a tampered, moved or random token shows a 404 page', async () => {
        const tokenA = await tokenOf(alertA.id);
        const tokenB = await tokenOf(alertB.id);
        const [claimsA, macA] = tokenA.split('.');
        const [, macB] = tokenB.split('.');
        // Packed claims: a version byte, the alert id, the referent id, the expiry. Moved to alert C, unsigned.
        const claims = Buffer.from(claimsA, 'base64url');
        expect(claims.subarray(1, 17).toString('hex')).toBe(alertA.id.replace(/-/g, ''));
        Buffer.from(alertC.id.replace(/-/g, ''), 'hex').copy(claims, 1);
        const forged = claims.toString('base64url');
        const bad = [
          `${claimsA}.${macA[0] === 'A' ? 'B' : 'A'}${macA.slice(1)}`,
          `${claimsA}.${macB}`,
          `${forged}.${macA}`,
          `${claimsA}x.${macA}`,
          'bm90LWEtdG9rZW4.bm90LWEtbWFj',
          randomUUID(),
        ];
        for (const token of bad) {
          for (const method of ['get', 'post'] as const) {
            const res = await t.http[method](`/a/${token}`);
            expect({ token, method, status: res.status }).toEqual({ token, method, status: 404 });
            expect(res.headers['content-type']).toMatch(/^text\/html/);
            expect(res.text).not.toContain('<form');
            pages.push(res.text);
          }
        }
        expect((await getAlert(alertC.id).expect(200)).body.state).toBe('open');
      });
    });

    describe('the end of the episode resolves its alert', () => {
      let fugueCancelled: string;
      let fugueLocated: string;
      let fugueReturned: string;
      const alerts: Record<string, Json> = {};

      beforeAll(async () => {
        [fugueCancelled, fugueLocated, fugueReturned] = await Promise.all([worrying(keyA, foyerA.id), worrying(keyA, foyerA.id), worrying(keyA, foyerA.id)]);
        for (const fugueId of [fugueCancelled, fugueLocated, fugueReturned]) {
          alerts[fugueId] = await alertOf(fugueId);
          await notificationFor(alerts[fugueId].id);
        }
      });

      /** The alert.resolved webhook the police referent got, once it got it. */
      const resolvedWebhook = (alertId: string) =>
        waitFor(() => hookBodies('/police75').find((h) => h.body.type === 'alert.resolved' && h.body.data.alertId === alertId), {
          what: `alert.resolved for ${alertId}`,
        });

      it('cancelling: resolution "cancelled", and the referent already notified is told', async () => {
        const alertId = alerts[fugueCancelled].id;
        await t.http.post(`/v1/fugues/${fugueCancelled}/cancel`).set(bearer(keyA)).send({ reason: 'Erreur de saisie' }).expect(200);
        const alert = (await getAlert(alertId, keyA).expect(200)).body;
        expect(alert).toMatchObject({ state: 'resolved', resolution: 'cancelled', resolvedAt: expect.stringMatching(UTC_TIMESTAMP), acknowledgedAt: null });
        expect((await resolvedWebhook(alertId)).body.data).toEqual({ alertId, fugueId: fugueCancelled, resolution: 'cancelled', episodeUrl: expect.stringMatching(new RegExp(`/episodes/${fugueCancelled}$`)) });
      });

      it('a link to an alert already resolved shows a 409 page and acknowledges nothing', async () => {
        const alertId = alerts[fugueCancelled].id;
        const token = await tokenOf(alertId);
        const res = await t.http.post(`/a/${token}`).expect(409);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(res.text).not.toContain('<form');
        pages.push(res.text);
        expect((await getAlert(alertId).expect(200)).body).toMatchObject({ state: 'resolved', resolution: 'cancelled', acknowledgedAt: null });
        expect(await ackEvents(fugueCancelled)).toBe(0);
      });

      it('marking located: resolution "located"', async () => {
        const alertId = alerts[fugueLocated].id;
        await t.http.post(`/v1/fugues/${fugueLocated}/located`).set(bearer(police75.key)).send({ at: testNow().toISOString() }).expect(200);
        expect((await getAlert(alertId).expect(200)).body).toMatchObject({ state: 'resolved', resolution: 'located' });
        expect((await resolvedWebhook(alertId)).body.data.resolution).toBe('located');
      });

      it('returning resolves it ("returned"); closing afterwards leaves that resolution as it was', async () => {
        const alertId = alerts[fugueReturned].id;
        await t.http.post(`/v1/fugues/${fugueReturned}/return`).set(bearer(keyA)).send({ returnedAt: testNow().toISOString(), foundBy: 'self' }).expect(200);
        const resolved = (await getAlert(alertId).expect(200)).body;
        expect(resolved).toMatchObject({ state: 'resolved', resolution: 'returned', resolvedAt: expect.stringMatching(UTC_TIMESTAMP) });
        await t.http.post(`/v1/fugues/${fugueReturned}/close`).set(bearer(keyA)).send({ reason: 'Entretien fait' }).expect(200);
        expect((await getAlert(alertId).expect(200)).body).toMatchObject({ state: 'resolved', resolution: 'returned', resolvedAt: resolved.resolvedAt });
        await resolvedWebhook(alertId);
        expect(hookBodies('/police75').filter((h) => h.body.type === 'alert.resolved' && h.body.data.alertId === alertId)).toHaveLength(1);
      });

      it('an acknowledged alert is resolved too when its episode is cancelled', async () => {
        await t.http.post(`/v1/fugues/${fugueB}/cancel`).set(bearer(keyB)).send({ reason: 'Retour signalé par téléphone' }).expect(200);
        expect((await getAlert(alertB.id).expect(200)).body).toMatchObject({ state: 'resolved', resolution: 'cancelled', acknowledgedBy: { via: 'api' } });
        const resolved = idsOf(await t.http.get('/v1/alerts?state=resolved').set(bearer(police75.key)).expect(200));
        expect(resolved).toEqual(sorted([alertB.id, alerts[fugueCancelled].id, alerts[fugueLocated].id, alerts[fugueReturned].id]));
      });
    });

    it('no page a link shows names the youth', () => {
      expect(pages.length).toBeGreaterThanOrEqual(18);
      for (const html of pages) {
        expect(html).not.toContain(TEST_IDENTITY.firstName);
        expect(html).not.toContain(TEST_IDENTITY.lastName);
      }
    });
  });
});
