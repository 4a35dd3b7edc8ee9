// `npm run bench`: intake throughput and triage latency, measured side by side in one run
// (docs/performance.md). Phases, all under the same autocannon load:
//   B  a raw baseline (bench/raw-baseline.mjs: bare node:http, one pg INSERT, one BullMQ add);
//   F  the NestJS floor (bench/nest-floor.mjs): B's work served by NestJS + Express +
//      ValidationPipe, to show how much of the S/B gap is the framework itself. Informational:
//      F/B is reported and recorded, it has no goal and does not change the exit code;
//   M  the least the specification asks (bench/nest-floor.mjs with BENCH_FLOOR_MINIMAL=1): F, plus
//      an API-key lookup per request and a triage worker in the same process doing one read and
//      one write per episode. Informational, like F: it bounds what any implementation of the
//      specification can reach on this machine;
//   S  the service as `npm start` runs it (API + worker in one process), POST /v1/fugues;
//   T  the service again at half of S's rate (paced, see runPacedDeclarations), then
//      POST → stored classification from SQL.
// Settings (environment): BENCH_DURATION_S (20), BENCH_WARMUP_S (5), BENCH_CONNECTIONS (32),
// BENCH_TRIAGE_RATE (requests/s of the triage phase; default half of S),
// BENCH_PG_URL (postgres://postgres@127.0.0.1:5432/postgres), REDIS_URL (redis://127.0.0.1:6379),
// BENCH_KEEP_DB=1 keeps the bench databases for inspection, BENCH_FLOOR_EXTRA_QUERY=1 makes F run
// one `SELECT 1` per request in a guard (a stand-in for the service's API-key lookup).
// Exit code: 0 when every goal passes, 1 when one fails, 2 when the bench itself failed.
import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import IORedis from 'ioredis';
import pg from 'pg';
import {
  api,
  cpuSeconds,
  createYouths,
  databaseUrl,
  declarationBody,
  deleteRedisPrefix,
  freePort,
  KEEP_DB,
  machineJiffies,
  pad,
  PG_ADMIN_URL,
  positiveInt,
  recreateDatabase,
  REDIS_URL,
  RESULTS_DIR,
  runMain,
  spawnChild,
  stopChild,
  waitFor,
} from './bench-common.mjs';

const DURATION_S = positiveInt('BENCH_DURATION_S', 20);
const WARMUP_S = positiveInt('BENCH_WARMUP_S', 5);
const CONNECTIONS = positiveInt('BENCH_CONNECTIONS', 32);
/** Offered rate of the triage phase; by default half of what S sustained. */
const TRIAGE_RATE = process.env.BENCH_TRIAGE_RATE ? positiveInt('BENCH_TRIAGE_RATE', 0) : null;

const SERVICE_DB = 'vigie_bench';
const BASELINE_DB = 'vigie_bench_baseline';
const FLOOR_DB = 'vigie_bench_floor';
const MINIMAL_DB = 'vigie_bench_minimal';
const SERVICE_PREFIX = 'vigie-bench';
const BASELINE_PREFIX = 'vigie-bench-baseline';
const FLOOR_PREFIX = 'vigie-bench-floor';
const MINIMAL_PREFIX = 'vigie-bench-minimal';
/** Passed on to F (bench/nest-floor.mjs): a guard runs `SELECT 1` before each request. */
const FLOOR_EXTRA_QUERY = process.env.BENCH_FLOOR_EXTRA_QUERY === '1';
/** The service's database pool (libs/persistence data-source.ts); the baseline and the floor get the same. */
const POOL_SIZE = 20;
/** Foyers the bench youths are spread over, all reachable by one foyer API client. */
const FOYER_DEPARTMENTS = ['75', '93', '13', '69'];

const GOALS = { ratio: 0.5, triageP99Ms: 250 };

// ---------------------------------------------------------------------------------------------
// Small helpers.

async function committedTransactions(admin, name) {
  const { rows } = await admin.query(`SELECT xact_commit::bigint AS n FROM pg_stat_database WHERE datname = $1`, [name]);
  return Number(rows[0]?.n ?? 0);
}

/**
 * A run of POST /v1/fugues. `nextYouthId` gives a fresh youth per request; when it runs dry the
 * last one is reused (answered 409) and `exhausted` is reported, so a too small pool is visible.
 */
