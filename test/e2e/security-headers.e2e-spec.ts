import { startTestApp, TestApp } from '@vigie/testing';

/**
 * The browser security headers follow how the service is reached: a plain-http deployment (the
 * compose stack on a LAN, a fresh clone) must not ask browsers to upgrade every request to
 * https or to refuse http for a year, or /docs stops loading.
 */
describe('security headers', () => {
  let plain: TestApp;
  let secure: TestApp;

  beforeAll(async () => {
    [plain, secure] = await Promise.all([
      startTestApp({ worker: false, env: { VIGIE_PUBLIC_URL: 'http://vigie.lan.test:3000' } }),
      startTestApp({ worker: false, env: { VIGIE_PUBLIC_URL: 'https://vigie.example.test' } }),
    ]);
  });
  afterAll(() => Promise.all([plain?.close(), secure?.close()]));

  it('sends no HSTS and no upgrade-insecure-requests when the public URL is http', async () => {
    const res = await plain.http.get('/docs').expect(200);
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
  });

  it('sends HSTS and upgrade-insecure-requests when the public URL is https', async () => {
    const res = await secure.http.get('/docs').expect(200);
    expect(res.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
    expect(res.headers['content-security-policy']).toContain('upgrade-insecure-requests');
  });
});
