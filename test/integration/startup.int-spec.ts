import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readdirSync as listDirectory, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import {
  createTestDatabase,
  declareFugue,
  freePort,
  killServices,
  LogLine,
  makeFoyerWithYouth,
  startService,
  TestApp,
  TestDatabase,
  testEnv,
  waitFor,
} from '@vigie/testing';

/**
 * The real entry points, as `npm start`, `npm run start:api` and `npm run start:worker` run them:
 * configuration checked before anything starts, migrations applied, health and documentation
 * served, and a clean stop on SIGTERM.
 */

const ROOT = join(__dirname, '..', '..');
/** `migrations/1764288000000-Foundation.ts` is recorded as `Foundation1764288000000`, in file order. */
const MIGRATIONS = readdirSync(join(ROOT, 'migrations'))
  .filter((file) => file.endsWith('.ts'))
  .sort()
  .map((file) => {
    const [, timestamp, name] = /^(\d+)-(\w+)\.ts$/.exec(file)!;
    return `${name}${timestamp}`;
  });

const ENTRY = {
  standalone: 'dist/apps/standalone/src/main.js',
  api: 'dist/apps/api/src/main.js',
  worker: 'dist/apps/worker/src/main.js',
};

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  afterMs: number;
}

interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<Exit>;
}

const running: Running[] = [];

/** Starts an entry point with exactly these variables (and PATH): nothing leaks in from the test process. */
function start(entry: string, env: Record<string, string>): Running {
  const startedAt = Date.now();
  const child = spawn(process.execPath, [entry], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, afterMs: Date.now() - startedAt })));
  const process_ = { child, stdout: () => Buffer.concat(out).toString(), stderr: () => Buffer.concat(err).toString(), exited };
  running.push(process_);
  return process_;
}

/** Sends SIGTERM and measures how long the process takes to exit. */
async function stop(process_: Running): Promise<Exit> {
  const sentAt = Date.now();
  process_.child.kill('SIGTERM');
  const exit = await process_.exited;
  return { ...exit, afterMs: Date.now() - sentAt };
}

async function get(url: string): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

async function query<T>(database: TestDatabase, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: database.url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/start.mjs', 'build-only'], { cwd: ROOT, stdio: 'pipe' });
}, 120_000);

afterEach(async () => {
  for (const process_ of running.splice(0)) {
    if (process_.child.exitCode === null && process_.child.signalCode === null) {
      process_.child.kill('SIGKILL');
      await process_.exited;
    }
  }
});

/**
 * A bad configuration stops the process by itself, before it starts anything. The bound counts
 * Node's own start and the loading of the modules, which take seconds on a busy two-core machine.
 */
const BAD_CONFIG_EXIT_MS = 10_000;

describe('start-up with a bad configuration', () => {
  it('exits non-zero at once and names every bad variable', async () => {
    const vigie = start(ENTRY.standalone, {
      PORT: 'abc',
      DATABASE_URL: 'mysql://x',
      VIGIE_DATA_KEY: 'short',
      LOG_LEVEL: 'loud',
      VIGIE_RETENTION_DAYS: '0',
    });
    const exit = await vigie.exited;
    expect(exit.code).toBe(1);
    expect(exit.afterMs).toBeLessThan(BAD_CONFIG_EXIT_MS);
    const stderr = vigie.stderr();
    expect(stderr).toMatch(/^Invalid configuration:\n/);
    const named = stderr
      .split('\n')
      .filter((line) => line.startsWith('  - '))
      .map((line) => line.slice(4).split(':')[0])
      .sort();
    expect(named).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'PORT', 'VIGIE_DATA_KEY', 'VIGIE_RETENTION_DAYS']);
    expect(stderr).not.toMatch(/\bat .*\.js:\d+/); // a message for a person, not a stack trace
    expect(vigie.stdout()).toBe('');
  });

  it('refuses NODE_ENV=production without VIGIE_DATA_KEY', async () => {
    const vigie = start(ENTRY.standalone, { NODE_ENV: 'production' });
    const exit = await vigie.exited;
    expect(exit.code).toBe(1);
    expect(exit.afterMs).toBeLessThan(BAD_CONFIG_EXIT_MS);
    expect(vigie.stderr()).toBe('Invalid configuration:\n  - VIGIE_DATA_KEY: is required when NODE_ENV is production\n');
  });

  it('refuses OpenID Connect sign-in half configured, naming what is missing and never the secret', async () => {
    const vigie = start(ENTRY.standalone, { OIDC_CLIENT_ID: 'vigie', OIDC_CLIENT_SECRET: 'Zqx-oidc-client-secret' });
    const exit = await vigie.exited;
    expect(exit.code).toBe(1);
    expect(exit.afterMs).toBeLessThan(BAD_CONFIG_EXIT_MS);
    expect(vigie.stderr()).toBe(
      'Invalid configuration:\n  - OIDC_ISSUER_URL: is required when OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are set ' +
        '(OpenID Connect sign-in needs all three of OIDC_ISSUER_URL, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, or none)\n',
    );
  });

  it('never prints the bootstrap admin key it refuses', async () => {
    const vigie = start(ENTRY.standalone, { VIGIE_BOOTSTRAP_ADMIN_KEY: 'Zqx admin key with spaces in it' });
    expect((await vigie.exited).code).toBe(1);
    expect(vigie.stderr()).toContain('VIGIE_BOOTSTRAP_ADMIN_KEY: must be 24 to 200 characters without spaces');
    expect(vigie.stderr()).not.toContain('Zqx');
  });
});

