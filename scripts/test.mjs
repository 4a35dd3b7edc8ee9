// `npm test` after the type check: every jest project, in two jest processes side by side, then the
// fault suite alone.
//
// Each jest process runs its files one at a time (jest.config.js); the machine's two cores are
// shared by two of them. The two lanes are about as long as each other: the `integration`
// project (integration and end-to-end files on the machine's clock) in one; `e2e-night`,
// `browser` and `unit` in the other. The fault suite kills and restarts processes on a schedule
// under a burst of declarations, and runs last, with the machine to itself. Every file has its
// own database and queue prefix, so two lanes never share data (docs/performance.md § The test
// suite's time).
//
// The service's build (dist/, started by some tests) is made once before the lanes start, so that
// their global set-ups find it current and never build it twice at once.
//
// With arguments (`npm test -- <jest arguments>`), runs one jest process with them instead;
// `--list-lanes` prints the lanes as JSON (scripts/test-lanes.spec.ts checks them against jest.config.js).
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const JEST = join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');

export const LANES = [
  { name: 'integration', projects: ['integration'] },
  { name: 'night, browser, unit', projects: ['e2e-night', 'browser', 'unit'] },
];
export const LAST = { name: 'faults', projects: ['faults'] };

function selectArgs(projects) {
  return ['--selectProjects', ...projects];
}

/** Runs jest with `args`, each line of its output prefixed with `[name]`; resolves to its exit code. */
function runLane(name, args) {
  const started = Date.now();
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [JEST, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    for (const [stream, out] of [
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => out.write(`[${name}] ${line}\n`));
    }
    child.on('exit', (code, signal) => {
      const exitCode = code ?? (signal ? 1 : 0);
      process.stdout.write(`[${name}] ended with exit code ${exitCode} after ${Math.round((Date.now() - started) / 1000)} s\n`);
      resolvePromise(exitCode);
    });
  });
}

function runInherited(command, args) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  return result.status ?? 1;
}

async function main() {
  const extra = process.argv.slice(2);
  if (extra[0] === '--list-lanes') {
    process.stdout.write(`${JSON.stringify({ lanes: LANES, last: LAST })}\n`);
    return;
  }
  if (extra.length > 0) process.exit(runInherited(process.execPath, [JEST, ...extra]));

  const built = runInherited(process.execPath, [join(ROOT, 'scripts', 'start.mjs'), 'build-only']);
  if (built !== 0) process.exit(built);

  const started = Date.now();
  const codes = await Promise.all(LANES.map((lane) => runLane(lane.name, selectArgs(lane.projects))));
  const lastCode = await runLane(LAST.name, selectArgs(LAST.projects));
  const seconds = Math.round((Date.now() - started) / 1000);
  const failed = [...LANES, LAST].filter((_, i) => [...codes, lastCode][i] !== 0).map((lane) => lane.name);
  process.stdout.write(
    failed.length === 0 ? `All jest projects passed in ${seconds} s.\n` : `Failed: ${failed.join('; ')} (after ${seconds} s). Each lane's summary is above, its lines prefixed with its name.\n`,
  );
  process.exit(failed.length === 0 ? 0 : 1);
}

await main();
