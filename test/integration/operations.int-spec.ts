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
});
