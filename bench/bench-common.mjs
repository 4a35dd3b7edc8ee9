// Helpers shared by bench/intake.bench.mjs, bench/lists.bench.mjs, bench/memory.bench.mjs and bench/links.bench.mjs:
// child processes stopped on exit, signals and failure; the service run as `npm start` runs it,
// on its own database and queue prefix, with a random bootstrap admin key; fixtures, the
// declaration body, and CPU readings from /proc.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const RESULTS_DIR = join(ROOT, 'bench', 'results');
export const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const KEEP_DB = process.env.BENCH_KEEP_DB === '1';

// ---------------------------------------------------------------------------------------------
// Child processes: every child is stopped on exit, on signals and on failure.

const children = new Set();

export function spawnChild(name, args, env, logStream) {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.benchName = name;
  children.add(child);
  child.stdout.pipe(logStream, { end: false });
  child.stderr.pipe(logStream, { end: false });
  child.on('exit', () => children.delete(child));
  return child;
}

export async function stopChild(child, graceMs = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export function stopAllChildren(graceMs) {
  return Promise.allSettled([...children].map((c) => stopChild(c, graceMs)));
}

process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    process.stderr.write(`\n${signal}: stopping the bench processes\n`);
    void stopAllChildren(3000).then(() => process.exit(130));
  });
}

/** Runs `main` (which returns the exit code); a failure of the bench itself exits with 2. */
export function runMain(main) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`Bench failed: ${error.stack ?? error.message}\n`);
      void stopAllChildren(3000).then(() => process.exit(2));
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