function runDeclarations({ url, key, duration, connections, overallRate, nextYouthId, onSecond }) {
  const headers = { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) };
  const instance = autocannon({
    url,
    connections,
    duration,
    ...(overallRate ? { overallRate } : {}),
    requests: [
      {
        method: 'POST',
        path: '/v1/fugues',
        headers,
        setupRequest: (req) => ({ ...req, body: declarationBody(nextYouthId()) }),
      },
    ],
  });
  if (onSecond) instance.on('tick', ({ counter }) => onSecond(counter));
  return instance;
}

/**
 * POST /v1/fugues at a steady `rate` per second. autocannon paces a connection by sending its
 * quota at the start of each second and then pausing, so one instance at 160 req/s sends about
 * 160 requests at once every second. Here the rate is split over `slices` instances started
 * 1/slices of a second apart: the same rate in small bursts spread over the second, which is
 * what "at half the sustained rate" means for the triage queue. Latencies are taken from each
 * response (no coordinated-omission correction: the senders are paced, not closed-loop).
 */
async function runPacedDeclarations({ url, key, duration, rate, connections, nextYouthId }) {
  const slices = Math.max(1, Math.min(20, rate));
  const latencies = [];
  const runs = [];
  for (let i = 0; i < slices; i++) {
    const sliceRate = Math.floor(rate / slices) + (i < rate % slices ? 1 : 0);
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 1000 / slices));
    const instance = runDeclarations({
      url,
      key,
      duration,
      connections: Math.max(1, Math.round(connections / slices)),
      overallRate: sliceRate,
      nextYouthId,
    });
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
    runs.push(instance);
  }
  const results = await Promise.all(runs);
  latencies.sort((a, b) => a - b);
  const at = (q) => (latencies.length === 0 ? null : Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]));
  const sum = (field) => results.reduce((total, r) => total + r[field], 0);
  const statusCodes = {};
  for (const r of results) for (const [code, stat] of Object.entries(r.statusCodeStats)) statusCodes[code] = (statusCodes[code] ?? 0) + stat.count;
  const durationS = Math.max(...results.map((r) => r.duration));
  return {
    slices,
    connections: slices * Math.max(1, Math.round(connections / slices)),
    requestsPerSecond: Math.round(sum('2xx') / durationS),
    totalRequests: latencies.length,
    durationS,
    latencyMs: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: latencies.length ? Math.round(latencies[latencies.length - 1]) : null },
    status2xx: sum('2xx'),
    non2xx: sum('non2xx'),
    statusCodes,
    errors: sum('errors'),
    timeouts: sum('timeouts'),
  };
}

function youthPool(ids) {
  let next = 0;
  const pool = {
    exhausted: false,
    used: () => Math.min(next, ids.length),
    take: () => {
      if (next >= ids.length) {
        pool.exhausted = true;
        return ids[ids.length - 1];
      }
      return ids[next++];
    },
  };
  return pool;
}

function summarize(result) {
  return {
    requestsPerSecond: Math.round(result.requests.average),
    totalRequests: result.requests.total,
    durationS: result.duration,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    status2xx: result['2xx'],
    non2xx: result.non2xx,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count])),
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

// ---------------------------------------------------------------------------------------------
// The reference servers (B and F): one child process each, on its own database and queue prefix.

/**
 * Starts `script` (bench/raw-baseline.mjs or bench/nest-floor.mjs) on a free port and waits for
 * its "ready" line. Both get the service's pool size, so that only what serves the request differs.
 */
async function startReferenceServer({ name, script, database, queuePrefix, log, logPath, env = {} }) {
  const port = await freePort();
  const child = spawnChild(
    name,
    [script],
    {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: databaseUrl(database),
      REDIS_URL,
      BENCH_QUEUE_PREFIX: queuePrefix,
      BENCH_POOL_SIZE: String(POOL_SIZE),
      ...env,
    },
    log,
  );
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => String(chunk).includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`The ${name} exited (${code}); see ${logPath}`)));
  });
  return { child, port, url: `http://127.0.0.1:${port}` };
}

