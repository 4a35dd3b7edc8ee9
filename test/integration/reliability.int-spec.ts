import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { FugueTriageService } from '@vigie/domain';
import { JobProducer, QueueName } from '@vigie/queue';
import {
  bearer,
  buildDist,
  declareFugue,
  makeClient,
  makeFoyer,
  makeFoyerWithYouth,
  makeYouth,
  PrivateRedis,
  startTestApp,
  startWorkerProcess,
  sweepsRun,
  TestApp,
  VigieProcess,
  waitFor,
} from '@vigie/testing';

/**
 * quality.md § Reliability — nothing lost, nothing done twice. Real processes only: a private
 * redis-server that is stopped and restarted empty, worker processes killed with SIGKILL.
 */

interface Settlement {
  /** Episodes with no 'declared' classification yet. */
  unclassified: number;
  /** Outbox rows for these episodes not yet processed. */
  pending: number;
}

/** How far the triage of the given episodes has come. */
async function settlement(ds: DataSource, fugueIds: string[]): Promise<Settlement> {
  const [row]: { unclassified: number; pending: number }[] = await ds.query(
    `SELECT
       (SELECT count(*)::int FROM unnest($1::uuid[]) AS f(id)
         WHERE NOT EXISTS (SELECT 1 FROM fugue_classifications c WHERE c.fugue_id = f.id AND c.cause = 'declared')) AS unclassified,
       (SELECT count(*)::int FROM outbox WHERE payload->>'fugueId' = ANY($2::text[]) AND processed_at IS NULL) AS pending`,
    [fugueIds, fugueIds],
  );
  return row;
}

/** Waits until every episode has a declaration classification and every outbox row is processed. */
function waitUntilSettled(ds: DataSource, fugueIds: string[], timeoutMs: number): Promise<true> {
  return waitFor(
    async () => {
      const s = await settlement(ds, fugueIds);
      return s.unclassified === 0 && s.pending === 0;
    },
    { timeoutMs, intervalMs: 100, what: `${fugueIds.length} episodes to be triaged` },
  ) as Promise<true>;
}

/** Per episode: how many 'declared' classifications and how many 'classified' events it has. */
async function effectsPerFugue(ds: DataSource, fugueIds: string[]): Promise<Record<string, { classifications: number; events: number }>> {
  const rows: { id: string; classifications: number; events: number }[] = await ds.query(
    `SELECT f.id,
            (SELECT count(*)::int FROM fugue_classifications c WHERE c.fugue_id = f.id AND c.cause = 'declared') AS classifications,
            (SELECT count(*)::int FROM fugue_events e WHERE e.fugue_id = f.id AND e.type = 'classified') AS events
       FROM unnest($1::uuid[]) AS f(id)`,
    [fugueIds],
  );
  return Object.fromEntries(rows.map((r) => [r.id, { classifications: r.classifications, events: r.events }]));
}

function exactlyOnceEach(fugueIds: string[]): Record<string, { classifications: number; events: number }> {
  return Object.fromEntries(fugueIds.map((id) => [id, { classifications: 1, events: 1 }]));
}

/** A foyer key and `n` youths of that foyer, each free to run away once. */
async function foyerWithYouths(t: TestApp, n: number): Promise<{ foyerKey: string; youthIds: string[] }> {
  const foyer = await makeFoyer(t);
  const client = await makeClient(t, { role: 'foyer', foyerIds: [foyer.id] });
  const youthIds: string[] = [];
  for (let i = 0; i < n; i++) youthIds.push((await makeYouth(t, client.key, foyer.id)).id);
  return { foyerKey: client.key, youthIds };
}

async function declareAll(t: TestApp, foyerKey: string, youthIds: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const youthId of youthIds) ids.push((await declareFugue(t, foyerKey, youthId)).id);
  return ids;
}

