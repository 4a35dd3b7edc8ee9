// `npm test` after the type check: every jest project, in two jest processes side by side, then the
// fault suite alone.
//
// Each jest process runs its files one at a time (jest.config.js); the machine's two cores are
// shared by two of them. The lanes take about as long as each other (the second a fifth less in
// the runs measured): the `integration` project (integration and end-to-end files on the
// machine's clock) in one; `e2e-night`, `browser` and `unit` in the other. The fault suite kills
// and restarts processes on a schedule under a burst of declarations, and runs last, with the
// machine to itself. Every file has its own database and queue prefix, so two lanes never share
// data (docs/performance.md § The test suite's time).
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

const LANES = [
  { name: 'integration', projects: ['integration'] },
  { name: 'night, browser, unit', projects: ['e2e-night', 'browser', 'unit'] },
];
const LAST = { name: 'faults', projects: ['faults'] };

/** Runs jest on the lane's projects, each line of its output prefixed with `[name]`; resolves to its exit code. */
function runLane({ name, projects }) {
  const started = Date.now();
  return new Promise((resolvePromise) => {
    // A process group of its own, so that a signal reaches jest's workers and what they started.
    const child = spawn(process.execPath, [JEST, '--selectProjects', ...projects], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: process.env, detached: true });
    running.add(child);
    const drained = [
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ].map(([stream, out]) => {
      const lines = createInterface({ input: stream, crlfDelay: Infinity });
      lines.on('line', (line) => out.write(`[${name}] ${line}\n`));
      return new Promise((done) => lines.once('close', done));
    });
    child.on('exit', async (code, signal) => {
      running.delete(child);
      // Its last lines (the summary) first; a process it left behind holding the pipe is not waited for.
      await Promise.race([Promise.all(drained), new Promise((done) => setTimeout(done, 2000))]);
      const exitCode = code ?? (signal ? 1 : 0);
      process.stdout.write(`[${name}] ended with exit code ${exitCode} after ${Math.round((Date.now() - started) / 1000)} s\n`);
      resolvePromise(exitCode);
    });
  });
}

/** The lanes' jest processes, whose process groups a signal to `npm test` stops too. */
const running = new Set();
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of running) {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // The group has ended already.
      }
    }
    process.exit(1);
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
  const codes = [...(await Promise.all(LANES.map(runLane))), await runLane(LAST)];
  const seconds = Math.round((Date.now() - started) / 1000);
  const failed = [...LANES, LAST].filter((_, i) => codes[i] !== 0).map((lane) => lane.name);
  process.stdout.write(
    failed.length === 0 ? `All jest projects passed in ${seconds} s.\n` : `Failed: ${failed.join('; ')} (after ${seconds} s). Each lane's summary is above, its lines prefixed with its name.\n`,
  );
  process.exit(failed.length === 0 ? 0 : 1);
}

await main();
