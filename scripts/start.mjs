// `npm start` and friends: build when the sources are newer than dist/, then run the entry point.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ENTRIES = {
  standalone: 'dist/apps/standalone/src/main.js',
  api: 'dist/apps/api/src/main.js',
  worker: 'dist/apps/worker/src/main.js',
};

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const target = process.argv[2] ?? 'standalone';
const built = existsSync('dist/.built') ? statSync('dist/.built').mtimeMs : 0;
const sources = Math.max(...['apps', 'libs', 'migrations'].map(newestSource), statSync('package-lock.json').mtimeMs);
if (sources > built) execFileSync('node', ['scripts/build.mjs'], { stdio: 'inherit' });
if (target === 'build-only') process.exit(0);

const entry = ENTRIES[target];
if (!entry) {
  process.stderr.write(`Unknown target ${target}; use one of ${Object.keys(ENTRIES).join(', ')}\n`);
  process.exit(2);
}
const child = spawn(process.execPath, ['--enable-source-maps', entry], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
