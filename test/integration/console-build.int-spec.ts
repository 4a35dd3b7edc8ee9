import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const LIMIT_BYTES = 250 * 1024;

/**
 * The console's production build: what its first screen loads (the scripts and styles index.html
 * names) stays under 250 KB gzip, the build says how much it is, and nothing runs inline (the
 * console's CSP refuses inline scripts and styles).
 */
describe('the console’s build', () => {
  let out: string;
  let printed: string;

  beforeAll(async () => {
    out = join(mkdtempSync(join(tmpdir(), 'vigie-console-build-')), 'console');
    const { stdout } = await run(process.execPath, ['scripts/build-console.mjs', '--keep-types', '--out-dir', out], { cwd: ROOT, timeout: 120_000 });
    printed = stdout;
  }, 150_000);
  afterAll(() => rmSync(join(out, '..'), { recursive: true, force: true }));

  it('keeps the first screen’s JavaScript and CSS under 250 KB gzip, and prints its size', () => {
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
    expect(files.some((f) => f.endsWith('.js'))).toBe(true);
    expect(files.some((f) => f.endsWith('.css'))).toBe(true);
    const bytes = files.reduce((sum, file) => sum + gzipSync(readFileSync(join(out, file)), { level: 9 }).length, 0);
    expect(bytes).toBeGreaterThan(30 * 1024); // React at least: the files measured are the real ones
    expect(bytes).toBeLessThanOrEqual(LIMIT_BYTES);
    const line = printed.split('\n').find((l) => l.includes('firstScreenGzipBytes'));
    expect(JSON.parse(line as string).firstScreenGzipBytes).toBe(bytes);
  });

  it('splits the screens used after an episode into their own files, and inlines no script or style', () => {
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|style="/);
    const assets = readdirSync(join(out, 'assets'));
    expect(assets.some((f) => /^Fiche-[\w-]+\.js$/.test(f))).toBe(true);
    expect(assets.some((f) => /^Interview-[\w-]+\.js$/.test(f))).toBe(true);
    // Fonts and images only from this site: nothing refers to another origin.
    for (const file of assets) expect(readFileSync(join(out, 'assets', file), 'utf8')).not.toMatch(/(?:src|href)=["']?https?:\/\/|@import\s+url\(\s*["']?https?:|fonts\.googleapis/);
  });
});