export function positiveInt(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer (got ${JSON.stringify(raw)})`);
  return value;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `probe` until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor(what, probe, timeoutMs, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function databaseUrl(name) {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function recreateDatabase(admin, name) {
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
}

/** Removes this bench's own BullMQ keys (by prefix) from the shared Redis; nothing else is touched. */
export async function deleteRedisPrefix(redis, prefix) {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}

/** /proc's clock ticks per second (USER_HZ), 100 on Linux. */
export const CLOCK_TICKS_PER_SECOND = 100;

/**
 * A process of this machine from /proc/<pid>/stat: its command name, its parent's pid, its own
 * CPU ticks (user + system) and those of its children it has reaped; null when there is none.
 */
export function processStat(pid) {
  let stat;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name is in parentheses and may hold spaces or parentheses itself.
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return {
    command: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    parentPid: Number(fields[1]),
    ticks: Number(fields[11]) + Number(fields[12]),
    reapedTicks: Number(fields[13]) + Number(fields[14]),
  };
}

/** CPU seconds (user + system) used so far by a process, from /proc; null once it is gone. */
export function cpuSeconds(pid) {
  const stat = processStat(pid);
  return stat ? stat.ticks / CLOCK_TICKS_PER_SECOND : null;
}

/**
 * CPU seconds (user + system) of a process and of its children: a PostgreSQL cluster, whose
 * postmaster forks a backend per connection. Children already gone count through the postmaster's
 * reaped time. Null when the process is gone or /proc is missing.
 */
export function processTreeCpuSeconds(rootPid) {
  const root = processStat(rootPid);
  if (!root) return null;
  let ticks = root.ticks + root.reapedTicks;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = processStat(entry); // null when it ended since the listing
    if (child?.parentPid === rootPid) ticks += child.ticks;
  }
  return ticks / CLOCK_TICKS_PER_SECOND;
}

/**
 * The identity of the API-created youth `model` (`{ id, identityEnc }`), encrypted again under the
 * service's data key for each of `youthIds`, as the service would for youths written in SQL: a
 * ciphertext is bound to its row, so a copy of the model's would not decrypt. Needs the build.
 */
export function identitiesFor(dataKey, model, youthIds) {
  const require = createRequire(import.meta.url);
  require('reflect-metadata');
  const { DataCipher, slot } = require(join(ROOT, 'dist', 'libs', 'persistence', 'src', 'index.js'));
  const cipher = DataCipher.withKey(dataKey);
  const identity = cipher.decrypt(model.identityEnc, slot('youths', 'identity_enc', model.id));
  return youthIds.map((id) => cipher.encrypt(identity, slot('youths', 'identity_enc', id)));
}

/** Busy and total jiffies of the whole machine, from /proc/stat; null where /proc is missing. */
export function machineJiffies() {
  try {
    const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    const idle = values[3] + (values[4] ?? 0);
    const total = values.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

export function isoAgo(ms) {
  return new Date(Date.now() - ms).toISOString();
}

/** The declaration every bench sends: fictitious, classified routine by the service. */
export function declarationBody(youthId) {
  return JSON.stringify({
    youthId,
    noticedMissingAt: isoAgo(60_000),
    lastSeenAt: isoAgo(120_000),
    lastSeenPlace: 'Testlieu, arrêt de bus',
    departedWith: 'alone',
    belongings: { phone: true, money: false },
    indicators: ['SCHOOL_DROPOUT'],
  });
}

export function birthDateForAge(age) {
  const now = new Date();
  const d = new Date(Date.UTC(now.getUTCFullYear() - age - 1, now.getUTCMonth(), now.getUTCDate()));
  d.setUTCDate(d.getUTCDate() + 2);
  return d.toISOString().slice(0, 10);
}

export function pad(value, width) {
  return String(value).padStart(width);
}

/** The results file names of one run: `<name>-<timestamp>.json` and its `.processes.log`. */
export function openRun(name) {
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  mkdirSync(RESULTS_DIR, { recursive: true });
  const logPath = join(RESULTS_DIR, `${name}-${stamp}.processes.log`);
  return {
    startedAt,
    resultsPath: join(RESULTS_DIR, `${name}-${stamp}.json`),
    logPath,
    log: createWriteStream(logPath),
    elapsedS: () => (Date.now() - startedAt.getTime()) / 1000,
    step: (message) => process.stdout.write(`[${((Date.now() - startedAt.getTime()) / 1000).toFixed(1).padStart(5)} s] ${message}\n`),
  };
}

// ---------------------------------------------------------------------------------------------
// The service.

/**
 * Starts `node dist/apps/standalone/src/main.js` as `npm start` does (API and worker in one
 * process, migrations at start) on `database` and the queue prefix `queuePrefix`, and waits until
 * it is ready. Returns the child, its URL and the bootstrap admin key.
 */
export async function startService({ database, queuePrefix, log, logPath, env = {}, entry = 'dist/apps/standalone/src/main.js' }) {
  const adminKey = `bench_admin_${randomBytes(24).toString('base64url')}`;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawnChild(
    'service',
    ['--enable-source-maps', entry],
    {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: databaseUrl(database),
      REDIS_URL,
      VIGIE_QUEUE_PREFIX: queuePrefix,
      VIGIE_BOOTSTRAP_ADMIN_KEY: adminKey,
      VIGIE_DATA_KEY: randomBytes(32).toString('base64'),
      VIGIE_RATE_LIMIT_PER_MINUTE: '1000000000',
      LOG_LEVEL: 'warn',
      ...env,
    },
    log,
  );
  const exited = new Promise((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`The service exited (${code ?? signal}); see ${logPath}`))),
  );
  exited.catch(() => undefined);
  await Promise.race([waitFor('the service to be ready', async () => (await fetch(`${url}/health/ready`)).ok, 60_000), exited]);
  return { child, url, port, adminKey, exited };
}

export async function api(baseUrl, key, method, path, body) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Creates `count` youths through the API (identity encrypted by the service), `connections` in parallel. */
export async function createYouths(baseUrl, key, foyerIds, count, connections = 32) {
  const ids = [];
  const failures = {};
  let n = 0;
  const birthDate = birthDateForAge(16);
  const started = Date.now();
  await autocannon({
    url: baseUrl,
    connections,
    amount: count,
    requests: [
      {
        method: 'POST',
        path: '/v1/youths',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({ foyerId: foyerIds[n++ % foyerIds.length], firstName: 'Testprenom', lastName: 'Testnom', birthDate, sex: 'F' }),
        }),
        onResponse: (status, body) => {
          if (status === 201) ids.push(JSON.parse(body).id);
          else failures[status] = (failures[status] ?? 0) + 1;
        },
      },
    ],
  });
  if (Object.keys(failures).length > 0) throw new Error(`Creating youths failed: ${JSON.stringify(failures)}`);
  return { ids, perSecond: ids.length / ((Date.now() - started) / 1000) };
}
