// Round trips per declaration of the service and of the fair baseline, counted rather than timed
// (docs/performance.md § Round trips per declaration): a figure the load of the machine does not
// move. `node bench/round-trips.mjs [dist]` starts the service from `dist` (or another build) and
// then bench/raw-baseline.mjs with its worker, both with bench/count-round-trips.cjs preloaded,
// sends each a warm-up of 200 declarations, then BENCH_ROUND_TRIP_DECLARATIONS (1000) on 32
// connections, waits until every one is classified and the service's outbox has drained, and
// prints the PostgreSQL, Redis and HTTP writes per declaration; with BENCH_COUNT_STATEMENTS=1, also
// the service's queries per declaration by statement. Databases vigie_bench_count and
// vigie_bench_count_b, Redis prefixes vigie-bench-count and vigie-bench-count-b, dropped at the end.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import IORedis from 'ioredis';
import pg from 'pg';
import {
  api,
  createYouths,
  databaseUrl,
  declarationBody,
  deleteRedisPrefix,
  freePort,
  openRun,
  PG_ADMIN_URL,
  positiveInt,
  recreateDatabase,
  REDIS_URL,
  ROOT,
  runMain,
  spawnChild,
  startService,
  stopChild,
  waitFor,
} from './bench-common.mjs';

const N = positiveInt('BENCH_ROUND_TRIP_DECLARATIONS', 1000);
const DIST = process.argv[2] ?? 'dist';
const COUNT_DIR = mkdtempSync(join(tmpdir(), 'vigie-round-trips-'));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function counts(pid) {
  process.kill(pid, 'SIGUSR2');
  await sleep(300);
  return JSON.parse(readFileSync(join(COUNT_DIR, `${pid}.json`), 'utf8'));
}

function perDeclaration(before, after) {
  const per = (a, b) => Math.round(((b - a) / N) * 100) / 100;
  return {
    pg: per(before.writes.pg, after.writes.pg),
    redis: per(before.writes.redis, after.writes.redis),
    http: per(before.writes.http, after.writes.http),
    pgQueries: per(before.pgQueries, after.pgQueries),
    // BENCH_COUNT_STATEMENTS=1: per statement (its prepared name, or its first characters).
    ...(after.statements && {
      statements: Object.fromEntries(
        Object.entries(after.statements)
          .map(([k, v]) => [k, per(before.statements?.[k] ?? 0, v)])
          .filter(([, v]) => v >= 0.01)
          .sort((a, b) => b[1] - a[1]),
      ),
    }),
  };
}

function declare(url, key, amount, nextYouthId) {
  return autocannon({
    url,
    connections: 32,
    amount,
    requests: [
      {
        method: 'POST',
        path: '/v1/fugues',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        setupRequest: (req) => ({ ...req, body: declarationBody(nextYouthId()) }),
      },
    ],
  });
}

async function count(client, sql, params) {
  return Number((await client.query(sql, params)).rows[0].n);
}

