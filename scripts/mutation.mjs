// `npm run test:mutation [-- --mutate <file>]`: Stryker over the pure modules (stryker.config.json),
// then a per-file check of reports/mutation/mutation.json — Stryker's own threshold is global only.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const REPORT = join('reports', 'mutation', 'mutation.json');
/** The share of a file's mutants its tests must kill (killed or timed out). */
const MIN_SCORE = 90;
/** The share of a file's mutants that may be disabled in place as equivalent. */
const MAX_DISABLED = 10;

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

rmSync(REPORT, { force: true });
const stryker = spawnSync('npx', ['stryker', 'run', ...process.argv.slice(2)], { stdio: 'inherit' });
if (stryker.status !== 0) {
  console.error(`Stryker failed (exit code ${stryker.status ?? stryker.signal}).`);
  process.exit(stryker.status || 1);
}
if (!existsSync(REPORT)) {
  console.error(`No report at ${REPORT}.`);
  process.exit(1);
}

const report = JSON.parse(readFileSync(REPORT, 'utf8'));
const rows = [];
let failed = false;
for (const [file, { mutants }] of Object.entries(report.files)) {
  const count = (statuses) => mutants.filter((mutant) => statuses.has(mutant.status)).length;
  const detected = count(DETECTED);
  const undetected = count(UNDETECTED);
  const disabled = count(new Set(['Ignored']));
  const errors = count(new Set(['CompileError', 'RuntimeError']));
  const score = detected + undetected === 0 ? 100 : (100 * detected) / (detected + undetected);
  const disabledShare = (100 * disabled) / Math.max(1, detected + undetected + disabled);
  const problems = [];
  if (score < MIN_SCORE) problems.push(`score below ${MIN_SCORE} %`);
  if (disabledShare > MAX_DISABLED) problems.push(`more than ${MAX_DISABLED} % disabled`);
  failed ||= problems.length > 0;
  rows.push({ file, score, detected, undetected, disabled, errors, verdict: problems.length ? `FAIL: ${problems.join(', ')}` : 'ok' });
}

const header = ['file', 'score', 'killed', 'survived', 'disabled', 'errors', 'verdict'];
const lines = rows.map((row) => [
  row.file,
  `${row.score.toFixed(1)} %`,
  String(row.detected),
  String(row.undetected),
  String(row.disabled),
  String(row.errors),
  row.verdict,
]);
const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column].length)));
const format = (cells) => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd();
console.log(`\nPer file (score = killed or timed out / (killed + timed out + survived + no coverage)):\n`);
console.log(format(header));
console.log(format(widths.map((width) => '-'.repeat(width))));
for (const line of lines) console.log(format(line));
console.log(failed ? `\nA file is below ${MIN_SCORE} % (or disables too many mutants).` : `\nEvery file kills at least ${MIN_SCORE} % of its mutants.`);
process.exit(failed ? 1 : 0);
