// `npm run bench`: the benchmarks of quality.md § Performance and docs/performance.md, one after another (each
// prints its own table and PASS/FAIL), then one line per benchmark. Every benchmark runs even when
// an earlier one failed. Exit code: the worst of theirs (0 all goals pass, 1 a goal fails,
// 2 a benchmark itself failed).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BENCHES = [
  { name: 'intake and triage', script: 'bench/intake.bench.mjs' },
  { name: 'lists stay flat', script: 'bench/lists.bench.mjs' },
  { name: 'links stay flat', script: 'bench/links.bench.mjs' },
  { name: 'memory stays flat', script: 'bench/memory.bench.mjs' },
];

let current = null;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    // The running benchmark stops its own processes on this signal; wait until it has.
    if (!current) process.exit(130);
    current.once('exit', () => process.exit(130));
    current.kill(signal);
  });
}

function run(script) {
  return new Promise((resolve) => {
    current = spawn(process.execPath, [script], { cwd: ROOT, stdio: 'inherit' });
    current.once('exit', (code, signal) => {
      current = null;
      resolve(code ?? (signal ? 2 : 0));
    });
  });
}

const outcomes = [];
for (const bench of BENCHES) {
  process.stdout.write(`\n=== ${bench.name} (${bench.script}) ===\n`);
  const started = Date.now();
  const code = await run(bench.script);
  outcomes.push({ ...bench, code, seconds: Math.round((Date.now() - started) / 1000) });
}

const verdict = (code) => (code === 0 ? 'PASS' : code === 1 ? 'FAIL' : 'ERROR (the benchmark itself failed)');
process.stdout.write('\nSummary (quality.md § Performance):\n');
for (const o of outcomes) process.stdout.write(`  ${o.name.padEnd(20)} ${verdict(o.code)}   ${o.script}, ${o.seconds} s\n`);
process.exit(Math.max(...outcomes.map((o) => (o.code === 0 || o.code === 1 ? o.code : 2))));