async function main() {
  const { log, logPath, step } = openRun('round-trips');
  const env = { NODE_OPTIONS: `--require ${join(ROOT, 'bench/count-round-trips.cjs')}`, BENCH_COUNT_DIR: COUNT_DIR };
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const children = [];
  try {
    await recreateDatabase(admin, 'vigie_bench_count');
    await recreateDatabase(admin, 'vigie_bench_count_b');
    await deleteRedisPrefix(redis, 'vigie-bench-count');
    await deleteRedisPrefix(redis, 'vigie-bench-count-b');

    step(`S: the service from ${DIST}`);
    const service = await startService({ database: 'vigie_bench_count', queuePrefix: 'vigie-bench-count', log, logPath, env, entry: `${DIST}/apps/standalone/src/main.js` });
    children.push(service.child);
    const foyer = await api(service.url, service.adminKey, 'POST', '/v1/foyers', { name: 'Foyer Testcount', departmentCode: '75', kind: 'ase' });
    const client = await api(service.url, service.adminKey, 'POST', '/v1/api-clients', { name: 'Round-trip client', role: 'foyer', foyerIds: [foyer.id] });
    const ids = (await createYouths(service.url, client.key, [foyer.id], N + 300)).ids;
    let next = 0;
    const db = new pg.Client({ connectionString: databaseUrl('vigie_bench_count') });
    await db.connect();
    const drained = () => waitFor('the outbox to drain', async () => (await count(db, 'SELECT count(*) AS n FROM outbox WHERE processed_at IS NULL')) === 0, 120_000, 200);
    await declare(service.url, client.key, 200, () => ids[next++]);
    await drained();
    const measuredIds = ids.slice(next);
    const s0 = await counts(service.child.pid);
    const s = await declare(service.url, client.key, N, () => ids[next++]);
    await waitFor(
      'every episode to be classified',
      async () =>
        (await count(
          db,
          `SELECT count(*) AS n FROM fugues f JOIN fugue_classifications c ON c.fugue_id = f.id AND c.cause = 'declared' WHERE f.youth_id = ANY($1::uuid[])`,
          [measuredIds],
        )) >= s['2xx'],
      120_000,
      200,
    );
    await drained();
    await sleep(1000);
    const serviceCounts = perDeclaration(s0, await counts(service.child.pid));
    await db.end();
    await stopChild(service.child);

    step('B: the fair baseline');
    const port = await freePort();
    const baseline = spawnChild(
      'fair baseline',
      ['bench/raw-baseline.mjs'],
      { ...process.env, ...env, PORT: String(port), DATABASE_URL: databaseUrl('vigie_bench_count_b'), REDIS_URL, BENCH_QUEUE_PREFIX: 'vigie-bench-count-b', BENCH_POOL_SIZE: '20', BENCH_BASELINE_WORKER: '1' },
      log,
    );
    children.push(baseline);
    await new Promise((resolve) => baseline.stdout.on('data', (chunk) => String(chunk).includes('ready') && resolve()));
    const bdb = new pg.Client({ connectionString: databaseUrl('vigie_bench_count_b') });
    await bdb.connect();
    const classified = () => waitFor('the baseline to classify', async () => (await count(bdb, 'SELECT count(*) AS n FROM baseline_fugues WHERE classified_at IS NULL')) === 0, 120_000, 200);
    await declare(`http://127.0.0.1:${port}`, null, 200, randomUUID);
    await classified();
    const b0 = await counts(baseline.pid);
    const b = await declare(`http://127.0.0.1:${port}`, null, N, randomUUID);
    await classified();
    await sleep(1000);
    const baselineCounts = perDeclaration(b0, await counts(baseline.pid));
    await bdb.end();
    await stopChild(baseline);

    const line = (label, r, c) => `${label.padEnd(24)} ${String(c.pg).padStart(6)} ${String(c.redis).padStart(6)} ${String(c.http).padStart(6)}   (${r['2xx']} declared, non-2xx ${r.non2xx}, errors ${r.errors})`;
    process.stdout.write(
      [
        '',
        `Socket writes (round trips) per declaration, ${N} declarations on 32 connections, triage included`,
        `${''.padEnd(24)} ${'PG'.padStart(6)} ${'Redis'.padStart(6)} ${'HTTP'.padStart(6)}`,
        line(`S service (${DIST})`, s, serviceCounts),
        line('B fair baseline', b, baselineCounts),
        ...(serviceCounts.statements
          ? ['', 'S: pg queries per declaration, by statement (BENCH_COUNT_STATEMENTS=1)', ...Object.entries(serviceCounts.statements).map(([k, v]) => `${String(v).padStart(6)}  ${k}`)]
          : []),
        '',
      ].join('\n') + '\n',
    );
    return 0;
  } finally {
    await Promise.allSettled(children.map((c) => stopChild(c)));
    for (const database of ['vigie_bench_count', 'vigie_bench_count_b']) await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    for (const prefix of ['vigie-bench-count', 'vigie-bench-count-b']) await deleteRedisPrefix(redis, prefix).catch(() => undefined);
    redis.disconnect();
    await admin.end();
    log.end();
  }
}

runMain(main);
