import { ApiClientService } from '@vigie/domain';
import { bearer, createTestDatabase, PrivateRedis, startTestApp, TestApp, TestDatabase, waitFor } from '@vigie/testing';
import { CLEAR_ADDRESS_TRUST_MS } from '../../apps/api/src/http/auth-failure.limiter';

/**
 * Rate limits at the HTTP edge: failed authentications are throttled per client address before
 * any key is looked up; the counters live in Redis, shared by every API process, and in memory
 * while Redis is down; health checks and metrics are never limited.
 */

type Res = { status: number; headers: Record<string, string>; body: Record<string, unknown> };

function expectRateLimited(res: Res): void {
  expect({ status: res.status, code: res.body.code }).toEqual({ status: 429, code: 'RATE_LIMITED' });
  expect(res.body).toEqual({ statusCode: 429, code: 'RATE_LIMITED', message: expect.any(String), correlationId: expect.any(String) });
  expect(res.headers['retry-after']).toMatch(/^[1-9]\d*$/);
  expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
}

const BAD_KEY = (n: number) => `vig_not_a_key_${String(n).padStart(4, '0')}_0123456789`;

describe('failed authentications are throttled per address, before the key lookup', () => {
  let t: TestApp;
  let lookups: jest.SpyInstance;

  beforeAll(async () => {
    t = await startTestApp({ worker: false, env: { VIGIE_AUTH_FAILURES_PER_MINUTE: '10' } });
    lookups = jest.spyOn(t.app.get(ApiClientService), 'authenticate');
  });
  afterAll(() => t?.close());

  it('answers 60 bad keys with 10 × 401 then 429 with Retry-After, looking up no key once the address is blocked', async () => {
    lookups.mockClear();
    const statuses: number[] = [];
    let last: Res | undefined;
    for (let n = 0; n < 60; n += 1) {
      last = (await t.http.get('/v1/fugues').set(bearer(BAD_KEY(n)))) as unknown as Res;
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(50).fill(429));
    expectRateLimited(last!);
    expect(lookups).toHaveBeenCalledTimes(10);

    // A good key from a blocked address waits too: the lookup is what is protected.
    lookups.mockClear();
    expectRateLimited((await t.http.get('/v1/departments').set(bearer(t.adminKey))) as unknown as Res);
    expect(lookups).not.toHaveBeenCalled();
  });

  it('throttles /admin/queues the same way, and another address is not blocked', async () => {
    const other = await startTestApp({ worker: false, env: { VIGIE_AUTH_FAILURES_PER_MINUTE: '3' } });
    try {
      const basic = (key: string) => `Basic ${Buffer.from(`admin:${key}`).toString('base64')}`;
      const statuses: number[] = [];
      for (let n = 0; n < 8; n += 1) statuses.push((await other.http.get('/admin/queues').set('Authorization', basic(BAD_KEY(n)))).status);
      expect(statuses).toEqual([401, 401, 401, 429, 429, 429, 429, 429]);
      expectRateLimited((await other.http.get('/admin/queues/api/queues').set(bearer(other.adminKey))) as unknown as Res);
      // The counter is per address: the same requests through a trusted proxy for another client pass.
      await other.http.get('/admin/queues/api/queues').set(bearer(other.adminKey)).set('X-Forwarded-For', '198.51.100.7').expect(200);
      await other.http.get('/v1/departments').set(bearer(other.adminKey)).set('X-Forwarded-For', '198.51.100.7').expect(200);
    } finally {
      await other.close();
    }
  });
});

/** Two API processes on one database and one Redis, the second knowing the first's admin key. */
function twoApiProcesses(env: Record<string, string>): { a: () => TestApp; b: () => TestApp } {
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    database = await createTestDatabase();
    a = await startTestApp({ worker: false, database, env });
    b = await startTestApp({ worker: false, database, env: { ...env, VIGIE_BOOTSTRAP_ADMIN_KEY: a.adminKey } });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await database?.drop();
  });
  return { a: () => a, b: () => b };
}