describe('Redis down: intake never hangs and triage catches up', () => {
  const EPISODES = 10;
  let redis: PrivateRedis;
  let t: TestApp;
  let redisStopped = false;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    t = await startTestApp({ env: { REDIS_URL: redis.url } });
  });
  afterAll(async () => {
    // A graceful close waits for Redis: bring it back if the test stopped before doing so.
    if (redisStopped) await redis.start();
    await t?.close();
    await redis?.dispose();
  });

  it('answers every declaration in under a second while Redis is down, then classifies each exactly once when it is back', async () => {
    const { foyerKey, youthIds } = await foyerWithYouths(t, EPISODES);
    await t.http.get('/health/ready').expect(200);

    await redis.stop();
    redisStopped = true;

    // Still ready: the outbox keeps declarations; the body says Redis is degraded.
    const down = await t.http.get('/health/ready').timeout(5000);
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({ status: 'ok', details: { database: { status: 'up' }, redis: { status: 'degraded' } } });

    const accepted: string[] = [];
    const refused: string[] = [];
    const durations: number[] = [];
    for (const youthId of youthIds) {
      const started = Date.now();
      // A hang surfaces as a supertest timeout error, not as a test timeout.
      const res = await t.http
        .post('/v1/fugues')
        .set(bearer(foyerKey))
        .timeout(5000)
        .send({ youthId, noticedMissingAt: new Date(Date.now() - 60_000).toISOString() });
      durations.push(Date.now() - started);
      expect([201, 503]).toContain(res.status);
      if (res.status === 201) {
        expect(res.body).toMatchObject({ status: 'missing', classification: null });
        accepted.push(res.body.id);
      } else {
        expect(res.body).toMatchObject({ statusCode: 503, code: 'DEPENDENCY_UNAVAILABLE' });
        refused.push(youthId);
      }
    }
    expect(durations.filter((ms) => ms >= 1000)).toEqual([]);
    expect(accepted.length + refused.length).toBe(EPISODES);
    // The outbox holds the work, so declarations are accepted rather than refused.
    expect(accepted).toHaveLength(EPISODES);

    // The outbox sweep publishes rows older than 1 s: once every accepted row is that old, two
    // whole sweeps try to publish them with Redis down and fail. The rows must survive that.
    await waitFor(
      async () =>
        ((await t.dataSource.query(`SELECT bool_and(created_at <= now() - interval '1 second') AS due FROM outbox WHERE payload->>'fugueId' = ANY($1::text[])`, [accepted])) as { due: boolean }[])[0]
          .due,
      { what: 'the accepted rows to be due for the outbox sweep' },
    );
    await sweepsRun(t, 2);
    expect(await settlement(t.dataSource, accepted)).toEqual({ unclassified: EPISODES, pending: EPISODES });
    expect((await t.http.get('/health/ready').timeout(5000)).body.details.redis.status).toBe('degraded');

    await redis.start();
    redisStopped = false;

    await waitFor(async () => (await t.http.get('/health/ready').timeout(5000)).body.details?.redis?.status === 'up', { timeoutMs: 10000, what: 'Redis back in readiness' });
    await waitUntilSettled(t.dataSource, accepted, 20000);
    expect(await effectsPerFugue(t.dataSource, accepted)).toEqual(exactlyOnceEach(accepted));
  });
});

