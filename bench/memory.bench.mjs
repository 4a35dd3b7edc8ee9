// `npm run bench:memory`: "Memory stays flat over 100,000 episodes" (quality.md § Performance,
// docs/performance.md). The service (as `npm start` runs it) declares 100,000 episodes through
// POST /v1/fugues; its resident set (VmRSS of /proc/<pid>/status) is sampled every second and
// averaged over each window of 10,000 episodes (one sample swings by ±25 % with the garbage
// collector). The warm-up is the first 10,000 episodes; growth of the mean from the first window
// after the warm-up (10,001–20,000) to the last one (90,001–100,000) ≤ 20 % passes. Then the bench
// waits for the outbox backlog (triage and webhook fan-out jobs) to drain and reports the resident
// set then.
// Youths: by default written in SQL (BENCH_MEMORY_YOUTHS=sql), each with the identity of one youth
// created through the API, encrypted again by the bench under the service's data key for its own
// row (a ciphertext is bound to its row), so that the run is spent on episodes; BENCH_MEMORY_YOUTHS=api
// creates every youth through POST /v1/youths first (about 5 more minutes on a 2-core machine).
// Settings (environment): BENCH_MEMORY_EPISODES (100000), BENCH_MEMORY_WARMUP (10000),
// BENCH_MEMORY_CONNECTIONS (16), BENCH_MEMORY_YOUTHS (sql), BENCH_PG_URL, REDIS_URL,
// BENCH_KEEP_DB=1 keeps the database.
// Exit code: 0 when the goal passes, 1 when it fails, 2 when the bench itself failed.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import autocannon from 'autocannon';
import IORedis from 'ioredis';
import pg from 'pg';
import {
  KEEP_DB,
  PG_ADMIN_URL,
  REDIS_URL,
  api,
  birthDateForAge,
  cpuSeconds,
  createYouths,
  databaseUrl,
  declarationBody,
  deleteRedisPrefix,
  identitiesFor,
  machineJiffies,
  openRun,
  pad,
  positiveInt,
  recreateDatabase,
  runMain,
  startService,
  stopChild,
  waitFor,
} from './bench-common.mjs';

const EPISODES = positiveInt('BENCH_MEMORY_EPISODES', 100_000);
const WARMUP = positiveInt('BENCH_MEMORY_WARMUP', 10_000);
const CONNECTIONS = positiveInt('BENCH_MEMORY_CONNECTIONS', 16);
const YOUTHS = process.env.BENCH_MEMORY_YOUTHS || 'sql';
/** A window (RSS averaged, backlog counted at its end) every this many episodes: 10,000 in the full run. */
const WINDOW = Math.max(1, Math.round(EPISODES / 10));
/** Seconds of samples taken once the backlog has drained. */
const IDLE_S = 10;
const DRAIN_TIMEOUT_MS = 15 * 60_000;

const DATABASE = 'vigie_bench_memory';
const QUEUE_PREFIX = 'vigie-bench-memory';
const FOYER_DEPARTMENTS = ['75', '93', '13', '69'];
const GOAL_GROWTH_PERCENT = 20;

// ---------------------------------------------------------------------------------------------
// Memory of the service process.

/** Resident set of a process, in MiB, from /proc/<pid>/status (VmRSS = RssAnon + RssFile + RssShmem). */
function residentSet(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  const mib = (field) => Math.round((kib(field) / 1024) * 10) / 10;
  return { rss: mib('VmRSS'), anon: mib('RssAnon'), file: mib('RssFile'), peak: mib('VmHWM') };
}

const round1 = (x) => Math.round(x * 10) / 10;

/** Mean, least and most RSS (and mean RssAnon) of a set of samples. */
function rssOf(samples) {
  const rss = samples.map((s) => s.rss);
  return {
    samples: samples.length,
    meanMiB: round1(rss.reduce((a, b) => a + b, 0) / rss.length),
    minMiB: Math.min(...rss),
    maxMiB: Math.max(...rss),
    anonMeanMiB: round1(samples.reduce((a, s) => a + s.anon, 0) / samples.length),
  };
}

/** Least-squares slope of RSS against episodes declared, in MiB per WINDOW episodes: a leak shows as a steady positive slope. */
function slopePerWindow(samples) {
  const n = samples.length;
  const mx = samples.reduce((a, s) => a + s.episodes, 0) / n;
  const my = samples.reduce((a, s) => a + s.rss, 0) / n;
  const sxy = samples.reduce((a, s) => a + (s.episodes - mx) * (s.rss - my), 0);
  const sxx = samples.reduce((a, s) => a + (s.episodes - mx) ** 2, 0);
  return sxx === 0 ? 0 : round1((sxy / sxx) * WINDOW);
}

