// `npm start` and friends: build when the sources are newer than dist/ (and, for the API, the web
// console when its sources are newer than dist-console/), then run the entry point.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ENTRIES = {
  standalone: 'dist/apps/standalone/src/main.js',
  api: 'dist/apps/api/src/main.js',
  worker: 'dist/apps/worker/src/main.js',
  'rotate-data-key': 'dist/apps/tools/src/rotate-data-key.js',
};

const CONSOLE_SOURCES = join('apps', 'console');

/** The newest modification time of the files under `dir` that `keep` selects (the console's sources apart unless asked). */
function newestSource(dir, keep = (name) => name.endsWith('.ts'), withConsole = false) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || (path === CONSOLE_SOURCES && !withConsole)) continue;
      newest = Math.max(newest, newestSource(path, keep, withConsole));
    } else if (keep(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function builtAt(marker) {
  return existsSync(marker) ? statSync(marker).mtimeMs : 0;
}

function isStale() {
  return Math.max(...['apps', 'libs', 'migrations'].map((dir) => newestSource(dir)), statSync('package-lock.json').mtimeMs) > builtAt('dist/.built');
}

/** The console depends on its own files and on the API's document (apps/api, libs). */
function isConsoleStale() {
  const consoleFiles = newestSource(CONSOLE_SOURCES, () => true, true);
  return Math.max(consoleFiles, newestSource('apps'), newestSource('libs'), statSync('package-lock.json').mtimeMs) > builtAt('dist-console/.built');
}

/** A log line in the service's own shape (JSON, level as a name), for a person reading `npm start`. */
function say(msg) {
  process.stdout.write(`${JSON.stringify({ level: 'info', time: Date.now(), pid: process.pid, context: 'Build', msg })}\n`);
}

const LOCK = 'dist.build-lock';
const STALE_LOCK_MS = 120_000;

/**
 * Builds under a lock: test files started in parallel may all ask for a build, and a build
 * deletes dist/ first, under the feet of a process another one has started.
 */
function buildIfStale(withConsole) {
  if (!isStale() && !(withConsole && isConsoleStale())) return;
  for (const deadline = Date.now() + STALE_LOCK_MS; ; ) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const age = Date.now() - (existsSync(LOCK) ? statSync(LOCK).mtimeMs : Date.now());
      if (age > STALE_LOCK_MS || Date.now() > deadline) rmSync(LOCK, { recursive: true, force: true }); // left by a killed build
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (isStale()) {
      say('Building Vigie (the sources changed since the last build); this takes a minute or less');
      const startedAt = Date.now();
      execFileSync('node', ['scripts/build.mjs'], { stdio: 'inherit' });
      say(`Built in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    }
    if (withConsole && isConsoleStale()) {
      say('Building the web console (its sources or the API changed since its last build)');
      const startedAt = Date.now();
      execFileSync('node', ['scripts/build-console.mjs'], { stdio: 'inherit' });
      say(`Console built in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    }
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

const target = process.argv[2] ?? 'standalone';
// The console is built for what serves it, and on demand; `build-only` (the tests' own build,
// the benchmarks) leaves it alone.
buildIfStale(['standalone', 'api', 'build-console'].includes(target));
if (target === 'build-only' || target === 'build-console') process.exit(0);

const entry = ENTRIES[target];
if (!entry) {
  process.stderr.write(`Unknown target ${target}; use one of ${Object.keys(ENTRIES).join(', ')}\n`);
  process.exit(2);
}
const child = spawn(process.execPath, ['--enable-source-maps', entry, ...process.argv.slice(3)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
