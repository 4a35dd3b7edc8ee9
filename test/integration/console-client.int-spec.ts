import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestApp, TestApp } from '@vigie/testing';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

/**
 * The console's API types (apps/console/src/api/schema.d.ts) are generated from the API document;
 * the committed file must be what the document the service serves generates today, so that the
 * console's type check sees every change of the API. When this fails, regenerate them with
 * `node scripts/build-console.mjs --types-only` (after `node scripts/start.mjs build-only`).
 */
describe('the console’s generated API client', () => {
  let t: TestApp;
  let dir: string;

  beforeAll(async () => {
    t = await startTestApp({ worker: false });
    dir = await mkdtemp(join(tmpdir(), 'vigie-console-client-'));
  });
  afterAll(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is what openapi-typescript generates from the live /openapi.json', async () => {
    const document = (await t.http.get('/openapi.json').expect(200)).body as { paths: Record<string, unknown> };
    expect(document.paths['/v1/youths']).toBeDefined();
    await writeFile(join(dir, 'openapi.json'), JSON.stringify(document));
    await run(process.execPath, [join(ROOT, 'node_modules/openapi-typescript/bin/cli.js'), join(dir, 'openapi.json'), '--output', join(dir, 'schema.d.ts')], { cwd: ROOT });
    const generated = await readFile(join(dir, 'schema.d.ts'), 'utf8');
    const committed = await readFile(join(ROOT, 'apps/console/src/api/schema.d.ts'), 'utf8');
    expect(generated).toContain('"/v1/fugues/{id}/timeline"');
    // Not toEqual on 7,000 lines: the first differing line says what changed.
    const differing = generated.split('\n').findIndex((line, i) => line !== committed.split('\n')[i]);
    expect({ firstDifferingLine: differing === -1 && generated.length !== committed.length ? 'length' : differing, text: generated.split('\n')[differing] ?? null }).toEqual({
      firstDifferingLine: -1,
      text: null,
    });
  });
});