// ---------------------------------------------------------------------------------------------
// Load.

/**
 * Youths written in SQL, spread over the foyers, each with the identity of the API-created youth
 * `model`, encrypted under the service's data key for its own row as the service would.
 */
async function insertYouths(db, foyerIds, count, dataKey, model) {
  const ids = Array.from({ length: count }, () => randomUUID());
  const sealed = identitiesFor(dataKey, model, ids);
  for (let from = 0; from < count; from += 10_000) {
    await db.query(
      `INSERT INTO youths (id, foyer_id, identity_enc, sex)
       SELECT y.id, ($1::uuid[])[(y.n - 1) % cardinality($1::uuid[]) + 1], y.identity_enc, 'F'
         FROM unnest($2::uuid[], $3::text[]) WITH ORDINALITY AS y(id, identity_enc, n)`,
      [foyerIds, ids.slice(from, from + 10_000), sealed.slice(from, from + 10_000)],
    );
  }
  return ids;
}

// ---------------------------------------------------------------------------------------------
// Report.

function windowRow(w) {
  return [
    pad(`${w.from.toLocaleString('en')}–${w.to.toLocaleString('en')}`, 16),
    pad(w.endS, 8),
    pad(w.perSecond, 6),
    pad(w.meanMiB, 9),
    pad(w.minMiB, 8),
    pad(w.maxMiB, 8),
    pad(w.anonMeanMiB, 13),
    pad(w.backlog ?? '-', 13),
  ].join(' ');
}

