import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, TestApp } from '@vigie/testing';

/**
 * The API process serves the built console at `/` (VIGIE_CONSOLE_DIR): the page of any console
 * address is index.html, the server's own paths keep their answers. A small stand-in build is
 * enough here (the console's real build has its own test).
 */
const HTML = { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const INDEX = '<!doctype html><html lang="fr"><head><script type="module" src="/assets/index-AbC123.js"></script></head><body><div id="root"></div></body></html>';

describe('the console served by the API', () => {
  let built: TestApp;
  let unbuilt: TestApp;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigie-console-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'assets', 'index-AbC123.js'), 'console.log("console");');
    [built, unbuilt] = await Promise.all([
      startTestApp({ worker: false, env: { VIGIE_CONSOLE_DIR: dir } }),
      startTestApp({ worker: false, env: { VIGIE_CONSOLE_DIR: join(dir, 'missing') } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([built?.close(), unbuilt?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers index.html, not cached and under a CSP without inline scripts, for any console address', async () => {
    for (const path of ['/', '/youths/4f1c2a8e-6a0b-4c1e-9d53-2b1f0e7c9a10', '/episodes/4f1c2a8e-6a0b-4c1e-9d53-2b1f0e7c9a10/fiche', '/connexion?next=%2F']) {
      const res = await built.http.get(path).set(HTML).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toBe(INDEX);
      expect(res.headers['cache-control']).toBe('no-cache');
      const csp = res.headers['content-security-policy'] as string;
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("connect-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('serves the hashed files for a year and unknown files as the API’s 404', async () => {
    const asset = await built.http.get('/assets/index-AbC123.js').expect(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-type']).toMatch(/javascript/);
    const missing = await built.http.get('/assets/index-Gone00.js').set(HTML).expect(404);
    expect(missing.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
  });

  it('keeps the server’s own paths: an unknown /v1 path stays a JSON 404, the document stays JSON', async () => {
    const nope = await built.http.get('/v1/nope').set(HTML).expect(404);
    expect(nope.headers['content-type']).toMatch(/^application\/json/);
    expect(nope.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    const document = await built.http.get('/openapi.json').set(HTML).expect(200);
    expect(document.headers['content-type']).toMatch(/^application\/json/);
    expect(document.body.openapi).toMatch(/^3\.0\./);
    const me = await built.http.get('/v1/me').set(HTML).expect(401);
    expect(me.body.code).toBe('UNAUTHENTICATED');
    // Express routes ignore case: so does the console's step aside.
    expect((await built.http.get('/V1/Me').set(HTML).expect(401)).body.code).toBe('UNAUTHENTICATED');
    expect((await built.http.get('/health/live').set(HTML).expect(200)).headers['content-type']).toMatch(/json/);
    expect((await built.http.get('/auth/email-link/not-a-token').set(HTML).expect(404)).text).toContain('Lien non valide');
  });

  it('answers index.html only to a browser asking for a page, never to other methods or clients', async () => {
    const json = await built.http.get('/youths/4f1c2a8e-6a0b-4c1e-9d53-2b1f0e7c9a10').set('Accept', 'application/json').expect(404);
    expect(json.body.code).toBe('NOT_FOUND');
    const post = await built.http.post('/youths').set(HTML).set('Content-Type', 'application/json').send({}).expect(404);
    expect(post.text).not.toContain('<div id="root">');
  });

  it('tells the console which ways of signing in are offered', async () => {
    const res = await built.http.get('/auth/options').expect(200);
    expect(res.body).toEqual({ emailLink: true, oidc: false });
    expect(res.headers['cache-control']).toBe('no-store');
    // The provider is read at the first sign-in, not at start-up: an address is enough here.
    const withOidc = await startTestApp({ worker: false, env: { OIDC_ISSUER_URL: 'http://127.0.0.1:9/oidc', OIDC_CLIENT_ID: 'vigie', OIDC_CLIENT_SECRET: 'a-secret-nobody-checks' } });
    try {
      expect((await withOidc.http.get('/auth/options').expect(200)).body).toEqual({ emailLink: true, oidc: true });
    } finally {
      await withOidc.close();
    }
  });

  it('says in French that the console is not built when it is not', async () => {
    const res = await unbuilt.http.get('/youths/4f1c2a8e-6a0b-4c1e-9d53-2b1f0e7c9a10').set(HTML).expect(404);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('Console non installée');
    expect(res.text).toContain('npm start');
    expect((await unbuilt.http.get('/v1/nope').set(HTML).expect(404)).body.code).toBe('NOT_FOUND');
  });
});