/** B and F: warm-up, then the measured phase, under the same load (a fresh random youth id per request). */
async function runReferencePhase(label, admin, database, server, step, settle = async () => undefined) {
  step(`${label} warm-up ${WARMUP_S} s`);
  await runDeclarations({ url: server.url, duration: WARMUP_S, connections: CONNECTIONS, nextYouthId: randomUUID });
  step(`${label} measured ${DURATION_S} s`);
  return measured(
    admin,
    database,
    server.child.pid,
    () => runDeclarations({ url: server.url, duration: DURATION_S, connections: CONNECTIONS, nextYouthId: randomUUID }),
    settle,
  );
}

// ---------------------------------------------------------------------------------------------
// The service and its fixtures.

// ---------------------------------------------------------------------------------------------
// Report.

function row(label, s) {
  return [
    label.padEnd(22),
    pad(s.requestsPerSecond, 8),
    pad(s.latencyMs.p50, 8),
    pad(s.latencyMs.p99, 8),
    pad(s.status2xx, 8),
    pad(s.non2xx, 8),
    pad(s.errors, 7),
    pad(s.timeouts, 9),
    pad(s.cpuMsPerRequest ?? '-', 11),
    pad(s.pgTransactionsPerRequest ?? '-', 11),
  ].join(' ');
}

function backlogText(backlog) {
  const entries = Object.entries(backlog);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  return entries.length === 0 ? '0 jobs' : `${total} jobs (${entries.map(([name, n]) => `${name} ${n}`).join(', ')})`;
}