describe('Redis restarted empty with triage jobs queued but not processed', () => {
  const EPISODES = 8;
  let redis: PrivateRedis;
  let api: TestApp;
  let worker: TestApp | undefined;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await redis?.dispose();
  });

  it('re-publishes the lost jobs from the outbox and classifies every episode exactly once', async () => {
    api = await startTestApp({ worker: false, env: { REDIS_URL: redis.url } });
    const prefix = api.env.VIGIE_QUEUE_PREFIX;
    const { foyerKey, youthIds } = await foyerWithYouths(api, EPISODES);
    const fugueIds = await declareAll(api, foyerKey, youthIds);

    const triageQueue = api.app.get(JobProducer).queue(QueueName.Triage);
    await waitFor(async () => (await triageQueue.getWaitingCount()) === EPISODES, { what: 'the triage jobs to be queued' });
    // A row is marked published after its job is added: the last marks may still be on their way.
    const published = async () =>
      ((await api.dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE job_name = 'fugue.triage' AND published_at IS NOT NULL`)) as { n: number }[])[0].n;
    await waitFor(async () => (await published()) === EPISODES, { what: 'the outbox rows to be marked published' });

    await redis.flushAll();
    expect(await triageQueue.getWaitingCount()).toBe(0);

    worker = await startTestApp({
      api: false,
      worker: true,
      database: api.database,
      env: { REDIS_URL: redis.url, VIGIE_QUEUE_PREFIX: prefix, VIGIE_BOOTSTRAP_ADMIN_KEY: api.adminKey },
    });

    await waitUntilSettled(api.dataSource, fugueIds, 15000);
    expect(await effectsPerFugue(api.dataSource, fugueIds)).toEqual(exactlyOnceEach(fugueIds));
    // Every row went to Redis a second time: the relay rebuilt what the restart lost.
    const counts: { publish_count: number }[] = await api.dataSource.query(`SELECT publish_count FROM outbox WHERE job_name = 'fugue.triage' ORDER BY id`);
    expect(counts.map((r) => r.publish_count >= 2)).toEqual(fugueIds.map(() => true));
  });
});

describe('worker killed with SIGKILL mid-triage', () => {
  const EPISODES = 30;
  let t: TestApp;
  const workers: VigieProcess[] = [];
  let locker: Client | undefined;

  /** A short job lock: the jobs of a killed worker run again within seconds. */
  const WORKER_ENV = { VIGIE_JOB_LOCK_MS: '1500' };

  beforeAll(async () => {
    await buildDist();
    t = await startTestApp({ worker: false });
  }, 60000);
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.dispose()));
    await locker?.end().catch(() => undefined);
    await t?.close();
  });

  it('re-runs the interrupted jobs after the lock expires and stores each effect once', async () => {
    const { foyerKey, youthIds } = await foyerWithYouths(t, EPISODES);
    const fugueIds = await declareAll(t, foyerKey, youthIds);

    // Hold one episode's row so that the worker's triage of it is stuck inside its transaction:
    // the kill then lands on a job that has started and not finished.
    const held = fugueIds[EPISODES - 1];
    locker = new Client({ connectionString: t.database.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('SELECT id FROM fugues WHERE id = $1 FOR UPDATE', [held]);

    const first = startWorkerProcess(t, WORKER_ENV);
    workers.push(first);
    await waitFor(
      async () => {
        const [row]: { waiting: number }[] = await t.dataSource.query(
          `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        const s = await settlement(t.dataSource, fugueIds);
        return row.waiting > 0 && s.unclassified < EPISODES;
      },
      { timeoutMs: 20000, what: 'the first worker to be mid-triage' },
    );
    await first.kill();
    const atKill = await settlement(t.dataSource, fugueIds);
    expect(atKill.unclassified).toBeGreaterThan(0);
    expect(atKill.unclassified).toBeLessThan(EPISODES);

    await locker.query('ROLLBACK');
    await locker.end();
    locker = undefined;

    workers.push(startWorkerProcess(t, WORKER_ENV));
    await waitUntilSettled(t.dataSource, fugueIds, 20000);
    expect(await effectsPerFugue(t.dataSource, fugueIds)).toEqual(exactlyOnceEach(fugueIds));
    const [dupes]: { n: number }[] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM fugue_classifications GROUP BY fugue_id, trigger_key HAVING count(*) > 1) d`,
    );
    expect(dupes.n).toBe(0);
  });
});

describe('triage of a replayed job', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ worker: false });
  });
  afterAll(() => t?.close());

  async function declaredJob(): Promise<{ fugueId: string; outboxId: string }> {
    const { foyerKey, youthId } = await makeFoyerWithYouth(t);
    const fugue = await declareFugue(t, foyerKey, youthId);
    const [row]: { id: string }[] = await t.dataSource.query(`SELECT id::text FROM outbox WHERE payload->>'fugueId' = $1`, [fugue.id]);
    return { fugueId: fugue.id, outboxId: row.id };
  }

  it('stores one classification when the same job is processed twice; the second run reports applied=false', async () => {
    const { fugueId, outboxId } = await declaredJob();
    const triage = t.app.get(FugueTriageService);
    const job = { fugueId, cause: 'declared' as const, outboxId };

    const firstRun = await triage.triageFugue(job);
    const secondRun = await triage.triageFugue(job);

    expect(firstRun).toMatchObject({ applied: true, classification: { level: 'routine' } });
    expect(secondRun).toMatchObject({ applied: false, classification: null, effectiveLevel: null, latencyMs: null });
    expect(await effectsPerFugue(t.dataSource, [fugueId])).toEqual(exactlyOnceEach([fugueId]));
  });

  it('stores one classification when the same job runs twice at once', async () => {
    const { fugueId, outboxId } = await declaredJob();
    const triage = t.app.get(FugueTriageService);
    const job = { fugueId, cause: 'declared' as const, outboxId };

    const outcomes = await Promise.all([triage.triageFugue(job), triage.triageFugue(job)]);

    expect(outcomes.map((o) => o.applied).sort()).toEqual([false, true]);
    expect(await effectsPerFugue(t.dataSource, [fugueId])).toEqual(exactlyOnceEach([fugueId]));
  });
});
