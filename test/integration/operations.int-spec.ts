import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import {
  buildService,
  createTestDatabase,
  declareFugue,
  freePort,
  killServices,
  makeFoyerWithYouth,
  PrivatePostgres,
  PrivateRedis,
  startService,
  TestApp,
  TestDatabase,
  testEnv,
  waitFor,
} from '@vigie/testing';

/**
 * What a platform team sees of the API and the worker run as separate processes: request logs,
 * Prometheus metrics that promtool accepts, health probes that say whether each process can do
 * its job, and a shutdown that lets the load balancer notice before connections are refused.
 */

const run = promisify(execFile);

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; json(): any }> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) };
}

/** `promtool check metrics` on a scrape; returns its complaints (empty when it passes). */
async function promtool(exposition: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-promtool-'));
  try {
    writeFileSync(join(dir, 'metrics.txt'), exposition);
    const { stdout, stderr } = await run('sh', ['-c', `promtool check metrics < ${join(dir, 'metrics.txt')}`]).catch(
      (error: { stdout: string; stderr: string }) => ({ stdout: error.stdout, stderr: `${error.stderr}\n(promtool failed)` }),
    );
    return `${stdout}${stderr}`.trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A TestApp-shaped handle on a spawned API, for the factories. */
function remote(url: string, adminKey: string): TestApp {
  return { http: request(url), adminKey } as unknown as TestApp;
}

beforeAll(() => buildService(), 180_000);
afterEach(() => killServices());

describe('the API and the worker as separate processes', () => {
  let database: TestDatabase;
  let redis: PrivateRedis;
  let env: Record<string, string>;
  let api: string;
  let worker: string;
  let redisStopped = false;

  beforeAll(async () => {
    [database, redis] = await Promise.all([createTestDatabase(), PrivateRedis.start()]);
  });
  afterAll(async () => {
    await redis?.dispose();
    await database?.drop();
  });
  beforeEach(async () => {
    if (redisStopped) await redis.start();
    redisStopped = false;
    const [apiPort, workerPort] = [await freePort(), await freePort()];
    env = testEnv(database, { REDIS_URL: redis.url, PORT: String(apiPort), WORKER_PORT: String(workerPort), LOG_LEVEL: 'debug' });
    api = `http://127.0.0.1:${apiPort}`;
    worker = `http://127.0.0.1:${workerPort}`;
  });

  it('logs route patterns, never tokens or query strings, with level names by status', async () => {
    const service = startService('api', env);
    await waitFor(async () => (await get(`${api}/health/ready`)).status === 200, { timeoutMs: 30000, what: 'the API to be ready' });

    const token = 'eyJ2IjoxLCJhIjoiZmljdGl0aW91cyJ9.Zm9yZ2VkLXNpZ25hdHVyZS1vbmx5';
    expect((await get(`${api}/a/${token}`)).status).toBe(404);
    expect((await fetch(`${api}/a/${token}`, { method: 'POST' })).status).toBe(404);
    expect((await get(`${api}/v1/fugues?status=open&cursor=QUERYSECRET123`, { Authorization: 'Bearer vig_not_a_real_key_000000' })).status).toBe(401);
    const missing = await get(`${api}/v1/fugues/00000000-0000-4000-8000-000000000000`, { Authorization: `Bearer ${env.VIGIE_BOOTSTRAP_ADMIN_KEY}` });
    expect(missing.status).toBe(404);
    const clientErrors = () => service.logs().filter((line) => ((line.res as { statusCode?: number } | undefined)?.statusCode ?? 0) >= 400);
    await waitFor(() => clientErrors().length >= 4, { what: 'the log lines of the four refused requests' });

    const out = service.stdout();
    expect(out).not.toContain(token);
    expect(out).not.toContain('eyJ2');
    expect(out).not.toContain('QUERYSECRET123');
    expect(out).not.toContain('status=open');
    expect(out).not.toContain(env.VIGIE_BOOTSTRAP_ADMIN_KEY);

    const logs = service.logs();
    for (const line of logs) expect(typeof line.level).toBe('string');
    const requests = logs.filter((line) => line.req);
    const byRoute = (route: string) => requests.filter((line) => line.route === route);
    expect(byRoute('/a/:token').map((line) => [line.level, (line.req as { method: string }).method, (line.res as { statusCode: number }).statusCode])).toEqual([
      ['info', 'GET', 404],
      ['info', 'POST', 404],
    ]);
    expect(byRoute('/v1/fugues')).toEqual([expect.objectContaining({ level: 'info', code: 'UNAUTHENTICATED', res: { statusCode: 401 } })]);
    expect(byRoute('/v1/fugues/:id')).toEqual([expect.objectContaining({ level: 'info', code: 'NOT_FOUND', res: { statusCode: 404 } })]);
    const probes = byRoute('/health/ready');
    expect(probes.length).toBeGreaterThan(0);
    for (const probe of probes) expect(probe.level).toBe('debug');
    // Nest's route table is for debugging, not for a person starting the service.
    const mappings = logs.filter((line) => /Mapped \{/.test(line.msg));
    expect(mappings.length).toBeGreaterThan(10);
    for (const line of mappings) expect(line.level).toBe('debug');
  }, 60_000);

  it('serves prom-client and triage metrics from both processes, under standard names that promtool accepts', async () => {
    const apiProcess = startService('api', env);
    const workerProcess = startService('worker', env);
    await waitFor(async () => (await get(`${api}/health/ready`)).status === 200, { timeoutMs: 30000, what: 'the API to be ready' });
    await waitFor(async () => (await get(`${worker}/health/ready`)).status === 200, { timeoutMs: 30000, what: 'the worker to be ready on WORKER_PORT' });
    expect((await get(`${worker}/health/live`)).json()).toEqual({ status: 'ok' });

    const { foyerKey, youthId } = await makeFoyerWithYouth(remote(api, env.VIGIE_BOOTSTRAP_ADMIN_KEY));
    await declareFugue(remote(api, env.VIGIE_BOOTSTRAP_ADMIN_KEY), foyerKey, youthId);
    const workerMetrics = await waitFor(
      async () => {
        const text = (await get(`${worker}/metrics`)).text;
        return /^vigie_classifications_total\{level="\w+"\} 1$/m.test(text) ? text : null;
      },
      { timeoutMs: 20000, what: 'the worker to count the classification' },
    );
    expect(workerMetrics).toMatch(/^vigie_triage_latency_seconds_count\{cause="declared"\} 1$/m);
    const apiMetrics = (await get(`${api}/metrics`)).text;
    expect(apiMetrics).toMatch(/^vigie_http_requests_total\{/m);

    for (const scrape of [apiMetrics, workerMetrics]) {
      expect(await promtool(scrape)).toBe('');
      expect(scrape).toMatch(/^process_cpu_seconds_total \S+$/m);
      expect(scrape).toMatch(/^process_resident_memory_bytes \S+$/m);
      expect(scrape).toMatch(/^nodejs_heap_size_used_bytes \S+$/m);
      expect(scrape).not.toMatch(/^vigie_(process|nodejs)_/m);
      const gauges = [...scrape.matchAll(/^# TYPE (\S+) gauge$/gm)].map((m) => m[1]);
      expect(gauges.filter((name) => name.endsWith('_total'))).toEqual([]);
    }
    await Promise.all([apiProcess.stop(), workerProcess.stop()]);
  }, 90_000);

  it('stays ready while Redis is down, says so in the body, and reports no stale queue depths', async () => {
    startService('api', env);
    startService('worker', env);
    await waitFor(async () => (await get(`${api}/health/ready`)).status === 200, { timeoutMs: 30000, what: 'the API to be ready' });
    await waitFor(async () => (await get(`${worker}/health/ready`)).status === 200, { timeoutMs: 30000, what: 'the worker to be ready' });
    expect((await get(`${api}/metrics`)).text).toMatch(/^vigie_queue_jobs\{queue="triage",state="waiting"\} 0$/m);

    await redis.stop();
    redisStopped = true;
    const ready = await waitFor(
      async () => {
        const res = await get(`${api}/health/ready`);
        return res.json().details?.redis?.status !== 'up' ? res : null;
      },
      { timeoutMs: 10000, what: 'the API to notice Redis is down' },
    );
    expect(ready.status).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ok', details: { database: { status: 'up' }, redis: { status: 'degraded' } } });
    expect(ready.json().details.redis.message).toMatch(/declarations are kept/);
    expect((await get(`${worker}/health/ready`)).status).toBe(200);

    const metrics = (await get(`${api}/metrics`)).text;
    expect(metrics).toMatch(/^vigie_outbox_lag_seconds \S+$/m);
    expect(metrics).not.toMatch(/^vigie_queue_jobs\{/m);
  }, 90_000);

  it('on SIGTERM answers 503 on readiness for the grace period, still serving, then exits 0', async () => {
    const apiProcess = startService('api', { ...env, VIGIE_SHUTDOWN_GRACE_MS: '2000' });
    await waitFor(async () => (await get(`${api}/health/ready`)).status === 200, { timeoutMs: 30000, what: 'the API to be ready' });

    const sentAt = Date.now();
    apiProcess.child.kill('SIGTERM');
    const draining = await waitFor(
      async () => {
        const res = await get(`${api}/health/ready`);
        return res.status === 503 ? res : null;
      },
      { timeoutMs: 1500, intervalMs: 20, what: 'readiness to fail during the grace period' },
    );
    expect(draining.json()).toMatchObject({ statusCode: 503, code: 'DEPENDENCY_UNAVAILABLE' });
    expect((await get(`${api}/health/live`)).status).toBe(200);
    expect((await get(`${api}/v1/departments`, { Authorization: `Bearer ${env.VIGIE_BOOTSTRAP_ADMIN_KEY}` })).status).toBe(200);

    const exit = await apiProcess.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(2000);
    expect(apiProcess.logs().some((line) => line.level === 'info' && /stopping in 2000 ms/.test(line.msg))).toBe(true);
  }, 60_000);

  it("writes the worker's log lines with the ids as fields and the correlation id of the request that caused the job", async () => {
    startService('api', env);
    const workerProcess = startService('worker', { ...env, LOG_LEVEL: 'info' });
    await waitFor(async () => (await get(`${api}/health/ready`)).status === 200, { timeoutMs: 30000, what: 'the API to be ready' });
    const t = remote(api, env.VIGIE_BOOTSTRAP_ADMIN_KEY);
    const { foyerKey, youthId } = await makeFoyerWithYouth(t);
    const declared = await t.http
      .post('/v1/fugues')
      .set({ Authorization: `Bearer ${foyerKey}` })
      .send({ youthId, noticedMissingAt: new Date(Date.now() - 60_000).toISOString() })
      .expect(201);
    const correlationId = declared.headers['x-correlation-id'] as string;
    expect(correlationId).toMatch(/^[0-9a-f-]{36}$/);

    const line = await waitFor(() => workerProcess.logs().find((l) => l.fugueId === declared.body.id && l.msg === 'Fugue triaged'), {
      timeoutMs: 20000,
      what: "the worker's triage log line",
    });
    expect(line).toMatchObject({ level: 'info', fugueId: declared.body.id, cause: 'declared', correlationId, outboxId: expect.any(String) });
    expect(line.classificationLevel).toMatch(/^(routine|worrying)$/);
    expect(workerProcess.stdout()).not.toContain('Testprenom');
    expect(workerProcess.stdout()).not.toContain('Testnom');
  }, 60_000);

  it("answers the worker's readiness from PostgreSQL: 503 while it is down, 200 when it is back", async () => {
    const postgres = await PrivatePostgres.start();
    try {
      const workerProcess = startService('worker', { ...env, DATABASE_URL: postgres.url('vigie_worker_probe') });
      await waitFor(async () => (await get(`${worker}/health/ready`)).status === 200, { timeoutMs: 30000, what: 'the worker to be ready' });
      expect((await get(`${worker}/metrics`)).text).toMatch(/^vigie_attention\{kind="dead_letter_notifications"\} 0$/m);

      postgres.stop();
      const down = await waitFor(
        async () => {
          const res = await get(`${worker}/health/ready`);
          return res.status === 503 ? res : null;
        },
        { timeoutMs: 10000, what: 'the worker to be unready without PostgreSQL' },
      );
      expect(down.json()).toMatchObject({ status: 'error', details: { database: { status: 'down' } } });
      expect((await get(`${worker}/health/live`)).status).toBe(200);
      // Gauges read from PostgreSQL report no value rather than the last one.
      const metrics = (await get(`${worker}/metrics`)).text;
      // prom-client spells it Nan; Prometheus and promtool read it as NaN.
      expect(metrics).toMatch(/^vigie_outbox_lag_seconds Nan$/im);
      expect(metrics).not.toMatch(/^vigie_attention\{/m);
      expect(await promtool(metrics)).toBe('');

      postgres.start();
      await waitFor(async () => (await get(`${worker}/health/ready`)).status === 200, { timeoutMs: 20000, what: 'the worker to be ready again' });
      expect(workerProcess.stdout()).not.toContain('postgres://');
    } finally {
      await killServices();
      postgres.dispose();
    }
  }, 90_000);
});
