// `npm run bench:lists`: "Lists stay flat" (quality.md § Performance, docs/performance.md).
// GET /v1/fugues?departmentCode=75&level=worrying with a police key for 75, measured with
// autocannon on a table of 10,000 episodes, then on the same table grown to 1,000,000 (first page,
// then the next page through its cursor, then a deep page); p95 ratio 1M / 10k ≤ 1.5 passes.
// The episodes are measurement data written in SQL (generate_series) into the service's own
// database, not declared through the API: only the identity ciphertext of the youths is the
// service's own (one youth created through the API, its identity_enc copied to every bench youth).
// Settings (environment): BENCH_LIST_DURATION_S (10), BENCH_LIST_WARMUP_S (2, before each phase),
// BENCH_LIST_SERVICE_WARMUP_S (10, once, before the first phase),
// BENCH_LIST_CONNECTIONS (8), BENCH_LIST_LIMIT (20, the page size asked), BENCH_LIST_SMALL (10000),
// BENCH_LIST_LARGE (1000000), BENCH_PG_URL, REDIS_URL, BENCH_KEEP_DB=1 keeps the database.
// Exit code: 0 when the goal passes, 1 when it fails, 2 when the bench itself failed.
import { writeFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { availableParallelism, cpus, totalmem } from 'node:os';
import autocannon from 'autocannon';
import IORedis from 'ioredis';
import pg from 'pg';
import {
  KEEP_DB,
  PG_ADMIN_URL,
  REDIS_URL,
  ROOT,
  api,
  birthDateForAge,
  cpuSeconds,
  databaseUrl,
  deleteRedisPrefix,
  machineJiffies,
  openRun,
  pad,
  positiveInt,
  recreateDatabase,
  runMain,
  startService,
  stopChild,
} from './bench-common.mjs';
import { DEPARTMENT_WEIGHTS, insertEpisodes, insertFoyers, insertYouths } from './history-data.mjs';

const DURATION_S = positiveInt('BENCH_LIST_DURATION_S', 10);
const WARMUP_S = positiveInt('BENCH_LIST_WARMUP_S', 2);
/** Before the first phase: a freshly started process is still compiling its hot paths (JIT), which would handicap the 10k phase. */
const SERVICE_WARMUP_S = positiveInt('BENCH_LIST_SERVICE_WARMUP_S', 10);
const CONNECTIONS = positiveInt('BENCH_LIST_CONNECTIONS', 8);
const LIMIT = positiveInt('BENCH_LIST_LIMIT', 20);
const SMALL = positiveInt('BENCH_LIST_SMALL', 10_000);
const LARGE = positiveInt('BENCH_LIST_LARGE', 1_000_000);
/** Episodes per youth on average: youths are added with the episodes, one per this many. */
const EPISODES_PER_YOUTH = 5;
/** The deep page starts after this many rows of the list (keyset: it should cost the same). */
const DEEP_OFFSET = 2000;

const DATABASE = 'vigie_bench_lists';
const QUEUE_PREFIX = 'vigie-bench-lists';
const DEPARTMENT = '75';
const LIST_PATH = `/v1/fugues?departmentCode=${DEPARTMENT}&level=worrying&limit=${LIMIT}`;
const GOAL_RATIO = 1.5;
/** 1000000 → '1M', 10000 → '10k': the sizes in the report. */
const short = (n) => (n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n));
const S = short(SMALL);
const L = short(LARGE);

/** Makes the table as autovacuum would leave it (statistics, visibility map), so it does not run during a measurement. */
async function vacuumAnalyze(db) {
  await db.query(`VACUUM (ANALYZE) fugues, youths, foyers`);
}

async function tableFacts(db) {
  const { rows } = await db.query(
    `SELECT (SELECT count(*)::int FROM fugues) AS episodes,
            (SELECT count(*)::int FROM fugues WHERE effective_level = 'worrying') AS worrying,
            (SELECT count(*)::int FROM fugues WHERE department_code = $1) AS in_department,
            (SELECT count(*)::int FROM fugues WHERE department_code = $1 AND effective_level = 'worrying') AS listed,
            (SELECT count(*)::int FROM fugues WHERE status IN ('missing', 'located')) AS open,
            (SELECT count(*)::int FROM youths) AS youths,
            pg_size_pretty(pg_table_size('fugues')) AS table_size,
            pg_size_pretty(pg_indexes_size('fugues')) AS indexes_size`,
    [DEPARTMENT],
  );
  return rows[0];
}

