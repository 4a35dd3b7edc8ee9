// `npm run bench:intake`: intake throughput and triage latency, measured side by side in one run
// (docs/performance.md). Phases, one after another: R, then F and M when asked, then B and S in
// rounds (see below), then T:
//   R  the request-only baseline (bench/raw-baseline.mjs: bare node:http, one pg INSERT, one
//      BullMQ add, nobody runs the jobs), 20 s closed loop. Informational;
//   B  the fair baseline (bench/raw-baseline.mjs with BENCH_BASELINE_WORKER=1): R plus a BullMQ
//      worker in the same process (concurrency 32) that reads each episode and writes its
//      classification. BENCH_DECLARATIONS (3,000) declarations in a closed loop on 32
//      connections, counted until the last one is classified: declared and classified per second;
//   F, M (only with BENCH_FLOOR_PHASES=1, informational) the NestJS floor (bench/nest-floor.mjs),
//      20 s closed loop, and the minimal service (the same with an API-key lookup and B's worker),
//      counted as B;
//   S  the service as `npm start` runs it (API + worker in one process), POST /v1/fugues, counted
//      as B: the same number of declarations, until every one is classified;
//      B and S run in BENCH_ROUNDS (3) rounds, B then S in each: a shared VM's speed drifts from
//      one minute to the next, so each round gives its own S/B and the goal reads their median.
//      Every counted phase follows its own warm-up (BENCH_WARMUP_S in the first round, ten
//      declarations per connection in the next ones), so that each side starts on open
//      connections: `pg`'s pools close a connection idle for 10 s, about as long as the other
//      side's phase lasts;
//   T  the service again at half of S's rate (the median round's; paced, see
//      runPacedDeclarations), then POST → stored classification from SQL.
// Goal: the median S/B ≥ 0.4 with 0 errors and every episode of every round classified; triage
// p99 ≤ 250 ms.
// Settings (environment): BENCH_DECLARATIONS (3000: B, M and S), BENCH_ROUNDS (3: B and S),
// BENCH_DURATION_S (20: R, F and T),
// BENCH_WARMUP_S (20), BENCH_CONNECTIONS (32), BENCH_CLASSIFY_TIMEOUT_S (120: how long B, M and S may
// take to classify their backlog after the last answer), BENCH_TRIAGE_RATE (requests/s of the
// triage phase; default half of S), BENCH_FLOOR_PHASES=1 adds F and M, BENCH_FLOOR_EXTRA_QUERY=1
// makes F run one `SELECT 1` per request in a guard, BENCH_FLOOR_ADAPTER (express; or fastify: F and
// M on Nest's Fastify adapter instead), BENCH_PG_URL
// (postgres://postgres@127.0.0.1:5432/postgres), REDIS_URL (redis://127.0.0.1:6379),
// BENCH_KEEP_DB=1 keeps the bench databases for inspection, BENCH_PROFILE=1 records a CPU profile
// of the service during S1 only (bench/cpu-profile.mjs; run node with --experimental-websocket),
// BENCH_SERVICE_DIST (dist) the build the service runs from, to compare builds.
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
  CLOCK_TICKS_PER_SECOND,
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
  processStat,
  processTreeCpuSeconds,
  positiveInt,
  recreateDatabase,
  REDIS_URL,
  RESULTS_DIR,
  runMain,
  spawnChild,
  stopChild,
  waitFor,
} from './bench-common.mjs';
import { startProfiling, summarizeProfile } from './cpu-profile.mjs';

const DECLARATIONS = positiveInt('BENCH_DECLARATIONS', 3000);
const DURATION_S = positiveInt('BENCH_DURATION_S', 20);
const WARMUP_S = positiveInt('BENCH_WARMUP_S', 20);
const CONNECTIONS = positiveInt('BENCH_CONNECTIONS', 32);
/** Offered rate of the triage phase; by default half of what S sustained. */
const TRIAGE_RATE = process.env.BENCH_TRIAGE_RATE ? positiveInt('BENCH_TRIAGE_RATE', 0) : null;
/** After the last answer of B or S, how long the worker may take to classify what is left. */
const CLASSIFY_TIMEOUT_S = positiveInt('BENCH_CLASSIFY_TIMEOUT_S', 120);
/**
 * The warm-up of B and S in the rounds after the first: enough to open every connection of their
 * pools again (20 each) and run their statements once on each.
 */
const REWARM_DECLARATIONS = 10 * CONNECTIONS;
/** F and M (bench/nest-floor.mjs) run only when asked: they add about a minute and have no goal. */
const FLOOR_PHASES = process.env.BENCH_FLOOR_PHASES === '1';
/** BENCH_PROFILE=1: a CPU profile of the service over S (the inspector slows it: not a run to quote). */
const PROFILE = process.env.BENCH_PROFILE === '1';
/** The build the service runs from (`dist` as `npm start`); another directory compares two builds in turn. */
const SERVICE_DIST = process.env.BENCH_SERVICE_DIST ?? 'dist';
/**
 * B and S are counted in this many rounds, B then S in each: the speed of a shared VM drifts from
 * one minute to the next, and the median of the rounds' S/B is what the goal reads.
 */