describe('the limiter counters are shared by every API process through Redis', () => {
  const apps = twoApiProcesses({ VIGIE_RATE_LIMIT_PER_MINUTE: '6', VIGIE_AUTH_FAILURES_PER_MINUTE: '4' });
  let a: TestApp;
  let b: TestApp;
  beforeAll(() => {
    ({ a, b } = { a: apps.a(), b: apps.b() });
  });

  it('counts the requests of one key on both processes together', async () => {
    const statuses: number[] = [];
    for (let n = 0; n < 6; n += 1) statuses.push((await (n % 2 ? b : a).http.get('/v1/departments').set(bearer(a.adminKey))).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    expectRateLimited((await a.http.get('/v1/departments').set(bearer(a.adminKey))) as unknown as Res);
    expectRateLimited((await b.http.get('/v1/departments').set(bearer(a.adminKey))) as unknown as Res);
  });

  it('counts the failed authentications of one address on both processes together', async () => {
    const statuses: number[] = [];
    for (let n = 0; n < 6; n += 1) statuses.push((await (n % 2 ? b : a).http.get('/v1/fugues').set('X-Forwarded-For', '203.0.113.9').set(bearer(BAD_KEY(n)))).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
  });
});

describe('an address blocked through one API process', () => {
  const apps = twoApiProcesses({ VIGIE_AUTH_FAILURES_PER_MINUTE: '4' });
  let a: TestApp;
  let b: TestApp;
  beforeAll(() => {
    ({ a, b } = { a: apps.a(), b: apps.b() });
  });

  it('refuses an address on the other process within a second of its block, a good key included', async () => {
    const address = '203.0.113.10';
    const good = () => b.http.get('/v1/departments').set('X-Forwarded-For', address).set(bearer(a.adminKey));
    // b has checked the address and found it clear: it trusts that for CLEAR_ADDRESS_TRUST_MS.
    expect((await good()).status).toBe(200);
    const statuses: number[] = [];
    for (let n = 0; n < 5; n += 1) statuses.push((await a.http.get('/v1/fugues').set('X-Forwarded-For', address).set(bearer(BAD_KEY(n)))).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    // The bound is the trust window plus slack for a loaded machine, never "for ever".
    await waitFor(async () => (await good()).status === 429, { timeoutMs: CLEAR_ADDRESS_TRUST_MS + 4_000, intervalMs: 100, what: 'the other process to refuse the blocked address' });
  });
});

describe('while Redis is down, the limits hold in memory', () => {
  let redis: PrivateRedis;
  let t: TestApp;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    t = await startTestApp({ worker: false, env: { REDIS_URL: redis.url, VIGIE_RATE_LIMIT_PER_MINUTE: '5', VIGIE_AUTH_FAILURES_PER_MINUTE: '3' } });
    await redis.stop();
  });
  afterAll(async () => {
    // Closing waits for the queue connections: give them their Redis back first.
    await redis?.start();
    await t?.close();
    await redis?.dispose();
  });

  it('limits one key per minute and failed authentications per address, with no 500', async () => {
    const statuses: number[] = [];
    for (let n = 0; n < 5; n += 1) statuses.push((await t.http.get('/v1/departments').set(bearer(t.adminKey))).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    expectRateLimited((await t.http.get('/v1/departments').set(bearer(t.adminKey))) as unknown as Res);

    const failures: number[] = [];
    for (let n = 0; n < 5; n += 1) failures.push((await t.http.get('/v1/fugues').set('X-Forwarded-For', '192.0.2.44').set(bearer(BAD_KEY(n)))).status);
    expect(failures).toEqual([401, 401, 401, 429, 429]);
  });
});

describe('health checks and metrics are never rate-limited', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ worker: false, env: { VIGIE_RATE_LIMIT_PER_MINUTE: '5', VIGIE_AUTH_FAILURES_PER_MINUTE: '2' } });
  });
  afterAll(() => t?.close());

  it('answers 200 calls to /health/live, then /health/ready and /metrics, none with 429', async () => {
    const statuses = new Set<number>();
    for (let n = 0; n < 200; n += 1) statuses.add((await t.http.get('/health/live')).status);
    expect([...statuses]).toEqual([200]);
    const ready = await t.http.get('/health/ready');
    expect(ready.status).toBe(200);
    for (let n = 0; n < 20; n += 1) expect((await t.http.get('/metrics')).status).toBe(200);
    // The limits still apply elsewhere: the 6th request of the address is refused.
    const others: number[] = [];
    for (let n = 0; n < 6; n += 1) others.push((await t.http.get('/v1/departments').set(bearer(t.adminKey))).status);
    expect(others).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('answers health checks and metrics from an address blocked for failed authentications', async () => {
    for (let n = 0; n < 3; n += 1) await t.http.get('/v1/fugues').set(bearer(BAD_KEY(n)));
    expect((await t.http.get('/v1/fugues').set(bearer(BAD_KEY(9)))).status).toBe(429);
    await t.http.get('/health/live').expect(200);
    await t.http.get('/health/ready').expect(200);
    await t.http.get('/metrics').expect(200);
  });
});