// ---------------------------------------------------------------------------------------------
// Load.

/** autocannon on one GET; latencies from every response (autocannon's own histogram has no p95). */
async function runList({ url, key, path, duration, servicePid }) {
  const latencies = [];
  const cpuBefore = cpuSeconds(servicePid);
  const machineBefore = machineJiffies();
  const instance = autocannon({
    url,
    connections: CONNECTIONS,
    duration,
    requests: [{ method: 'GET', path, headers: { authorization: `Bearer ${key}` } }],
  });
  instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  const result = await instance;
  const machineAfter = machineJiffies();
  const cpuAfter = cpuSeconds(servicePid);
  latencies.sort((a, b) => a - b);
  const at = (q) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] * 10) / 10;
  return {
    requests: latencies.length,
    requestsPerSecond: Math.round(result.requests.average),
    latencyMs: { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: Math.round(latencies[latencies.length - 1] * 10) / 10 },
    status2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    serviceCpuMsPerRequest: cpuBefore !== null && cpuAfter !== null ? Math.round(((cpuAfter - cpuBefore) * 1000 * 100) / latencies.length) / 100 : null,
    machineBusyPercent: Math.round(((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * 100),
  };
}

/** One page as a client sees it, checked: full, of the asked département and level only. */
async function firstLook(url, key, path) {
  const page = await api(url, key, 'GET', path);
  const wrong = page.items.filter((f) => f.departmentCode !== DEPARTMENT || f.effectiveLevel !== 'worrying');
  if (wrong.length > 0) throw new Error(`${path} returned ${wrong.length} episodes outside departmentCode=${DEPARTMENT}&level=worrying`);
  return { items: page.items.length, nextCursor: page.nextCursor };
}

/** A warm-up, then the measured run, with a police key of its own per phase (the rate limiter keeps per-key hit lists). */
async function measurePhase({ label, url, adminKey, path, servicePid, step, warmupS = WARMUP_S }) {
  const client = await api(url, adminKey, 'POST', '/v1/api-clients', { name: `Bench police ${label}`, role: 'police', departmentCodes: [DEPARTMENT] });
  const look = await firstLook(url, client.key, path);
  step(`${label}: ${look.items} items per page${look.nextCursor ? ', has a next page' : ''}; warm-up ${warmupS} s, then ${DURATION_S} s`);
  await runList({ url, key: client.key, path, duration: warmupS, servicePid });
  const result = await runList({ url, key: client.key, path, duration: DURATION_S, servicePid });
  return { label, path, itemsPerPage: look.items, nextCursor: look.nextCursor, ...result };
}

// ---------------------------------------------------------------------------------------------
// The list statement as the service builds it, for EXPLAIN.

/**
 * The statement and parameters FugueRepository.list (from dist/, the code the service runs) sends
 * for a police caller of DEPARTMENT asking for the worrying episodes, after `cursor`: captured by a
 * TypeORM logger on a one-connection DataSource with the service's own options.
 */
async function listStatement(database, cursor) {
  const require = createRequire(import.meta.url);
  require('reflect-metadata');
  const { DataSource } = require('typeorm');
  const persistence = require(join(ROOT, 'dist', 'libs', 'persistence', 'src', 'index.js'));
  const { fugueScope } = require(join(ROOT, 'dist', 'libs', 'domain', 'src', 'access', 'caller.js'));
  const statements = [];
  const logger = {
    logQuery: (query, parameters) => statements.push({ query, parameters: parameters ?? [] }),
    logQueryError: () => undefined,
    logQuerySlow: () => undefined,
    logSchemaBuild: () => undefined,
    logMigration: () => undefined,
    log: () => undefined,
  };
  const dataSource = new DataSource(
    persistence.dataSourceOptions(databaseUrl(database), { logging: ['query'], logger, extra: { max: 1 } }),
  );
  await dataSource.initialize();
  try {
    const caller = { clientId: '00000000-0000-4000-8000-000000000000', role: 'police', foyerIds: [], departmentCodes: [DEPARTMENT] };
    const page = await new persistence.FugueRepository(dataSource).list(fugueScope(caller), { departmentCode: DEPARTMENT, level: 'worrying' }, LIMIT, cursor);
    const statement = statements.find((s) => /FROM "fugues"/.test(s.query));
    if (!statement) throw new Error('FugueRepository.list sent no statement on fugues');
    return { ...statement, items: page.items.length };
  } finally {
    await dataSource.destroy();
  }
}

async function explain(db, { query, parameters }) {
  const { rows } = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${query}`, parameters);
  return rows.map((r) => r['QUERY PLAN']);
}

// ---------------------------------------------------------------------------------------------
// Report.

function row(label, r) {
  return [
    label.padEnd(40),
    pad(r.itemsPerPage, 5),
    pad(r.requestsPerSecond, 6),
    pad(r.latencyMs.p50, 7),
    pad(r.latencyMs.p95, 7),
    pad(r.latencyMs.p99, 7),
    pad(r.status2xx, 7),
    pad(r.non2xx + r.errors + r.timeouts, 7),
    pad(r.serviceCpuMsPerRequest ?? '-', 9),
    pad(`${r.machineBusyPercent}%`, 6),
  ].join(' ');
}

function report(results) {
  const { settings, small, large, phases, goal, insertLargeS, explainFirst, explainNext } = results;
  const lines = [
    '',
    `Lists benchmark — ${settings.cpus} CPU(s) ${settings.cpuModel}, node ${settings.node}, GET ${LIST_PATH} (police key for ${DEPARTMENT}), ` +
      `${settings.connections} connections, ${settings.durationS} s per phase after ${settings.warmupS} s warm-up (${settings.serviceWarmupS} s before the first)`,
    '',
    `Table at ${small.episodes} episodes: ${small.listed} listed (${DEPARTMENT}, worrying), ${small.inDepartment} in ${DEPARTMENT}, ${small.worrying} worrying, ${small.open} open, ${small.youths} youths; fugues ${small.tableSize} + indexes ${small.indexesSize}`,
    `Table at ${large.episodes} episodes: ${large.listed} listed (${DEPARTMENT}, worrying), ${large.inDepartment} in ${DEPARTMENT}, ${large.worrying} worrying, ${large.open} open, ${large.youths} youths; fugues ${large.tableSize} + indexes ${large.indexesSize} ` +
      `(grown in ${insertLargeS} s)`,
    '',
    [''.padEnd(40), pad('items', 5), pad('req/s', 6), pad('p50 ms', 7), pad('p95 ms', 7), pad('p99 ms', 7), pad('2xx', 7), pad('failed', 7), pad('CPU ms/req', 9), pad('busy', 6)].join(' '),
    ...phases.map((p) => row(p.label, p)),
    '',
    `p95 ratio, first page ${L} / ${S}: ${goal.ratio.toFixed(2)}` +
      `   (next page ${L} / first page ${S}: ${results.ratios.next.toFixed(2)}, deep page ${L} / first page ${S}: ${results.ratios.deep === null ? '-' : results.ratios.deep.toFixed(2)})`,
    `service CPU per request, first page ${L} / ${S}: ${results.ratios.cpu.toFixed(2)} (less sensitive than latency to what else runs on the machine)`,
    '',
    `The list statement (FugueRepository.list), parameters ${JSON.stringify(results.listStatement.parameters)}:`,
    `  ${results.listStatement.query.replace(/^SELECT .*? FROM/s, 'SELECT … FROM')}`,
    '',
    `EXPLAIN (ANALYZE, BUFFERS) at ${large.episodes} episodes, first page:`,
    ...explainFirst.map((l) => `  ${l}`),
    '',
    'Next page (keyset cursor):',
    ...explainNext.map((l) => `  ${l}`),
    '',
    'Goal (quality.md § Performance):',
    `  lists: p95 at ${L} ≤ ${GOAL_RATIO} × p95 at ${S} ............ ${goal.pass ? 'PASS' : 'FAIL'} (${goal.detail})`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

// ---------------------------------------------------------------------------------------------
// The run.

async function main() {
  if (LARGE <= SMALL) throw new Error('BENCH_LIST_LARGE must be larger than BENCH_LIST_SMALL');
  const run = openRun('lists');
  const { step, log, logPath } = run;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: 1 });
  let service = null;
  let db = null;

  try {
    step(`recreating database ${DATABASE}, clearing Redis prefix ${QUEUE_PREFIX}:`);
    await recreateDatabase(admin, DATABASE);
    await deleteRedisPrefix(redis, QUEUE_PREFIX);
    step('starting the service (migrations run at start)');
    service = await startService({ database: DATABASE, queuePrefix: QUEUE_PREFIX, log, logPath });
    const { url, adminKey } = service;
    const servicePid = service.child.pid;

    step('one youth through the API, for an identity ciphertext of the service');
    const foyer = await api(url, adminKey, 'POST', '/v1/foyers', { name: `Foyer Testbench API ${DEPARTMENT}`, departmentCode: DEPARTMENT, kind: 'ase' });
    const foyerClient = await api(url, adminKey, 'POST', '/v1/api-clients', { name: 'Bench foyer client', role: 'foyer', foyerIds: [foyer.id] });
    const youth = await api(url, foyerClient.key, 'POST', '/v1/youths', {
      foyerId: foyer.id,
      firstName: 'Testprenom',
      lastName: 'Testnom',
      birthDate: birthDateForAge(15),
      sex: 'F',
    });

    db = new pg.Client({ connectionString: databaseUrl(DATABASE) });
    await db.connect();
    const { rows: encRows } = await db.query(`SELECT identity_enc FROM youths WHERE id = $1`, [youth.id]);
    const identityEnc = encRows[0].identity_enc;

    // --- 10,000 episodes ---
    const smallYouths = Math.ceil(SMALL / EPISODES_PER_YOUTH);
    const largeYouths = Math.ceil(LARGE / EPISODES_PER_YOUTH);
    let started = Date.now();
    const foyerCount = await insertFoyers(db);
    await insertYouths(db, 1, smallYouths, foyerCount, identityEnc);
    await insertEpisodes(db, { from: 1, to: SMALL, youthFrom: 1, youthCount: smallYouths, createdBy: foyerClient.id });
    await vacuumAnalyze(db);
    const small = await tableFacts(db);
    step(`${small.episodes} episodes over ${foyerCount} foyers in ${Object.keys(DEPARTMENT_WEIGHTS).length} départements in ${((Date.now() - started) / 1000).toFixed(1)} s; ${small.listed} listed`);
    const phases = [];
    phases.push(
      await measurePhase({ label: `${SMALL.toLocaleString('en')} episodes, first page`, url, adminKey, path: LIST_PATH, servicePid, step, warmupS: SERVICE_WARMUP_S }),
    );

    // --- grown to 1,000,000 ---
    step(`growing the table to ${LARGE} episodes (one INSERT … SELECT generate_series), then VACUUM ANALYZE`);
    started = Date.now();
    await insertYouths(db, smallYouths + 1, largeYouths, foyerCount, identityEnc);
    await insertEpisodes(db, { from: SMALL + 1, to: LARGE, youthFrom: smallYouths + 1, youthCount: largeYouths - smallYouths, createdBy: foyerClient.id });
    const insertedS = Math.round((Date.now() - started) / 100) / 10;
    await vacuumAnalyze(db);
    const insertLargeS = Math.round((Date.now() - started) / 100) / 10;
    const large = await tableFacts(db);
    step(`  ${large.episodes} episodes (insert ${insertedS} s, with VACUUM ANALYZE ${insertLargeS} s); ${large.listed} listed`);

    const first = await measurePhase({ label: `${LARGE.toLocaleString('en')} episodes, first page`, url, adminKey, path: LIST_PATH, servicePid, step });
    phases.push(first);
    if (!first.nextCursor) throw new Error('The first page at the large size has no next page');
    const nextPath = `${LIST_PATH}&cursor=${first.nextCursor}`;
    const next = await measurePhase({ label: `${LARGE.toLocaleString('en')} episodes, next page (cursor)`, url, adminKey, path: nextPath, servicePid, step });
    phases.push(next);

    // A cursor as the service would have handed out after DEEP_OFFSET rows of the list.
    const { rows: deepRows } = await db.query(
      `SELECT noticed_missing_at, id FROM fugues WHERE department_code = $1 AND effective_level = 'worrying'
        ORDER BY noticed_missing_at DESC, id DESC OFFSET $2 LIMIT 1`,
      [DEPARTMENT, DEEP_OFFSET - 1],
    );
    let deep = null;
    if (deepRows.length > 0) {
      const deepCursor = Buffer.from(`${deepRows[0].noticed_missing_at.toISOString()}|${deepRows[0].id}`, 'utf8').toString('base64url');
      deep = await measurePhase({
        label: `${LARGE.toLocaleString('en')} episodes, after ${DEEP_OFFSET} rows`,
        url,
        adminKey,
        path: `${LIST_PATH}&cursor=${deepCursor}`,
        servicePid,
        step,
      });
      phases.push(deep);
    }

    step('EXPLAIN (ANALYZE, BUFFERS) of the statements FugueRepository.list sends');
    const firstStatement = await listStatement(DATABASE, null);
    const nextStatement = await listStatement(DATABASE, first.nextCursor);
    const explainFirst = await explain(db, firstStatement);
    const explainNext = await explain(db, nextStatement);

    const base = phases[0].latencyMs.p95;
    const ratio = first.latencyMs.p95 / base;
    const clean = phases.every((p) => p.non2xx === 0 && p.errors === 0 && p.timeouts === 0);
    const sameSize = phases[0].itemsPerPage === first.itemsPerPage;
    const results = {
      startedAt: run.startedAt.toISOString(),
      settings: {
        cpus: availableParallelism(),
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        durationS: DURATION_S,
        warmupS: WARMUP_S,
        serviceWarmupS: SERVICE_WARMUP_S,
        connections: CONNECTIONS,
        limit: LIMIT,
        path: LIST_PATH,
        loadavg: readFileSync('/proc/loadavg', 'utf8').trim(),
      },
      small: camel(small),
      large: camel(large),
      insertLargeS,
      phases,
      ratios: {
        first: Math.round(ratio * 100) / 100,
        next: Math.round((next.latencyMs.p95 / base) * 100) / 100,
        deep: deep ? Math.round((deep.latencyMs.p95 / base) * 100) / 100 : null,
        cpu: Math.round((first.serviceCpuMsPerRequest / phases[0].serviceCpuMsPerRequest) * 100) / 100,
      },
      listStatement: { query: firstStatement.query, parameters: firstStatement.parameters },
      explainFirst,
      explainNext,
      goal: {
        ratio,
        pass: ratio <= GOAL_RATIO && clean && sameSize,
        detail:
          `p95 ${first.latencyMs.p95} ms at ${large.episodes} vs ${base} ms at ${small.episodes}, ratio ${ratio.toFixed(2)}` +
          (clean ? '' : '; some requests failed') +
          (sameSize ? '' : `; pages of different sizes (${phases[0].itemsPerPage} and ${first.itemsPerPage} items): not comparable`),
      },
    };
    writeFileSync(run.resultsPath, JSON.stringify(results, null, 2) + '\n');
    report(results);
    step(`results written to ${run.resultsPath} (process logs: ${logPath})`);
    return results.goal.pass ? 0 : 1;
  } finally {
    if (db) await db.end().catch(() => undefined);
    if (service) await stopChild(service.child);
    if (!KEEP_DB) await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`).catch(() => undefined);
    await deleteRedisPrefix(redis, QUEUE_PREFIX).catch(() => undefined);
    redis.disconnect();
    await admin.end();
    log.end();
  }
}

function camel(facts) {
  return {
    episodes: facts.episodes,
    worrying: facts.worrying,
    inDepartment: facts.in_department,
    listed: facts.listed,
    open: facts.open,
    youths: facts.youths,
    tableSize: facts.table_size,
    indexesSize: facts.indexes_size,
  };
}

runMain(main);