const ROUNDS = positiveInt('BENCH_ROUNDS', 3);

const SERVICE_DB = 'vigie_bench';
const REQUEST_ONLY_DB = 'vigie_bench_request_only';
const BASELINE_DB = 'vigie_bench_baseline';
const FLOOR_DB = 'vigie_bench_floor';
const MINIMAL_DB = 'vigie_bench_minimal';
const SERVICE_PREFIX = 'vigie-bench';
const REQUEST_ONLY_PREFIX = 'vigie-bench-request-only';
const BASELINE_PREFIX = 'vigie-bench-baseline';
const FLOOR_PREFIX = 'vigie-bench-floor';
const MINIMAL_PREFIX = 'vigie-bench-minimal';
/** Passed on to F (bench/nest-floor.mjs): a guard runs `SELECT 1` before each request. */
const FLOOR_EXTRA_QUERY = process.env.BENCH_FLOOR_EXTRA_QUERY === '1';
/** Passed on to F and M (bench/nest-floor.mjs): the HTTP adapter Nest serves them on. */
const FLOOR_ADAPTER = process.env.BENCH_FLOOR_ADAPTER ?? 'express';
if (!['express', 'fastify'].includes(FLOOR_ADAPTER)) {
  process.stderr.write(`BENCH_FLOOR_ADAPTER must be express or fastify, not ${FLOOR_ADAPTER}\n`);
  process.exit(2);
}
/** The rows of F and M name the adapter when it is not the service's own (Express). */
const FLOOR_SUFFIX = FLOOR_ADAPTER === 'express' ? '' : ` (${FLOOR_ADAPTER})`;
/** The service's database pool (libs/persistence data-source.ts); the baseline and the floor get the same. */
const POOL_SIZE = 20;
/** Foyers the bench youths are spread over, all reachable by one foyer API client. */
const FOYER_DEPARTMENTS = ['75', '93', '13', '69'];

const GOALS = { ratio: 0.4, moonshot: 0.5, triageP99Ms: 250 };

// ---------------------------------------------------------------------------------------------
// Small helpers.

async function committedTransactions(admin, name) {
  const { rows } = await admin.query(`SELECT xact_commit::bigint AS n FROM pg_stat_database WHERE datname = $1`, [name]);
  return Number(rows[0]?.n ?? 0);
}

/** Connections PostgreSQL has accepted to a database since its statistics were reset. */
async function openedSessions(admin, name) {
  const { rows } = await admin.query(`SELECT sessions::bigint AS n FROM pg_stat_database WHERE datname = $1`, [name]);
  return Number(rows[0]?.n ?? 0);
}

/**
 * A run of POST /v1/fugues. `nextYouthId` gives a fresh youth per request; when it runs dry the
 * last one is reused (answered 409) and `exhausted` is reported, so a too small pool is visible.
 */