function report(results) {
  const { settings, baseline, floor, minimal, service, triage, goals } = results;
  const floorClean = floor.non2xx === 0 && floor.errors === 0 && floor.timeouts === 0;
  const lines = [
    '',
    `Intake benchmark — ${settings.cpus} CPU(s) ${settings.cpuModel}, node ${settings.node}, ` +
      `${settings.durationS} s per phase after ${settings.warmupS} s warm-up, ${settings.connections} connections`,
    '',
    [
      ''.padEnd(22),
      pad('req/s', 8),
      pad('p50 ms', 8),
      pad('p99 ms', 8),
      pad('2xx', 8),
      pad('non-2xx', 8),
      pad('errors', 7),
      pad('timeouts', 9),
      pad('CPU ms/req', 11),
      pad('PG xact/req', 11),
    ].join(' '),
    row('B raw baseline', baseline),
    row('F NestJS floor', floor),
    row('M minimal service', minimal),
    row('S service (npm start)', service),
    '',
    `S/B throughput ratio: ${results.ratio.toFixed(2)}   F/B: ${results.floorRatio.toFixed(2)}   M/B: ${results.minimalRatio.toFixed(2)}   ` +
      `(machine busy: B ${baseline.machineBusyPercent}%, F ${floor.machineBusyPercent}%, M ${minimal.machineBusyPercent}%, S ${service.machineBusyPercent}%)`,
    `  F is informational (no goal): B's work served by NestJS + Express + ValidationPipe` +
      `${settings.floorExtraQuery ? ', plus one SELECT 1 per request in a guard' : ''}, ` +
      `so 1 − F/B is what the framework${settings.floorExtraQuery ? ' and that query cost' : ' alone costs'} against B` +
      (floorClean ? '' : `; F had ${floor.non2xx} non-2xx, ${floor.errors} errors, ${floor.timeouts} timeouts`),
    `  M is informational (no goal): F plus an API-key lookup per request and an in-process triage worker ` +
      `(one read, one write per episode); ${minimal.backlogAtEnd} episodes unclassified when M stopped, ` +
      `classified in ${minimal.drainS} s (end to end: ${minimal.endToEndPerSecond} per second)`,
    `Outbox backlog after S: ${backlogText(service.outboxBacklogAtEnd)}, drained in ${service.outboxDrainS} s ` +
      `(declared and fully processed end to end: ${service.endToEndPerSecond} per second)`,
    '',
    `Triage at ${settings.triageRateFromEnv ? 'BENCH_TRIAGE_RATE' : '~50 % of S'}: ${triage.offeredRate} req/s offered for ${settings.durationS} s ` +
      `(${triage.load.slices} paced senders, ${triage.load.connections} connections), ` +
      `${triage.load.requestsPerSecond} req/s served, POST p50 ${triage.load.latencyMs.p50} ms / p99 ${triage.load.latencyMs.p99} ms, ` +
      `non-2xx ${triage.load.non2xx}, errors ${triage.load.errors}`,
    `  POST → stored classification (cause declared, n=${triage.episodes}): ` +
      `p50 ${triage.latencyMs.p50} ms, p99 ${triage.latencyMs.p99} ms, max ${triage.latencyMs.max} ms`,
    '',
    'Goals (quality.md § Performance):',
    `  intake: S/B ≥ ${GOALS.ratio} with 0 errors ............ ${goals.intake.pass ? 'PASS' : 'FAIL'} (${goals.intake.detail})`,
    `  triage: p99 POST → classification ≤ ${GOALS.triageP99Ms} ms .... ${goals.triage.pass ? 'PASS' : 'FAIL'} (${goals.triage.detail})`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

// ---------------------------------------------------------------------------------------------
// The run.

async function main() {
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  mkdirSync(RESULTS_DIR, { recursive: true });
  const logPath = join(RESULTS_DIR, `intake-${stamp}.processes.log`);
  const log = createWriteStream(logPath);
  const step = (message) => process.stdout.write(`[${((Date.now() - startedAt.getTime()) / 1000).toFixed(1).padStart(5)} s] ${message}\n`);

  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: 1 });
  let service = null;
  let baselineChild = null;
  let floorChild = null;
  let minimalChild = null;

  try {
    step(
      `recreating databases ${SERVICE_DB}, ${BASELINE_DB}, ${FLOOR_DB} and ${MINIMAL_DB}, ` +
        `clearing Redis prefixes ${SERVICE_PREFIX}:, ${BASELINE_PREFIX}:, ${FLOOR_PREFIX}: and ${MINIMAL_PREFIX}:`,
    );
    await recreateDatabase(admin, SERVICE_DB);
    await recreateDatabase(admin, BASELINE_DB);
    await recreateDatabase(admin, FLOOR_DB);
    await recreateDatabase(admin, MINIMAL_DB);
    await deleteRedisPrefix(redis, SERVICE_PREFIX);
    await deleteRedisPrefix(redis, BASELINE_PREFIX);
    await deleteRedisPrefix(redis, FLOOR_PREFIX);
    await deleteRedisPrefix(redis, MINIMAL_PREFIX);

    // --- the service, as `npm start` runs it ---
    const adminKey = `bench_admin_${randomBytes(24).toString('base64url')}`;
    const servicePort = await freePort();
    const serviceUrl = `http://127.0.0.1:${servicePort}`;
    step(`starting the service on port ${servicePort} (migrations run at start)`);
    service = spawnChild(
      'service',
      ['--enable-source-maps', 'dist/apps/standalone/src/main.js'],
      {
        ...process.env,
        PORT: String(servicePort),
        DATABASE_URL: databaseUrl(SERVICE_DB),
        REDIS_URL,
        VIGIE_QUEUE_PREFIX: SERVICE_PREFIX,
        VIGIE_BOOTSTRAP_ADMIN_KEY: adminKey,
        VIGIE_DATA_KEY: randomBytes(32).toString('base64'),
        VIGIE_RATE_LIMIT_PER_MINUTE: '1000000000',
        LOG_LEVEL: 'warn',
      },
      log,
    );
    const serviceExit = new Promise((_, reject) =>
      service.once('exit', (code, signal) => reject(new Error(`The service exited (${code ?? signal}); see ${logPath}`))),
    );
    serviceExit.catch(() => undefined);
    await Promise.race([
      waitFor('the service to be ready', async () => (await fetch(`${serviceUrl}/health/ready`)).ok, 60_000),
      serviceExit,
    ]);

    step('creating foyers, a foyer API client and a first batch of youths through the API');
    const foyers = [];
    for (const departmentCode of FOYER_DEPARTMENTS) {
      foyers.push(await api(serviceUrl, adminKey, 'POST', '/v1/foyers', { name: `Foyer Testbench ${departmentCode}`, departmentCode, kind: 'ase' }));
    }
    const foyerIds = foyers.map((f) => f.id);
    const client = await api(serviceUrl, adminKey, 'POST', '/v1/api-clients', { name: 'Bench foyer client', role: 'foyer', foyerIds });
    const firstBatch = await createYouths(serviceUrl, client.key, foyerIds, 2000, CONNECTIONS);
    step(`  ${firstBatch.ids.length} youths at ${Math.round(firstBatch.perSecond)} youths/s`);
    // The youth creation rate is a first guess of the intake rate; the warm-up refines it.
    const warmupNeed = Math.ceil(firstBatch.perSecond * 2.5 * WARMUP_S) + 500;
    const warmupIds = firstBatch.ids.concat(
      warmupNeed > firstBatch.ids.length ? (await createYouths(serviceUrl, client.key, foyerIds, warmupNeed - firstBatch.ids.length, CONNECTIONS)).ids : [],
    );

    // --- B: the raw baseline ---
    const baseline = await startReferenceServer({
      name: 'baseline',
      script: 'bench/raw-baseline.mjs',
      database: BASELINE_DB,
      queuePrefix: BASELINE_PREFIX,
      log,
      logPath,
    });
    baselineChild = baseline.child;
    step(`started the raw baseline on port ${baseline.port}`);
    const b = await runReferencePhase('B', admin, BASELINE_DB, baseline, step);
    await stopChild(baselineChild);

    // --- F: the NestJS floor (informational) ---
    // B's work through NestJS + Express + ValidationPipe, run while the service idles, like B.
    const floor = await startReferenceServer({
      name: 'NestJS floor',
      script: 'bench/nest-floor.mjs',
      database: FLOOR_DB,
      queuePrefix: FLOOR_PREFIX,
      log,
      logPath,
      env: { BENCH_FLOOR_EXTRA_QUERY: FLOOR_EXTRA_QUERY ? '1' : '0' },
    });
    floorChild = floor.child;
    step(`started the NestJS floor on port ${floor.port}${FLOOR_EXTRA_QUERY ? ' (with one extra SELECT 1 per request)' : ''}`);
    const f = await runReferencePhase('F', admin, FLOOR_DB, floor, step);
    await stopChild(floorChild);

    // --- M: the least the specification asks (informational) ---
    // Like S, M's worker shares the process: its rate counts only if the worker kept up, so the
    // episodes left unclassified at the end are counted and then waited for.
    const minimalServer = await startReferenceServer({
      name: 'minimal service',
      script: 'bench/nest-floor.mjs',
      database: MINIMAL_DB,
      queuePrefix: MINIMAL_PREFIX,
      log,
      logPath,
      env: { BENCH_FLOOR_MINIMAL: '1' },
    });
    minimalChild = minimalServer.child;
    step(`started the minimal service on port ${minimalServer.port}`);
    const m = await runReferencePhase('M', admin, MINIMAL_DB, minimalServer, step, async (result) => {
      const unclassified = async () =>
        Number((await queryDatabase(MINIMAL_DB, `SELECT count(*) AS n FROM baseline_fugues WHERE classification IS NULL`)).rows[0].n);
      result.backlogAtEnd = await unclassified();
      const drainStarted = Date.now();
      await waitFor('the minimal service to classify its backlog', async () => (await unclassified()) === 0, 120_000, 200);
      result.drainS = Math.round((Date.now() - drainStarted) / 100) / 10;
      result.endToEndPerSecond = Math.round(result.status2xx / (result.durationS + result.drainS));
    });
    await stopChild(minimalChild);

    // --- S: the service ---
    step(`S warm-up ${WARMUP_S} s`);
    const warmupPool = youthPool(warmupIds);
    // The service gets faster as it warms up: the pool of S is sized on the best second of the warm-up.
    let peakRate = 0;
    const warm = await runDeclarations({
      url: serviceUrl,
      key: client.key,
      duration: WARMUP_S,
      connections: CONNECTIONS,
      nextYouthId: warmupPool.take,
      onSecond: (count) => (peakRate = Math.max(peakRate, count)),
    });
    const warmRate = warm['2xx'] / warm.duration;
    const measuredNeed = Math.ceil(Math.max(peakRate, warmRate) * (warmupPool.exhausted ? 2.5 : 1.6) * DURATION_S) + 1000;
    step(`  warm-up served ${Math.round(warmRate)} req/s (best second ${peakRate})${warmupPool.exhausted ? ', youth pool exhausted: larger margin' : ''}; ` +
      `waiting for the outbox backlog, then creating ${measuredNeed} youths`);
    await waitForOutboxDrained(120_000);
    const measuredPool = youthPool((await createYouths(serviceUrl, client.key, foyerIds, measuredNeed, CONNECTIONS)).ids);
    step(`S measured ${DURATION_S} s`);
    // The CPU and transactions of S include the jobs (triage, webhook fan-out) of every episode it declared.
    const s = await measured(
      admin,
      SERVICE_DB,
      service.pid,
      () => runDeclarations({ url: serviceUrl, key: client.key, duration: DURATION_S, connections: CONNECTIONS, nextYouthId: measuredPool.take }),
      async (result) => {
        result.outboxBacklogAtEnd = await outboxBacklog();
        const drainStarted = Date.now();
        await waitForOutboxDrained(120_000);
        result.outboxDrainS = Math.round((Date.now() - drainStarted) / 100) / 10;
        // Declarations accepted and fully processed per second, counting the time the worker needed to catch up.
        result.endToEndPerSecond = Math.round(result.status2xx / (result.durationS + result.outboxDrainS));
      },
    );
    s.youthPool = { size: measuredNeed, used: measuredPool.used(), exhausted: measuredPool.exhausted };
    step(`  ${s.requestsPerSecond} req/s; outbox backlog ${backlogText(s.outboxBacklogAtEnd)} drained in ${s.outboxDrainS} s`);

    // --- T: triage latency at half the sustained rate ---
    const offeredRate = TRIAGE_RATE ?? Math.max(1, Math.round(s.requestsPerSecond / 2));
    const triageNeed = Math.ceil(offeredRate * DURATION_S * 1.2) + 500;
    step(`creating ${triageNeed} youths for the triage phase`);
    const triageIds = (await createYouths(serviceUrl, client.key, foyerIds, triageNeed, CONNECTIONS)).ids;
    const triagePool = youthPool(triageIds);
    step(`T ${DURATION_S} s at ${offeredRate} req/s (${TRIAGE_RATE ? 'BENCH_TRIAGE_RATE' : '50 % of S'})`);
    const t = await runPacedDeclarations({
      url: serviceUrl,
      key: client.key,
      duration: DURATION_S,
      rate: offeredRate,
      connections: CONNECTIONS,
      nextYouthId: triagePool.take,
    });
    const usedIds = triageIds.slice(0, triagePool.used());
    const episodes = await waitFor(
      'every episode of the triage phase to be classified',
      async () => {
        const { rows } = await serviceQuery(
          `SELECT count(*)::int AS declared, count(c.id)::int AS classified
             FROM fugues f LEFT JOIN fugue_classifications c ON c.fugue_id = f.id AND c.cause = 'declared'
            WHERE f.youth_id = ANY($1::uuid[])`,
          [usedIds],
        );
        return rows[0].declared > 0 && rows[0].declared === rows[0].classified ? rows[0].declared : null;
      },
      120_000,
      250,
    );
    const { rows: latencyRows } = await serviceQuery(
      `SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1)::float AS p50,
              round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1)::float AS p99,
              round(max(ms)::numeric, 1)::float AS max
         FROM (SELECT EXTRACT(EPOCH FROM c.created_at - f.created_at) * 1000 AS ms
                 FROM fugues f JOIN fugue_classifications c ON c.fugue_id = f.id AND c.cause = 'declared'
                WHERE f.youth_id = ANY($1::uuid[])) latencies`,
      [usedIds],
    );

    // --- verdict ---
    const ratio = b.requestsPerSecond > 0 ? s.requestsPerSecond / b.requestsPerSecond : 0;
    // Informational: no goal, not part of the exit code.
    const floorRatio = b.requestsPerSecond > 0 ? f.requestsPerSecond / b.requestsPerSecond : 0;
    const minimalRatio = b.requestsPerSecond > 0 ? m.requestsPerSecond / b.requestsPerSecond : 0;
    const sClean = s.non2xx === 0 && s.errors === 0 && s.timeouts === 0;
    const bClean = b.non2xx === 0 && b.errors === 0 && b.timeouts === 0;
    const tClean = t.non2xx === 0 && t.errors === 0 && t.timeouts === 0;
    const triageLatency = latencyRows[0];
    const results = {
      startedAt: startedAt.toISOString(),
      settings: {
        cpus: availableParallelism(),
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        durationS: DURATION_S,
        warmupS: WARMUP_S,
        connections: CONNECTIONS,
        databasePoolSize: POOL_SIZE,
        triageRateFromEnv: TRIAGE_RATE !== null,
        floorExtraQuery: FLOOR_EXTRA_QUERY,
      },
      baseline: b,
      floor: f,
      minimal: m,
      service: s,
      ratio: Math.round(ratio * 100) / 100,
      floorRatio: Math.round(floorRatio * 100) / 100,
      minimalRatio: Math.round(minimalRatio * 100) / 100,
      triage: { offeredRate, load: t, episodes, latencyMs: triageLatency },
      goals: {
        intake: {
          pass: ratio >= GOALS.ratio && sClean,
          detail:
            `ratio ${ratio.toFixed(2)}, S non-2xx ${s.non2xx}, errors ${s.errors}, timeouts ${s.timeouts}` +
            (bClean ? '' : '; the baseline itself had failures') +
            (s.youthPool.exhausted ? '; the youth pool ran out (409s): this run is not valid' : ''),
        },
        triage: {
          pass: triageLatency.p99 !== null && triageLatency.p99 <= GOALS.triageP99Ms && tClean,
          detail: `p99 ${triageLatency.p99} ms` + (tClean ? '' : `, with ${t.non2xx} non-2xx and ${t.errors} errors under load`),
        },
      },
    };
    const resultsPath = join(RESULTS_DIR, `intake-${stamp}.json`);
    writeFileSync(resultsPath, JSON.stringify(results, null, 2) + '\n');
    report(results);
    step(`results written to ${resultsPath} (process logs: ${logPath})`);
    return results.goals.intake.pass && results.goals.triage.pass ? 0 : 1;
  } finally {
    await Promise.allSettled([service, baselineChild, floorChild, minimalChild].filter(Boolean).map((c) => stopChild(c)));
    if (!KEEP_DB) {
      for (const database of [SERVICE_DB, BASELINE_DB, FLOOR_DB, MINIMAL_DB]) {
        await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
      }
    }
    for (const prefix of [SERVICE_PREFIX, BASELINE_PREFIX, FLOOR_PREFIX, MINIMAL_PREFIX]) await deleteRedisPrefix(redis, prefix).catch(() => undefined);
    redis.disconnect();
    await admin.end();
    log.end();
  }
}

