import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { bearer, declareFugue, makeFoyerWithYouth, startTestApp, TestApp, testEnv, waitFor } from '@vigie/testing';

const ROOT = join(__dirname, '..', '..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * An API process SIGKILLed while it holds an Idempotency-Key, its work not yet committed: the key
 * must not stay in progress forever. Once the lease has run out, a retry on another process takes
 * the key over and does the work, once.
 */
describe('an API process killed while it holds an Idempotency-Key', () => {
  let t: TestApp;
  let child: ChildProcess | undefined;
  let locker: Client | undefined;

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/start.mjs', 'build-only'], { cwd: ROOT, stdio: 'ignore' });
    // dist/.built is written last: its presence means no build is halfway through.
    await waitFor(() => existsSync(join(ROOT, 'dist/.built')), { timeoutMs: 30000, what: 'the build to complete' });
    t = await startTestApp({ worker: false });
  }, 60000);
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await locker?.end().catch(() => undefined);
    await t?.close();
  });

  it('lets a retry take the key over after the lease, and the update is stored once', async () => {
    const { foyerKey, youthId } = await makeFoyerWithYouth(t);
    const { id } = await declareFugue(t, foyerKey, youthId);

    const port = await freePort();
    const env = testEnv(t.database, {
      VIGIE_BOOTSTRAP_ADMIN_KEY: t.adminKey,
      VIGIE_QUEUE_PREFIX: t.env.VIGIE_QUEUE_PREFIX,
      PORT: String(port),
      // The shortest lease allowed: its end is awaited below.
      VIGIE_IDEMPOTENCY_LEASE_SECONDS: '5',
    });
    const api = spawn(process.execPath, [join(ROOT, 'dist/apps/api/src/main.js')], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'ignore' });
    child = api;
    const other = request(`http://127.0.0.1:${port}`);
    await waitFor(async () => (await other.get('/health/live')).status === 200, { timeoutMs: 30000, what: 'the API process to listen' });

    // The episode is locked: the process claims the key, then waits inside its work's transaction.
    locker = new Client({ connectionString: t.database.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('SELECT id FROM fugues WHERE id = $1 FOR UPDATE', [id]);
    const body = { note: 'Note de test' };
    other
      .post(`/v1/fugues/${id}/updates`)
      .set(bearer(foyerKey))
      .set('Idempotency-Key', 'killed-holder')
      .send(body)
      .then(
        () => undefined,
        () => undefined,
      );
    await waitFor(async () => (await t.dataSource.query(`SELECT 1 FROM idempotency_keys WHERE key = 'killed-holder'`)).length === 1, {
      what: 'the process to claim its key',
    });
    await waitFor(
      async () => (await t.dataSource.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).length >= 1,
      { what: 'the process to wait on the episode' },
    );
    await new Promise<void>((resolve) => {
      api.once('exit', () => resolve());
      api.kill('SIGKILL');
    });
    await locker.query('COMMIT');

    // While the lease runs, a retry is told the request is in progress; once it has run out, the
    // retry takes the key over.
    const answers: string[] = [];
    const retry = await waitFor(
      async () => {
        const res = await t.http.post(`/v1/fugues/${id}/updates`).set(bearer(foyerKey)).set('Idempotency-Key', 'killed-holder').send(body);
        answers.push(res.status === 201 ? '201' : `${res.status} ${res.body.code}`);
        return res.status === 201 ? res : null;
      },
      { timeoutMs: 15000, intervalMs: 500, what: 'a retry to take the key over' },
    );
    expect(new Set(answers.slice(0, -1))).toEqual(new Set(answers.length > 1 ? ['409 IDEMPOTENCY_KEY_IN_PROGRESS'] : []));
    const again = await t.http.post(`/v1/fugues/${id}/updates`).set(bearer(foyerKey)).set('Idempotency-Key', 'killed-holder').send(body);
    expect(again.status).toBe(201);
    expect(again.body.updateId).toBe(retry.body.updateId);
    // The killed process's transaction never committed: one update, the retry's.
    await waitFor(async () => (await t.dataSource.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).length === 0, {
      what: 'the killed process’s backend to end',
    });
    const updates: { id: string }[] = await t.dataSource.query(`SELECT id FROM fugue_updates WHERE fugue_id = $1`, [id]);
    expect(updates.map((u) => u.id)).toEqual([retry.body.updateId]);
  });
});