function runDeclarations({ url, key, duration, amount, connections, overallRate, nextYouthId, onSecond }) {
  const headers = { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) };
  const instance = autocannon({
    url,
    connections,
    ...(amount ? { amount } : { duration }),
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

/** R and F: warm-up, then the measured phase, under the same load (a fresh random youth id per request). */
async function runReferencePhase(label, admin, database, server, step) {
  step(`${label} warm-up ${WARMUP_S} s`);
  await runDeclarations({ url: server.url, duration: WARMUP_S, connections: CONNECTIONS, nextYouthId: randomUUID });
  step(`${label} measured ${DURATION_S} s`);
  return measured(
    admin,
    database,
    server.child.pid,
    () => runDeclarations({ url: server.url, duration: DURATION_S, connections: CONNECTIONS, nextYouthId: randomUUID }),
  );
}

/**
 * B and M, counted as S is: a warm-up first (`warmUp`: 'full', BENCH_WARMUP_S; 'short',
 * REWARM_DECLARATIONS); the episodes declared before are classified and then deleted; then
 * DECLARATIONS declarations (a fresh random youth id each) until every one is classified in the
 * server's `baseline_fugues` (bench/baseline-work.mjs).
 */
async function countedReferencePhase({ label, admin, database, server, step, warmUp }) {
  const client = await openClient(database);
  try {
    const unclassified = async () => Number((await client.query(`SELECT count(*) AS n FROM baseline_fugues WHERE classified_at IS NULL`)).rows[0].n);
    step(`${label} warm-up ${warmUpLength(warmUp).text}`);
    await runDeclarations({ url: server.url, ...warmUpLength(warmUp).load, connections: CONNECTIONS, nextYouthId: randomUUID });
    await waitFor(`${label} to classify its earlier episodes`, async () => (await unclassified()) === 0, CLASSIFY_TIMEOUT_S * 1000, 200);
    await client.query('TRUNCATE baseline_fugues');
    step(`${label} ${DECLARATIONS} declarations, then until all are classified`);
    return await countedPhase({
      admin,
      database,
      pid: server.child.pid,
      url: server.url,
      nextYouthId: randomUUID,
      progress: async () => {
        const { rows } = await client.query(
          `SELECT count(classified_at)::int AS classified, (EXTRACT(EPOCH FROM max(classified_at)) * 1000)::float AS last FROM baseline_fugues`,
        );
        return { classified: rows[0].classified, lastClassifiedMs: rows[0].last };
      },
    });
  } finally {
    await client.end();
  }
}

/** How long a warm-up lasts: 'full', BENCH_WARMUP_S; 'short', REWARM_DECLARATIONS. */
function warmUpLength(warmUp) {
  return warmUp === 'full'
    ? { text: `${WARMUP_S} s`, load: { duration: WARMUP_S } }
    : { text: `${REWARM_DECLARATIONS} declarations`, load: { amount: REWARM_DECLARATIONS } };
}

/**
 * One counted phase of the service (S): a warm-up first (`warmUp` as B's, each declaration with a
 * fresh youth of `warmUpIds`), until its episodes are classified and the outbox has drained; then
 * DECLARATIONS declarations, each with a fresh youth of `measuredIds`, until every one has its
 * classification (cause `declared`). With `profile`, a CPU profile of the service covers the
 * counted declarations only.
 */
async function countedServicePhase({ label, admin, pid, url, key, warmUp, warmUpIds, measuredIds, profile, step }) {
  const warmUpPool = youthPool(warmUpIds);
  step(`${label} warm-up ${warmUpLength(warmUp).text}`);
  const warm = await runDeclarations({ url, key, ...warmUpLength(warmUp).load, connections: CONNECTIONS, nextYouthId: warmUpPool.take });
  step(`  warm-up served ${Math.round(warm['2xx'] / warm.duration)} req/s${warmUpPool.exhausted ? ' (youth pool exhausted: some 409s)' : ''}`);
  step(`${label}: waiting for the warm-up's episodes to be classified and the outbox backlog to drain`);
  await waitForClassified(warmUpIds.slice(0, warmUpPool.used()), CLASSIFY_TIMEOUT_S * 1000);
  await waitForOutboxDrained(CLASSIFY_TIMEOUT_S * 1000);

  const measuredPool = youthPool(measuredIds);
  step(`${label} ${DECLARATIONS} declarations, then until all are classified`);
  const serviceClient = await openClient(SERVICE_DB);
  const profiler = profile ? await startProfiling(profile.inspectPort) : null;
  let s;
  try {
    s = await countedPhase({
      admin,
      database: SERVICE_DB,
      pid,
      url,
      key,
      nextYouthId: measuredPool.take,
      progress: async () => {
        const { rows } = await serviceClient.query(
          `SELECT count(*)::int AS classified, (EXTRACT(EPOCH FROM max(c.created_at)) * 1000)::float AS last
             FROM fugues f JOIN fugue_classifications c ON c.fugue_id = f.id AND c.cause = 'declared'
            WHERE f.youth_id = ANY($1::uuid[])`,
          [measuredIds],
        );
        return { classified: rows[0].classified, lastClassifiedMs: rows[0].last };
      },
    });
  } finally {
    await serviceClient.end();
  }
  if (profiler) {
    const summary = summarizeProfile(await profiler.stop(profile.path));
    writeFileSync(profile.path.replace(/\.cpuprofile$/, '.profile.txt'), summary + '\n');
    step(`CPU profile of the service during ${label} written to ${profile.path}\n${summary}`);
  }
  s.outboxBacklogAtClassified = await outboxBacklog();
  s.youthPool = { size: measuredIds.length, used: measuredPool.used(), exhausted: measuredPool.exhausted };
  step(`  ${s.perSecond} declared and classified per second (${s.classified}/${s.declared} in ${s.totalS} s)`);
  return s;
}

// ---------------------------------------------------------------------------------------------
// The service and its fixtures.

// ---------------------------------------------------------------------------------------------
// Counted phases (B and S): a fixed number of declarations, then until every one is classified.

/**
 * Sends DECLARATIONS declarations in a closed loop on CONNECTIONS connections, then polls
 * `progress()` (`{ classified, lastClassifiedMs }`, read in the server's database) until every
 * declaration answered 2xx is classified, or CLASSIFY_TIMEOUT_S after the last answer. The rate is
 * the episodes declared and classified ÷ the time from the first request to the last stored
 * classification (the database's clock_timestamp() of that write, so the polling interval does not
 * count) or to the last answer, whichever comes later. CPU of the server process, machine busy and PostgreSQL commits cover the same span.
 */
async function countedPhase({ admin, database, pid, url, key, nextYouthId, progress }) {
  const cpuBefore = cpuSeconds(pid);
  const sharedBefore = sharedCpuSeconds();
  const machineBefore = machineJiffies();
  const xactBefore = await committedTransactions(admin, database);
  const sessionsBefore = await openedSessions(admin, database);
  const startedMs = Date.now();
  const instance = runDeclarations({ url, key, amount: DECLARATIONS, connections: CONNECTIONS, nextYouthId });
  // autocannon settles on its next one-second tick after the last answer: the end of the load is
  // the time of that answer, or a whole phase of three or four seconds would count up to one too many.
  let lastAnswerMs = startedMs;
  instance.on('response', () => {
    lastAnswerMs = Date.now();
  });
  const load = await instance;
  const loadEndedMs = lastAnswerMs;
  const declared = load['2xx'];
  let state = await progress();
  const unclassifiedAtLastAnswer = declared - state.classified;
  const deadline = Date.now() + CLASSIFY_TIMEOUT_S * 1000;
  while (state.classified < declared && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    state = await progress();
  }
  const machineAfter = machineJiffies();
  const cpuAfter = cpuSeconds(pid);
  const sharedAfter = sharedCpuSeconds();
  const allClassified = state.classified >= declared;
  // Declared means answered: the end is the later of the last answer and the last classification.
  const endMs = allClassified && state.lastClassifiedMs ? Math.max(state.lastClassifiedMs, loadEndedMs) : Date.now();
  const totalS = (endMs - startedMs) / 1000;
  const loadS = (loadEndedMs - startedMs) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await admin.query('SELECT pg_stat_clear_snapshot()');
  const xactAfter = await committedTransactions(admin, database);
  const sessionsAfter = await openedSessions(admin, database);
  const per = Math.max(1, declared);
  return {
    sent: load.requests.total,
    declared,
    classified: state.classified,
    allClassified,
    unclassifiedAtLastAnswer,
    loadS: round(loadS, 2),
    totalS: round(totalS, 2),
    declaredPerSecond: Math.round(declared / loadS),
    perSecond: Math.round(Math.min(declared, state.classified) / totalS),
    latencyMs: { p50: load.latency.p50, p90: load.latency.p90, p99: load.latency.p99, max: load.latency.max },
    non2xx: load.non2xx,
    statusCodes: Object.fromEntries(Object.entries(load.statusCodeStats).map(([code, st]) => [code, st.count])),
    errors: load.errors,
    timeouts: load.timeouts,
    cpuMsPerDeclaration: perDeclaration(cpuBefore, cpuAfter, per),
    pgTransactionsPerDeclaration: round((xactAfter - xactBefore) / per, 2),
    pgSessionsOpened: sessionsAfter - sessionsBefore,
    machineBusyPercent:
      machineBefore && machineAfter ? Math.round(((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * 100) : null,
    cpuMsPerDeclarationBy: {
      postgres: perDeclaration(sharedBefore.postgres, sharedAfter.postgres, per),
      redis: perDeclaration(sharedBefore.redis, sharedAfter.redis, per),
      bench: perDeclaration(sharedBefore.bench, sharedAfter.bench, per),
      machine:
        machineBefore && machineAfter ? round(((machineAfter.busy - machineBefore.busy) * (1000 / CLOCK_TICKS_PER_SECOND)) / per, 2) : null,
    },
  };
}

/**
 * The processes besides the server that share the machine during a counted phase: the PostgreSQL
 * cluster (its postmaster and backends), Redis, and this bench (autocannon runs in it). Found once
 * at start; a pid stays null when the process is not on this machine.
 */
const shared = { postmasterPid: null, redisPid: null };

async function findSharedProcesses(admin, redis) {
  // The pid PostgreSQL or Redis reports names a process of this machine only if it runs here.
  const backend = processStat(Number((await admin.query('SELECT pg_backend_pid() AS pid')).rows[0].pid));
  shared.postmasterPid = backend?.command === 'postgres' && processStat(backend.parentPid)?.command === 'postgres' ? backend.parentPid : null;
  const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
  shared.redisPid = processStat(redisPid)?.command === 'redis-server' ? redisPid : null;
}

function sharedCpuSeconds() {
  const own = process.cpuUsage();
  return {
    postgres: shared.postmasterPid ? processTreeCpuSeconds(shared.postmasterPid) : null,
    redis: shared.redisPid ? cpuSeconds(shared.redisPid) : null,
    bench: (own.user + own.system) / 1e6,
  };
}

function perDeclaration(before, after, per) {
  return before !== null && after !== null ? round(((after - before) * 1000) / per, 2) : null;
}

/** The round whose S/B is the median (the lower of the two middle ones for an even count). */
function medianRound(rounds) {
  const sorted = [...rounds].sort((a, b) => a.ratio - b.ratio);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function round(value, digits) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** A client kept open on one bench database for the polling of a counted phase. */
async function openClient(database) {
  const client = new pg.Client({ connectionString: databaseUrl(database) });
  await client.connect();
  return client;
}

// ---------------------------------------------------------------------------------------------
// Report.

function row(label, s) {
  return [
    label.padEnd(26),
    pad(s.requestsPerSecond, 8),
    pad(s.latencyMs.p50, 8),
    pad(s.latencyMs.p99, 8),
    pad(s.status2xx, 8),
    pad(s.non2xx, 8),
    pad(s.errors, 7),
    pad(s.timeouts, 9),
    pad(s.cpuMsPerRequest ?? '-', 11),
    pad(s.pgTransactionsPerRequest ?? '-', 11),
    pad(s.machineBusyPercent ?? '-', 5),
  ].join(' ');
}

function countedRow(label, c) {
  return [
    label.padEnd(26),
    pad(c.perSecond, 8),
    pad(`${c.classified}/${c.declared}`, 11),
    pad(c.totalS, 8),
    pad(c.declaredPerSecond, 7),
    pad(c.loadS, 7),
    pad(c.latencyMs.p50, 7),
    pad(c.latencyMs.p99, 7),
    pad(c.non2xx, 8),
    pad(c.errors, 7),
    pad(c.timeouts, 9),
    pad(c.cpuMsPerDeclaration ?? '-', 12),
    pad(c.pgTransactionsPerDeclaration, 13),
    pad(c.machineBusyPercent ?? '-', 5),
  ].join(' ');
}

function cpuRow(label, c) {
  const by = c.cpuMsPerDeclarationBy;
  return [label.padEnd(26), pad(c.cpuMsPerDeclaration ?? '-', 8), pad(by.postgres ?? '-', 9), pad(by.redis ?? '-', 7), pad(by.bench ?? '-', 7), pad(by.machine ?? '-', 8)].join(' ');
}

function backlogText(backlog) {
  const entries = Object.entries(backlog);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  return entries.length === 0 ? '0 jobs' : `${total} jobs (${entries.map(([name, n]) => `${name} ${n}`).join(', ')})`;
}

function report(results) {
  const { settings, requestOnly, rounds, floor, minimal, triage, goals } = results;
  const counted = rounds.flatMap((c, i) => [
    [`B${i + 1} fair baseline`, c.baseline],
    [`S${i + 1} service (npm start)`, c.service],
  ]);
  const lines = [
    '',
    `Intake benchmark — ${settings.cpus} CPU(s) ${settings.cpuModel}, node ${settings.node}, ` +
      `${settings.declarations} declarations per counted phase, ${settings.connections} connections, closed loop`,
    '',
    'Counted phases: the declarations, then until every episode is classified (decl+cls/s = classified ÷ first request → last classification)',
    [
      ''.padEnd(26),
      pad('decl+cls/s', 8),
      pad('classified', 11),
      pad('total s', 8),
      pad('decl/s', 7),
      pad('load s', 7),
      pad('p50 ms', 7),
      pad('p99 ms', 7),
      pad('non-2xx', 8),
      pad('errors', 7),
      pad('timeouts', 9),
      pad('CPU ms/decl', 12),
      pad('PG xact/decl', 13),
      pad('busy%', 5),
    ].join(' '),
    ...(minimal ? [countedRow(`M minimal service${FLOOR_SUFFIX}`, minimal)] : []),
    ...counted.map(([label, c]) => countedRow(label, c)),
    '',
    'CPU per declaration over each counted phase, ms (the server process; the PostgreSQL cluster; Redis; this bench, autocannon included; the whole machine, busy):',
    [''.padEnd(26), pad('server', 8), pad('postgres', 9), pad('redis', 7), pad('bench', 7), pad('machine', 8)].join(' '),
    ...(minimal ? [cpuRow(`M minimal service${FLOOR_SUFFIX}`, minimal)] : []),
    ...counted.map(([label, c]) => cpuRow(label, c)),
    '',
    `S/B per round: ${rounds.map((c) => c.ratio.toFixed(2)).join(', ')}; median ${results.ratio.toFixed(2)}  (goal ≥ ${GOALS.ratio}, moonshot ${GOALS.moonshot})`,
    `  unclassified at the last answer: ${rounds.map((c, i) => `B${i + 1} ${c.baseline.unclassifiedAtLastAnswer}, S${i + 1} ${c.service.unclassifiedAtLastAnswer}`).join('; ')}`,
    `  service outbox backlog once all were classified: ${rounds.map((c, i) => `S${i + 1} ${backlogText(c.service.outboxBacklogAtClassified)}`).join('; ')}`,
    `  PostgreSQL connections opened during the phase: ${rounds.map((c, i) => `B${i + 1} ${c.baseline.pgSessionsOpened}, S${i + 1} ${c.service.pgSessionsOpened}`).join('; ')}`,
    ...(minimal
      ? [
          `M/B: ${results.minimalToBaseline.toFixed(2)}, S/M: ${results.serviceToMinimal.toFixed(2)}  ` +
            `(M: the least a NestJS implementation of the specification does — B's work behind Nest, its ValidationPipe and an API-key lookup; no goal)`,
        ]
      : []),
    '',
    `Informational (no goal), ${settings.durationS} s closed loop after ${settings.warmupS} s warm-up, ${settings.connections} connections:`,
    [
      ''.padEnd(26),
      pad('req/s', 8),
      pad('p50 ms', 8),
      pad('p99 ms', 8),
      pad('2xx', 8),
      pad('non-2xx', 8),
      pad('errors', 7),
      pad('timeouts', 9),
      pad('CPU ms/req', 11),
      pad('PG xact/req', 11),
      pad('busy%', 5),
    ].join(' '),
    row('R request-only baseline', requestOnly),
    ...(floor ? [row(`F NestJS floor${FLOOR_SUFFIX}`, floor)] : []),
    `  R: B without the worker (jobs enqueued, never run). S/R ${results.requestOnlyRatio.toFixed(2)}, B/R ${results.baselineToRequestOnly.toFixed(2)} (declared and classified ÷ requests)` +
      (floor ? `; F/R ${results.floorRatio.toFixed(2)}` : ''),
    '',
    `Triage at ${settings.triageRateFromEnv ? 'BENCH_TRIAGE_RATE' : '~50 % of the median S'}: ${triage.offeredRate} req/s offered for ${settings.durationS} s ` +
      `(${triage.load.slices} paced senders, ${triage.load.connections} connections), ` +
      `${triage.load.requestsPerSecond} req/s served, POST p50 ${triage.load.latencyMs.p50} ms / p99 ${triage.load.latencyMs.p99} ms, ` +
      `non-2xx ${triage.load.non2xx}, errors ${triage.load.errors}`,
    `  POST → stored classification (cause declared, n=${triage.episodes}): ` +
      `p50 ${triage.latencyMs.p50} ms, p99 ${triage.latencyMs.p99} ms, max ${triage.latencyMs.max} ms`,
    '',
    'Goals (quality.md § Performance):',
    `  intake: median S/B ≥ ${GOALS.ratio}, 0 errors, every episode classified ${goals.intake.pass ? 'PASS' : 'FAIL'} (${goals.intake.detail})`,
    `  intake moonshot: median S/B ≥ ${GOALS.moonshot} (not part of the exit code) ${goals.moonshot.pass ? 'PASS' : 'FAIL'}`,
    `  triage: p99 POST → classification ≤ ${GOALS.triageP99Ms} ms ........... ${goals.triage.pass ? 'PASS' : 'FAIL'} (${goals.triage.detail})`,
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

  const databases = [SERVICE_DB, REQUEST_ONLY_DB, BASELINE_DB, ...(FLOOR_PHASES ? [FLOOR_DB, MINIMAL_DB] : [])];
  const prefixes = [SERVICE_PREFIX, REQUEST_ONLY_PREFIX, BASELINE_PREFIX, ...(FLOOR_PHASES ? [FLOOR_PREFIX, MINIMAL_PREFIX] : [])];
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: 1 });
  await findSharedProcesses(admin, redis);
  const started = [];
  let service = null;

  try {
    step(`recreating databases ${databases.join(', ')}, clearing Redis prefixes ${prefixes.map((p) => `${p}:`).join(', ')}`);
    for (const database of databases) await recreateDatabase(admin, database);
    for (const prefix of prefixes) await deleteRedisPrefix(redis, prefix);

    // --- the service, as `npm start` runs it ---
    const adminKey = `bench_admin_${randomBytes(24).toString('base64url')}`;
    const servicePort = await freePort();
    const serviceUrl = `http://127.0.0.1:${servicePort}`;
    const inspectPort = PROFILE ? await freePort() : null;
    step(`starting the service on port ${servicePort} (migrations run at start)${PROFILE ? `, inspector on ${inspectPort}` : ''}`);
    service = spawnChild(
      'service',
      [...(PROFILE ? [`--inspect=127.0.0.1:${inspectPort}`] : []), '--enable-source-maps', join(SERVICE_DIST, 'apps/standalone/src/main.js')],
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
    // The youth creation rate is a first guess of the intake rate.
    const warmupNeed = Math.ceil(firstBatch.perSecond * 2.5 * WARMUP_S) + 500;
    const warmupIds = firstBatch.ids.concat(
      warmupNeed > firstBatch.ids.length ? (await createYouths(serviceUrl, client.key, foyerIds, warmupNeed - firstBatch.ids.length, CONNECTIONS)).ids : [],
    );
    // Every declaration of S takes a fresh youth; autocannon may send a few more than `amount`.
    const measuredIdsByRound = [];
    const warmUpIdsByRound = [warmupIds];
    for (let i = 0; i < ROUNDS; i++) {
      measuredIdsByRound.push((await createYouths(serviceUrl, client.key, foyerIds, DECLARATIONS + CONNECTIONS + 100, CONNECTIONS)).ids);
      if (i > 0) warmUpIdsByRound.push((await createYouths(serviceUrl, client.key, foyerIds, REWARM_DECLARATIONS + CONNECTIONS, CONNECTIONS)).ids);
    }
    step(
      `  ${warmupIds.length} youths for the warm-up of S, ${measuredIdsByRound.map((ids) => ids.length).join(' + ')} for its ${ROUNDS} round(s), ` +
        `${warmUpIdsByRound.slice(1).map((ids) => ids.length).join(' + ') || 'none'} for the warm-ups of the later rounds`,
    );

    // --- R: the request-only baseline (informational) ---
    const requestOnly = await startReferenceServer({
      name: 'request-only baseline',
      script: 'bench/raw-baseline.mjs',
      database: REQUEST_ONLY_DB,
      queuePrefix: REQUEST_ONLY_PREFIX,
      log,
      logPath,
    });
    started.push(requestOnly.child);
    step(`started the request-only baseline on port ${requestOnly.port}`);
    const r = await runReferencePhase('R', admin, REQUEST_ONLY_DB, requestOnly, step);
    await stopChild(requestOnly.child);

    // --- F and M (informational, BENCH_FLOOR_PHASES=1) ---
    let f = null;
    let m = null;
    if (FLOOR_PHASES) {
      const floor = await startReferenceServer({
        name: 'NestJS floor',
        script: 'bench/nest-floor.mjs',
        database: FLOOR_DB,
        queuePrefix: FLOOR_PREFIX,
        log,
        logPath,
        env: { BENCH_FLOOR_EXTRA_QUERY: FLOOR_EXTRA_QUERY ? '1' : '0', BENCH_FLOOR_ADAPTER: FLOOR_ADAPTER },
      });
      started.push(floor.child);
      step(`started the NestJS floor${FLOOR_SUFFIX} on port ${floor.port}${FLOOR_EXTRA_QUERY ? ' (with one extra SELECT 1 per request)' : ''}`);
      f = await runReferencePhase('F', admin, FLOOR_DB, floor, step);
      await stopChild(floor.child);

      const minimalServer = await startReferenceServer({
        name: 'minimal service',
        script: 'bench/nest-floor.mjs',
        database: MINIMAL_DB,
        queuePrefix: MINIMAL_PREFIX,
        log,
        logPath,
        env: { BENCH_FLOOR_MINIMAL: '1', BENCH_FLOOR_ADAPTER: FLOOR_ADAPTER },
      });
      started.push(minimalServer.child);
      step(`started the minimal service${FLOOR_SUFFIX} on port ${minimalServer.port}`);
      m = await countedReferencePhase({ label: 'M', admin, database: MINIMAL_DB, server: minimalServer, step, warmUp: 'full' });
      step(`  ${m.perSecond} declared and classified per second (${m.classified}/${m.declared} in ${m.totalS} s)`);
      await stopChild(minimalServer.child);
    }

    // --- B and S, in rounds: B then S in each ---
    const baselineServer = await startReferenceServer({
      name: 'fair baseline',
      script: 'bench/raw-baseline.mjs',
      database: BASELINE_DB,
      queuePrefix: BASELINE_PREFIX,
      log,
      logPath,
      env: { BENCH_BASELINE_WORKER: '1' },
    });
    started.push(baselineServer.child);
    step(`started the fair baseline (with its triage worker) on port ${baselineServer.port}`);
    const rounds = [];
    for (let i = 1; i <= ROUNDS; i++) {
      const warmUp = i === 1 ? 'full' : 'short';
      const b = await countedReferencePhase({ label: `B${i}`, admin, database: BASELINE_DB, server: baselineServer, step, warmUp });
      step(`  ${b.perSecond} declared and classified per second (${b.classified}/${b.declared} in ${b.totalS} s)`);
      const s = await countedServicePhase({
        label: `S${i}`,
        admin,
        pid: service.pid,
        url: serviceUrl,
        key: client.key,
        warmUp,
        warmUpIds: warmUpIdsByRound[i - 1],
        measuredIds: measuredIdsByRound[i - 1],
        profile: PROFILE && i === 1 ? { inspectPort, path: join(RESULTS_DIR, `intake-${stamp}.service.cpuprofile`) } : null,
        step,
      });
      rounds.push({ baseline: b, service: s, ratio: b.perSecond > 0 ? s.perSecond / b.perSecond : 0 });
    }
    await stopChild(baselineServer.child);
    step('waiting for the outbox backlog');
    await waitForOutboxDrained(CLASSIFY_TIMEOUT_S * 1000);
    const { ratio, baseline: b, service: s } = medianRound(rounds);

    // --- T: triage latency at half the sustained rate ---
    const offeredRate = TRIAGE_RATE ?? Math.max(1, Math.round(s.perSecond / 2));
    const triageNeed = Math.ceil(offeredRate * DURATION_S * 1.2) + 500;
    step(`creating ${triageNeed} youths for the triage phase`);
    const triageIds = (await createYouths(serviceUrl, client.key, foyerIds, triageNeed, CONNECTIONS)).ids;
    const triagePool = youthPool(triageIds);
    step(`T ${DURATION_S} s at ${offeredRate} req/s (${TRIAGE_RATE ? 'BENCH_TRIAGE_RATE' : '50 % of the median S'})`);
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
        const { declared, classified } = await classificationOf(usedIds);
        return declared > 0 && declared === classified ? declared : null;
      },
      CLASSIFY_TIMEOUT_S * 1000,
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
    const ofRequestOnly = (value) => (r.requestsPerSecond > 0 ? round(value / r.requestsPerSecond, 2) : 0);
    const services = rounds.map((c) => c.service);
    const sClean = services.every((c) => c.non2xx === 0 && c.errors === 0 && c.timeouts === 0);
    const sComplete = services.every((c) => c.allClassified && c.declared === DECLARATIONS && !c.youthPool.exhausted);
    const bClean = rounds.every(({ baseline: c }) => c.non2xx === 0 && c.errors === 0 && c.timeouts === 0 && c.allClassified);
    const sum = (key) => services.reduce((total, c) => total + c[key], 0);
    const tClean = t.non2xx === 0 && t.errors === 0 && t.timeouts === 0;
    const triageLatency = latencyRows[0];
    const results = {
      startedAt: startedAt.toISOString(),
      settings: {
        cpus: availableParallelism(),
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        declarations: DECLARATIONS,
        durationS: DURATION_S,
        warmupS: WARMUP_S,
        connections: CONNECTIONS,
        classifyTimeoutS: CLASSIFY_TIMEOUT_S,
        databasePoolSize: POOL_SIZE,
        triageRateFromEnv: TRIAGE_RATE !== null,
        floorPhases: FLOOR_PHASES,
        floorExtraQuery: FLOOR_EXTRA_QUERY,
        floorAdapter: FLOOR_ADAPTER,
        profile: PROFILE,
        serviceDist: SERVICE_DIST,
        rounds: ROUNDS,
      },
      requestOnly: r,
      // Each round's B and S; `baseline` and `service` are those of the round whose S/B is the median.
      rounds: rounds.map((c) => ({ ...c, ratio: round(c.ratio, 2) })),
      baseline: b,
      floor: f,
      minimal: m,
      service: s,
      ratio: round(ratio, 2),
      requestOnlyRatio: ofRequestOnly(s.perSecond),
      baselineToRequestOnly: ofRequestOnly(b.perSecond),
      floorRatio: f ? ofRequestOnly(f.requestsPerSecond) : null,
      minimalToBaseline: m && b.perSecond > 0 ? round(m.perSecond / b.perSecond, 2) : null,
      serviceToMinimal: m && m.perSecond > 0 ? round(s.perSecond / m.perSecond, 2) : null,
      triage: { offeredRate, load: t, episodes, latencyMs: triageLatency },
      goals: {
        intake: {
          pass: ratio >= GOALS.ratio && sClean && sComplete,
          detail:
            `S/B median ${ratio.toFixed(2)} of ${rounds.map((c) => c.ratio.toFixed(2)).join(', ')} (median round: S ${s.perSecond}/s, B ${b.perSecond}/s), ` +
            `S non-2xx ${sum('non2xx')}, errors ${sum('errors')}, timeouts ${sum('timeouts')}, classified ${sum('classified')}/${sum('declared')}` +
            (bClean ? '' : '; the baseline itself had failures or left episodes unclassified') +
            (services.some((c) => c.youthPool.exhausted) ? '; the youth pool ran out (409s): this run is not valid' : ''),
        },
        moonshot: { pass: ratio >= GOALS.moonshot && sClean && sComplete },
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
    await Promise.allSettled([service, ...started].filter(Boolean).map((c) => stopChild(c)));
    if (!KEEP_DB) {
      for (const database of databases) await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    }
    for (const prefix of prefixes) await deleteRedisPrefix(redis, prefix).catch(() => undefined);
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

/** The episodes of these youths, and how many of them have their classification at declaration. */
async function classificationOf(youthIds) {
  const { rows } = await serviceQuery(
    `SELECT count(*)::int AS declared,
            count(*) FILTER (WHERE EXISTS (SELECT 1 FROM fugue_classifications c WHERE c.fugue_id = f.id AND c.cause = 'declared'))::int AS classified
       FROM fugues f
      WHERE f.youth_id = ANY($1::uuid[])`,
    [youthIds],
  );
  return rows[0];
}

/** Until every episode of these youths has its classification at declaration. */
async function waitForClassified(youthIds, timeoutMs) {
  await waitFor(
    'the warm-up episodes to be classified',
    async () => {
      const { declared, classified } = await classificationOf(youthIds);
      return declared === classified;
    },
    timeoutMs,
    200,
  );
}

/**
 * Runs one measured phase and adds what it cost: share of the machine busy during the load, CPU
 * of the server process and PostgreSQL transactions committed in its database per request.
 * pg_stat_database is fed by each backend at most once a second, so the count is approximate
 * (within a few per cent on a 20 s phase).
 */
async function measured(admin, database, pid, run) {
  const cpuBefore = cpuSeconds(pid);
  const machineBefore = machineJiffies();
  const xactBefore = await committedTransactions(admin, database);
  const result = summarize(await run());
  const machineAfter = machineJiffies();
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