/** Queries the service's database through a short-lived client. */
function serviceQuery(sql, params) {
  return queryDatabase(SERVICE_DB, sql, params);
}

/** Queries one of the bench databases through a short-lived client. */
async function queryDatabase(database, sql, params) {
  const client = new pg.Client({ connectionString: databaseUrl(database) });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

/** Outbox rows not processed yet, by job name: the work the declarations left to the worker. */
async function outboxBacklog() {
  const { rows } = await serviceQuery(`SELECT job_name, count(*)::int AS n FROM outbox WHERE processed_at IS NULL GROUP BY job_name ORDER BY job_name`);
  return Object.fromEntries(rows.map((r) => [r.job_name, r.n]));
}

async function waitForOutboxDrained(timeoutMs) {
  await waitFor('the outbox backlog to drain', async () => Object.keys(await outboxBacklog()).length === 0, timeoutMs, 200);
}

/**
 * Runs one measured phase and adds what it cost: share of the machine busy during the load, then,
 * once `settle` has let the server finish the work the load caused (the service's triage backlog),
 * CPU of the server process and PostgreSQL transactions committed in its database per request.
 * pg_stat_database is fed by each backend at most once a second, so the count is approximate
 * (within a few per cent on a 20 s phase).
 */
async function measured(admin, database, pid, run, settle) {
  const cpuBefore = cpuSeconds(pid);
  const machineBefore = machineJiffies();
  const xactBefore = await committedTransactions(admin, database);
  const result = summarize(await run());
  const machineAfter = machineJiffies();
  await settle(result);
  const cpuAfter = cpuSeconds(pid);
  // Let the backends report their last statistics (they do when idle, at most once a second).
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await admin.query('SELECT pg_stat_clear_snapshot()');
  const xactAfter = await committedTransactions(admin, database);
  const served = result.totalRequests || 1;
  result.cpuMsPerRequest = cpuBefore !== null && cpuAfter !== null ? Math.round(((cpuAfter - cpuBefore) * 1000 * 100) / served) / 100 : null;
  result.machineBusyPercent = machineBefore && machineAfter
    ? Math.round(((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * 100)
    : null;
  result.pgTransactionsPerRequest = Math.round(((xactAfter - xactBefore) / served) * 100) / 100;
  return result;
}

runMain(main);
