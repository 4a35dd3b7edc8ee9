// Builds the foyer staff's web console (apps/console) into dist-console/ (or the folder given
// with --out-dir), after generating its API client types from the API's OpenAPI document:
//   1. the document is written by dist/apps/tools/src/write-openapi.js (the API must be built:
//      scripts/start.mjs builds it first), which connects to nothing;
//   2. openapi-typescript turns it into apps/console/src/api/schema.d.ts (rewritten only when it
//      changed), so that the console's type check fails when the console and the API disagree;
//   3. Vite builds the console in a folder of its own, which replaces the target at the end;
//   4. the size of what the first screen loads (its JavaScript and CSS, gzip) is printed, and
//      the build fails above 250 KB.
// `--types-only` stops after step 2; `--keep-types` skips steps 1 and 2 (builds with the types as
// they are, as the build's own test does).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(import.meta.dirname, '..');
const CONSOLE = join(ROOT, 'apps/console');
const SCHEMA = join(CONSOLE, 'src/api/schema.d.ts');
export const FIRST_SCREEN_LIMIT_BYTES = 250 * 1024;

function option(name) {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

/** A log line in the service's own shape, for a person reading `npm start`. */
function say(msg, extra = {}) {
  process.stdout.write(`${JSON.stringify({ level: 'info', time: Date.now(), pid: process.pid, context: 'Console', msg, ...extra })}\n`);
}

/** Writes the API document and generates the client's types from it; true when they changed. */
export function generateClientTypes() {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-openapi-'));
  try {
    const document = join(dir, 'openapi.json');
    const generated = join(dir, 'schema.d.ts');
    execFileSync(process.execPath, [join(ROOT, 'dist/apps/tools/src/write-openapi.js'), document], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync(process.execPath, [join(ROOT, 'node_modules/openapi-typescript/bin/cli.js'), document, '--output', generated], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    const types = readFileSync(generated, 'utf8');
    if (existsSync(SCHEMA) && readFileSync(SCHEMA, 'utf8') === types) return false;
    writeFileSync(SCHEMA, types);
    return true;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The files index.html loads before anything else runs: entry script, preloaded chunks, CSS. */
export function firstScreenFiles(outDir) {
  const html = readFileSync(join(outDir, 'index.html'), 'utf8');
  const files = new Set();
  for (const match of html.matchAll(/<(?:script|link)\b[^>]*?(?:src|href)="\/([^"]+\.(?:js|css))"/g)) files.add(match[1]);
  return [...files];
}

export function firstScreenGzipBytes(outDir) {
  return firstScreenFiles(outDir).reduce((sum, file) => sum + gzipSync(readFileSync(join(outDir, file)), { level: 9 }).length, 0);
}

async function main() {
  if (!process.argv.includes('--keep-types')) {
    const changed = generateClientTypes();
    say(changed ? 'Generated the API client types (apps/console/src/api/schema.d.ts)' : 'The API client types are up to date');
  }
  if (process.argv.includes('--types-only')) return;

  const target = resolve(ROOT, option('--out-dir') ?? 'dist-console');
  const staging = `${target}.building-${process.pid}`;
  const retired = `${target}.old-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    const { build } = await import('vite');
    await build({ configFile: join(CONSOLE, 'vite.config.mts'), logLevel: 'warn', build: { outDir: staging, emptyOutDir: true } });
    const bytes = firstScreenGzipBytes(staging);
    say(`Console built; its first screen loads ${(bytes / 1024).toFixed(1)} KB of JavaScript and CSS (gzip), the limit is ${FIRST_SCREEN_LIMIT_BYTES / 1024} KB`, { firstScreenGzipBytes: bytes });
    if (bytes > FIRST_SCREEN_LIMIT_BYTES) throw new Error(`The console's first screen is ${bytes} bytes gzip, over ${FIRST_SCREEN_LIMIT_BYTES}`);
    writeFileSync(join(staging, '.built'), new Date().toISOString());
    if (existsSync(target)) renameSync(target, retired);
    renameSync(staging, target);
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(retired, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main().catch((error) => {
    process.stderr.write(`Building the console failed: ${error.message}\n`);
    process.exit(1);
  });
}