describe('start-up with a good configuration', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  let url: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    // An empty database: the process itself must create the schema.
    await query(database, 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
    const port = await freePort();
    env = testEnv(database, { PORT: String(port), LOG_LEVEL: 'info' });
    url = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('applies the migrations, serves health and documentation, and stops with exit code 0 on SIGTERM', async () => {
    const vigie = start(ENTRY.standalone, env);
    await waitFor(async () => (await get(`${url}/health/live`)).status === 200, { timeoutMs: 20000, what: 'the service to listen' });

    const migrations = await query<{ name: string }>(database, 'SELECT name FROM migrations ORDER BY id');
    expect(migrations.map((m) => m.name)).toEqual(MIGRATIONS);
    expect(await query(database, 'SELECT count(*)::int AS n FROM departments')).toEqual([{ n: 101 }]);

    expect(JSON.parse((await get(`${url}/health/live`)).text)).toEqual({ status: 'ok' });
    const ready = await get(`${url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toMatchObject({
      status: 'ok',
      details: { database: { status: 'up' }, redis: { status: 'up', maxmemoryPolicy: 'noeviction' } },
    });

    const openapi = await get(`${url}/openapi.json`);
    expect(openapi.status).toBe(200);
    expect(openapi.type).toMatch(/^application\/json/);
    expect(JSON.parse(openapi.text).openapi).toMatch(/^3\./);
    const docs = await get(`${url}/docs`);
    expect(docs.status).toBe(200);
    expect(docs.type).toMatch(/^text\/html/);

    // The bootstrap admin exists: its key is accepted.
    const departments = await fetch(`${url}/v1/departments`, { headers: { Authorization: `Bearer ${env.VIGIE_BOOTSTRAP_ADMIN_KEY}` } });
    expect(departments.status).toBe(200);

    const exit = await stop(vigie);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.afterMs).toBeLessThan(5000);
    await expect(fetch(`${url}/health/live`)).rejects.toThrow();

    // Structured logs: every line on stdout is a JSON object with a level and a message.
    const lines = vigie.stdout().split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(JSON.parse(line)).toEqual(expect.objectContaining({ level: expect.any(String), msg: expect.any(String) }));
    expect(vigie.stdout()).not.toContain('maxmemory-policy is');
    expect(vigie.stderr()).toBe('');
  });

  it('runs the API and the worker as separate processes, each stopping with exit code 0 on SIGTERM', async () => {
    const api = start(ENTRY.api, env);
    const worker = start(ENTRY.worker, env);
    await waitFor(async () => (await get(`${url}/health/ready`)).status === 200, { timeoutMs: 20000, what: 'the API to be ready' });
    await waitFor(() => worker.stdout().includes('Processing queues: triage'), { timeoutMs: 20000, what: 'the worker to process its queues' });

    const [apiExit, workerExit] = await Promise.all([stop(api), stop(worker)]);
    expect(apiExit).toMatchObject({ code: 0, signal: null });
    expect(workerExit).toMatchObject({ code: 0, signal: null });
    expect(apiExit.afterMs).toBeLessThan(5000);
    expect(workerExit.afterMs).toBeLessThan(5000);
    expect(api.stderr() + worker.stderr()).toBe('');
  });

  it('without VIGIE_DATA_KEY outside production, generates one key file for the API and the worker starting together, warns once, and reuses it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigie-startup-key-'));
    try {
      const keyFile = join(dir, 'keys', 'data.key');
      const { VIGIE_DATA_KEY: _given, ...withoutKey } = env;
      const keyless = { ...withoutKey, NODE_ENV: 'development', VIGIE_DATA_KEY_FILE: keyFile };
      const api = start(ENTRY.api, keyless);
      const worker = start(ENTRY.worker, keyless);
      await waitFor(async () => (await get(`${url}/health/ready`)).status === 200, { timeoutMs: 20000, what: 'the API to be ready' });
      await waitFor(() => worker.stdout().includes('Processing queues: triage'), { timeoutMs: 20000, what: 'the worker to process its queues' });
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      const key = readFileSync(keyFile, 'utf8');
      expect(Buffer.from(key.trim(), 'base64')).toHaveLength(32);
      const warnings = (api.stdout() + worker.stdout())
        .split('\n')
        .filter((line) => line.includes('generated a data key'))
        .map((line) => JSON.parse(line));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ level: 'warn', keyFile });
      await Promise.all([stop(api), stop(worker)]);

      const again = start(ENTRY.standalone, keyless);
      await waitFor(async () => (await get(`${url}/health/live`)).status === 200, { timeoutMs: 20000, what: 'the service to listen' });
      expect((await stop(again)).code).toBe(0);
      expect(again.stdout()).not.toContain('generated a data key');
      expect(readFileSync(keyFile, 'utf8')).toBe(key);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('what start-up says, for a person reading it', () => {
  let database: TestDatabase;
  let outbox: string;
  let port: number;

  beforeEach(async () => {
    database = await createTestDatabase();
    outbox = mkdtempSync(join(tmpdir(), 'vigie-outbox-'));
    port = await freePort();
  });
  afterEach(async () => {
    await killServices();
    await database?.drop();
    rmSync(outbox, { recursive: true, force: true });
  });

  const info = (logs: LogLine[]) => logs.filter((line) => line.level === 'info').map((line) => line.msg);

  it('says in words: the database created, the migrations applied, where it listens, where e-mails go, the worker', async () => {
    await database.drop(); // the process must create it
    const vigie = startService('standalone', {
      ...testEnv(database, { PORT: String(port), LOG_LEVEL: 'info', NODE_ENV: 'development', VIGIE_EMAIL_OUTBOX_DIR: outbox }),
      VIGIE_DATA_KEY: Buffer.alloc(32, 7).toString('base64'),
    });
    await waitFor(() => info(vigie.logs()).some((msg) => msg.startsWith('Vigie listening on')), { timeoutMs: 30000, what: 'the listening message' });
    await waitFor(() => info(vigie.logs()).some((msg) => msg.startsWith('Processing queues')), { timeoutMs: 10000, what: 'the worker state' });

    const messages = info(vigie.logs());
    expect(messages).toContain(`Database ${database.name} created`);
    expect(messages).toContain(`Migrations applied: ${MIGRATIONS.join(', ')}`);
    expect(messages).toContain(`Vigie listening on http://localhost:${port}`);
    expect(messages).toContain(`E-mails are written to ${outbox} as .eml files (SMTP_URL is not set)`);
    expect(messages).toContain('Processing queues: triage, escalation, webhooks');
    expect(messages.some((msg) => /Mapped \{|dependencies initialized/.test(msg))).toBe(false);
    expect(messages.length).toBeLessThanOrEqual(12);
  }, 60_000);

  it('says once that Redis is unreachable and that declarations are kept, then stays quiet', async () => {
    const redisPort = await freePort();
    const env = testEnv(database, { PORT: String(port), LOG_LEVEL: 'info', REDIS_URL: `redis://127.0.0.1:${redisPort}` });
    const vigie = startService('standalone', env);
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${url}/health/ready`)).status === 200, { timeoutMs: 30000, what: 'the service to be ready without Redis' });
    const t = { http: request(url), adminKey: env.VIGIE_BOOTSTRAP_ADMIN_KEY } as unknown as TestApp;
    const { foyerKey, youthId } = await makeFoyerWithYouth(t);
    await declareFugue(t, foyerKey, youthId);

    // Watch it for several of its retry intervals (Redis clients retry every 2 s), probing as a
    // load balancer would: it stays ready all along.
    const firstProbe = Date.now();
    let probes = 0;
    await waitFor(
      async () => {
        const ready = await fetch(`${url}/health/ready`);
        expect(ready.status).toBe(200);
        probes += 1;
        return Date.now() - firstProbe > 7000 && probes >= 20;
      },
      { timeoutMs: 20000, intervalMs: 250, what: 'seven seconds of readiness probes' },
    );

    const logs = vigie.logs();
    const notices = logs.filter((line) => /Redis unreachable at/.test(line.msg));
    expect(notices.map((line) => [line.level, line.msg])).toEqual([
      ['warn', `Redis unreachable at redis://127.0.0.1:${redisPort}; declarations are kept and will be triaged when it answers`],
    ]);
    expect(vigie.stdout()).not.toContain('maxmemory-policy is');
    const complaints = logs.filter((line) => line.level === 'warn' || line.level === 'error');
    expect(complaints.map((line) => line.msg)).toEqual(notices.map((line) => line.msg));
  }, 60_000);
});

describe('e-mails in development without SMTP_URL', () => {
  it('writes each e-mail to the outbox folder as an .eml file', async () => {
    const { EmailChannel } = await import('@vigie/notifications');
    const dir = mkdtempSync(join(tmpdir(), 'vigie-outbox-'));
    try {
      const channel = new EmailChannel({ outboxDir: join(dir, 'outbox'), from: 'Vigie <vigie@vigie.example.test>' });
      const result = await channel.send({ to: 'astreinte@vigie.example.test', subject: 'Alerte de test', text: 'Texte de test', html: '<p>Texte de test</p>' });
      expect(result.ok).toBe(true);
      const files = listDirectory(join(dir, 'outbox'));
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/\.eml$/);
      const eml = require('node:fs').readFileSync(join(dir, 'outbox', files[0]), 'utf8') as string;
      expect(eml).toContain('Subject: Alerte de test');
      expect(eml).toContain('To: astreinte@vigie.example.test');
      channel.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