function report(results) {
  const { settings, windows, afterWarmup, atEnd, afterDrain, goal, load } = results;
  const lines = [
    '',
    `Memory benchmark — ${settings.cpus} CPU(s) ${settings.cpuModel}, node ${settings.node}, ${settings.episodes.toLocaleString('en')} episodes ` +
      `(POST /v1/fugues, ${settings.connections} connections, closed loop), youths ${settings.youths === 'sql' ? 'written in SQL' : 'created through the API'}`,
    '',
    `Declared ${load.status2xx} episodes in ${load.durationS} s (${load.perSecond} per second, POST p50 ${load.latencyMs.p50} ms / p99 ${load.latencyMs.p99} ms), ` +
      `non-2xx ${load.non2xx}, errors ${load.errors}, timeouts ${load.timeouts}; service CPU ${load.serviceCpuMsPerEpisode} ms per episode (drain included), ` +
      `machine busy ${load.machineBusyPercent}% during the load`,
    '',
    'RSS of the service in MiB, from one sample a second, per window of episodes; backlog: outbox rows not processed at the end of the window',
    [pad('episodes', 16), pad('until s', 8), pad('per s', 6), pad('RSS mean', 9), pad('min', 8), pad('max', 8), pad('RssAnon mean', 13), pad('backlog jobs', 13)].join(' '),
    ...windows.map(windowRow),
    [pad('backlog drained', 16), pad(afterDrain.endS, 8), pad('', 6), pad(afterDrain.meanMiB, 9), pad(afterDrain.minMiB, 8), pad(afterDrain.maxMiB, 8), pad(afterDrain.anonMeanMiB, 13), pad(0, 13)].join(' ') +
      `   (drained in ${afterDrain.drainS} s; the ${IDLE_S} s after)`,
    '',
    `Peak RSS (VmHWM) ${results.peakMiB} MiB; RSS before the load ${results.beforeLoadMiB} MiB; slope after the warm-up ${results.slopeMiBPerWindow >= 0 ? '+' : ''}${results.slopeMiBPerWindow} MiB per ${WINDOW.toLocaleString('en')} episodes.`,
    `After the warm-up (mean over episodes ${afterWarmup.from.toLocaleString('en')}–${afterWarmup.to.toLocaleString('en')}): ${afterWarmup.meanMiB} MiB; ` +
      `at the end (${atEnd.from.toLocaleString('en')}–${atEnd.to.toLocaleString('en')}): ${atEnd.meanMiB} MiB; growth ${goal.growthPercent >= 0 ? '+' : ''}${goal.growthPercent.toFixed(1)} % ` +
      `(RssAnon ${results.anonGrowthPercent >= 0 ? '+' : ''}${results.anonGrowthPercent.toFixed(1)} %); once drained ${afterDrain.meanMiB} MiB`,
    '',
    'Goal (quality.md § Performance):',
    `  memory: RSS growth after warm-up ≤ ${GOAL_GROWTH_PERCENT} % over ${settings.episodes.toLocaleString('en')} episodes .... ${goal.pass ? 'PASS' : 'FAIL'} (${goal.detail})`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

// ---------------------------------------------------------------------------------------------
// The run.

async function main() {
  if (!['sql', 'api'].includes(YOUTHS)) throw new Error(`BENCH_MEMORY_YOUTHS must be sql or api (got ${JSON.stringify(YOUTHS)})`);
  if (WARMUP >= EPISODES) throw new Error('BENCH_MEMORY_WARMUP must be smaller than BENCH_MEMORY_EPISODES');
  const run = openRun('memory');
  const { step, log, logPath } = run;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: 1 });
  let service = null;
  let db = null;
  let sampler = null;

  try {
    step(`recreating database ${DATABASE}, clearing Redis prefix ${QUEUE_PREFIX}:`);
    await recreateDatabase(admin, DATABASE);
    await deleteRedisPrefix(redis, QUEUE_PREFIX);
    step('starting the service (migrations run at start)');
    const dataKey = randomBytes(32);
    service = await startService({ database: DATABASE, queuePrefix: QUEUE_PREFIX, log, logPath, env: { VIGIE_DATA_KEY: dataKey.toString('base64') } });
    const { url, adminKey } = service;
    const pid = service.child.pid;
    db = new pg.Client({ connectionString: databaseUrl(DATABASE) });
    await db.connect();

    step('foyers and a foyer API client through the API');
    const foyerIds = [];
    for (const departmentCode of FOYER_DEPARTMENTS) {
      foyerIds.push((await api(url, adminKey, 'POST', '/v1/foyers', { name: `Foyer Testbench ${departmentCode}`, departmentCode, kind: 'ase' })).id);
    }
    const client = await api(url, adminKey, 'POST', '/v1/api-clients', { name: 'Bench foyer client', role: 'foyer', foyerIds });
    let youthIds;
    let started = Date.now();
    if (YOUTHS === 'api') {
      step(`creating ${EPISODES} youths through the API`);
      youthIds = (await createYouths(url, client.key, foyerIds, EPISODES, 32)).ids;
    } else {
      const youth = await api(url, client.key, 'POST', '/v1/youths', {
        foyerId: foyerIds[0],
        firstName: 'Testprenom',
        lastName: 'Testnom',
        birthDate: birthDateForAge(16),
        sex: 'F',
      });
      const { rows } = await db.query(`SELECT identity_enc FROM youths WHERE id = $1`, [youth.id]);
      youthIds = await insertYouths(db, foyerIds, EPISODES, dataKey, { id: youth.id, identityEnc: rows[0].identity_enc });
      await db.query('VACUUM (ANALYZE) youths');
    }
    step(`  ${youthIds.length} youths in ${((Date.now() - started) / 1000).toFixed(1)} s; RSS of the service ${residentSet(pid).rss} MiB`);

    // --- the load, sampled every second ---
    const beforeLoadMiB = residentSet(pid).rss;
    const samples = [];
    let answered = 0;
    let next = 0;
    const loadStarted = Date.now();
    const elapsed = () => round1((Date.now() - loadStarted) / 1000);
    const sample = () => samples.push({ t: elapsed(), episodes: answered, ...residentSet(pid) });
    /** Window ends: episodes answered, when, and the outbox backlog then. */
    const marks = [];
    const markAt = (episodes) => {
      const previous = marks[marks.length - 1] ?? { episodes: 0, endS: 0 };
      const mark = { episodes, endS: elapsed(), backlog: null };
      marks.push(mark);
      // Counted aside (outbox_pending_idx); the load does not wait for it.
      void db.query(`SELECT count(*)::int AS n FROM outbox WHERE processed_at IS NULL`).then(
        ({ rows }) => (mark.backlog = rows[0].n),
        () => undefined,
      );
      const window = rssOf(samples.filter((s) => s.t > previous.endS));
      step(`  ${episodes} episodes at ${mark.endS} s: RSS mean ${window.meanMiB} MiB (${window.minMiB}–${window.maxMiB}) since ${previous.episodes}`);
    };
    sample();
    sampler = setInterval(sample, 1000);
    const cpuBefore = cpuSeconds(pid);
    const machineBefore = machineJiffies();
    step(`declaring ${EPISODES} episodes (${CONNECTIONS} connections, closed loop); warm-up: the first ${WARMUP}`);
    const result = await autocannon({
      url,
      connections: CONNECTIONS,
      amount: EPISODES,
      timeout: 30,
      requests: [
        {
          method: 'POST',
          path: '/v1/fugues',
          headers: { authorization: `Bearer ${client.key}`, 'content-type': 'application/json' },
          setupRequest: (req) => ({ ...req, body: declarationBody(youthIds[next++ % youthIds.length]) }),
          onResponse: (status) => {
            if (status !== 201) return;
            answered += 1;
            if (answered === WARMUP || answered % WINDOW === 0) markAt(answered);
          },
        },
      ],
    });
    const loadS = elapsed();
    if (marks[marks.length - 1]?.episodes !== answered) markAt(answered);
    const machineAfter = machineJiffies();

    // --- the backlog drains ---
    step('waiting for the outbox backlog to drain');
    const drainStarted = Date.now();
    await waitFor(
      'the outbox backlog to drain',
      async () => (await db.query(`SELECT count(*)::int AS n FROM outbox WHERE processed_at IS NULL`)).rows[0].n === 0,
      DRAIN_TIMEOUT_MS,
      500,
    );
    const drainS = round1((Date.now() - drainStarted) / 1000);
    const drainedAt = elapsed();
    await waitFor('the samples of the idle process', async () => samples.filter((s) => s.t > drainedAt).length >= IDLE_S, 60_000, 200);
    clearInterval(sampler);
    sampler = null;
    const cpuAfter = cpuSeconds(pid);
    await waitFor('the last backlog count', async () => marks.every((m) => m.backlog !== null), 10_000, 100);

    // --- verdict ---
    const windows = marks.map((m, i) => {
      const from = i === 0 ? 0 : marks[i - 1].episodes;
      const startS = i === 0 ? 0 : marks[i - 1].endS;
      return {
        from: from + 1,
        to: m.episodes,
        endS: m.endS,
        perSecond: Math.round((m.episodes - from) / (m.endS - startS)),
        ...rssOf(samples.filter((s) => s.t > startS && s.t <= m.endS)),
        backlog: m.backlog,
      };
    });
    const afterWarmup = windows.find((w) => w.from === WARMUP + 1);
    if (!afterWarmup) throw new Error(`No window after the warm-up: ${answered} of ${EPISODES} episodes were declared`);
    const atEnd = windows[windows.length - 1];
    const idle = samples.filter((s) => s.t > drainedAt);
    const afterDrain = { endS: idle[idle.length - 1].t, drainS, ...rssOf(idle) };
    const growthPercent = ((atEnd.meanMiB - afterWarmup.meanMiB) / afterWarmup.meanMiB) * 100;
    const anonGrowthPercent = ((atEnd.anonMeanMiB - afterWarmup.anonMeanMiB) / afterWarmup.anonMeanMiB) * 100;
    const warmupEndS = windows.find((w) => w.to === WARMUP).endS;
    const clean = result.non2xx === 0 && result.errors === 0 && result.timeouts === 0 && answered === EPISODES;
    const results = {
      startedAt: run.startedAt.toISOString(),
      settings: {
        cpus: availableParallelism(),
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        episodes: EPISODES,
        warmup: WARMUP,
        window: WINDOW,
        connections: CONNECTIONS,
        youths: YOUTHS,
        loadavg: readFileSync('/proc/loadavg', 'utf8').trim(),
      },
      load: {
        status2xx: result['2xx'],
        non2xx: result.non2xx,
        statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, st]) => [code, st.count])),
        errors: result.errors,
        timeouts: result.timeouts,
        durationS: loadS,
        perSecond: Math.round(answered / loadS),
        latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
        serviceCpuMsPerEpisode: Math.round(((cpuAfter - cpuBefore) * 1000 * 100) / Math.max(1, answered)) / 100,
        machineBusyPercent: Math.round(((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * 100),
      },
      beforeLoadMiB,
      windows,
      afterWarmup,
      atEnd,
      afterDrain,
      peakMiB: Math.max(...samples.map((x) => x.peak)),
      slopeMiBPerWindow: slopePerWindow(samples.filter((x) => x.t > warmupEndS && x.t <= loadS)),
      anonGrowthPercent,
      samples,
      goal: {
        growthPercent,
        pass: growthPercent <= GOAL_GROWTH_PERCENT && clean,
        detail:
          `mean RSS ${afterWarmup.meanMiB} → ${atEnd.meanMiB} MiB, ${growthPercent >= 0 ? '+' : ''}${growthPercent.toFixed(1)} %` +
          (clean ? '' : `; ${answered} of ${EPISODES} declared, non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}`),
      },
    };
    writeFileSync(run.resultsPath, JSON.stringify(results, null, 2) + '\n');
    report(results);
    step(`results written to ${run.resultsPath} (process logs: ${logPath})`);
    return results.goal.pass ? 0 : 1;
  } finally {
    if (sampler) clearInterval(sampler);
    if (db) await db.end().catch(() => undefined);
    if (service) await stopChild(service.child);
    if (!KEEP_DB) await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`).catch(() => undefined);
    await deleteRedisPrefix(redis, QUEUE_PREFIX).catch(() => undefined);
    redis.disconnect();
    await admin.end();
    log.end();
  }
}

runMain(main);
