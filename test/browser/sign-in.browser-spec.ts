import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import {
  bearer,
  BROWSER_RESULTS_DIR,
  expectNoSeriousA11yViolations,
  makeFoyer,
  requestSignInLink,
  signInByEmail,
  SmtpCatcher,
  startTestApp,
  TestApp,
  useBrowser,
  withPage,
} from '@vigie/testing';

/**
 * Sign-in by e-mailed link in a real Chromium: the French link page passes axe, its button signs
 * in and lands on `next`, the session cookie is out of the page's reach yet sends `/v1/me` the
 * person, a used link shows the French error page, and signing out ends the session.
 */

type Json = Record<string, any>;

/** `fetch` from the page itself: same origin, the browser's own cookies. */
async function fetchFromPage(page: Page, path: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: Json | null }> {
  return page.evaluate(
    async ({ path, init }) => {
      const res = await fetch(path, { ...init, credentials: 'same-origin' });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
    },
    { path, init },
  );
}

describe('sign-in by e-mailed link in a browser', () => {
  let t: TestApp;
  let smtp: SmtpCatcher;
  const browser = useBrowser(() => t.url);

  async function makePerson(email: string): Promise<Json> {
    const foyer = await makeFoyer(t);
    return (await t.http.post('/v1/people').set(bearer(t.adminKey)).send({ displayName: 'Personne Testnom', email, role: 'foyer', foyerIds: [foyer.id] }).expect(201)).body;
  }

  beforeAll(async () => {
    smtp = await SmtpCatcher.start();
    t = await startTestApp({ worker: false, ownPublicUrl: true, env: { SMTP_URL: smtp.url } });
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  browser.test('the e-mailed link leads to a French page whose button signs in and lands on next', async (page, context) => {
    const person = await makePerson('navigateur@foyer.test');
    const link = await requestSignInLink(page, smtp, 'Navigateur@Foyer.test', '/docs?depuis=lien');
    expect(new URL(link).origin).toBe(t.url);

    const opened = await page.goto(link);
    expect(opened?.status()).toBe(200);
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    await expect(page.title()).resolves.toBe('Vigie – Connexion à Vigie');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Connexion à Vigie');
    await expectNoSeriousA11yViolations(page);
    // Opening the link signs nobody in: mail scanners open links.
    expect((await context.cookies()).map((c) => c.name)).not.toContain('vigie_session');

    await Promise.all([page.waitForURL('**/docs?depuis=lien', { waitUntil: 'domcontentloaded' }), page.getByRole('button', { name: 'Me connecter' }).click()]);
    expect(new URL(page.url()).pathname).toBe('/docs');

    const cookie = (await context.cookies()).find((c) => c.name === 'vigie_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', domain: '127.0.0.1', secure: false });
    expect(await page.evaluate<string>('document.cookie')).not.toContain('vigie_session');

    const me = await fetchFromPage(page, '/v1/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ kind: 'person', id: person.id, email: 'navigateur@foyer.test', role: 'foyer' });

    // The link served once: opened again, the French error page, without a new session.
    const again = await page.goto(link);
    expect(again?.status()).toBe(404);
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Lien non valide');
    expect(await page.getByText('n’est pas valide, a déjà servi ou a expiré').isVisible()).toBe(true);
    expect(await page.getByRole('button').count()).toBe(0);
    await expectNoSeriousA11yViolations(page);
  });

  browser.test('signing out with the CSRF token from /v1/me ends the session', async (page) => {
    const person = await makePerson('sortie@foyer.test');
    const link = await signInByEmail(page, smtp, 'sortie@foyer.test');
    expect(new URL(page.url()).pathname).toBe('/');

    const me = await fetchFromPage(page, '/v1/me');
    expect(me).toMatchObject({ status: 200, body: { id: person.id } });
    const csrfToken = me.body!.csrfToken as string;
    expect(csrfToken).toEqual(expect.any(String));

    // Without the token, the session stays.
    expect(await fetchFromPage(page, '/auth/logout', { method: 'POST' })).toMatchObject({ status: 403, body: { code: 'CSRF_FAILED' } });
    expect((await fetchFromPage(page, '/v1/me')).status).toBe(200);

    expect((await fetchFromPage(page, '/auth/logout', { method: 'POST', headers: { 'X-CSRF-Token': csrfToken } })).status).toBe(204);
    expect(await fetchFromPage(page, '/v1/me')).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect((await page.context().cookies()).map((c) => c.name)).not.toContain('vigie_session');

    // The used link does not sign in again.
    expect((await page.goto(link))?.status()).toBe(404);
  });

  describe('the harness itself', () => {
    browser.test('axe finds serious violations and names them with their targets', async (page) => {
      await page.goto('/health/live');
      await page.setContent('<!doctype html><html><head><title>x</title></head><body><img src="data:," id="sans-alt"><button id="vide"></button></body></html>');
      const failure = await expectNoSeriousA11yViolations(page).then(
        () => null,
        (error: Error) => error,
      );
      expect(failure?.message).toMatch(/image-alt \(critical\)/);
      expect(failure?.message).toContain('#sans-alt');
      expect(failure?.message).toMatch(/button-name \(critical\)/);
      expect(failure?.message).toMatch(/html-has-lang \(serious\)/);
    });

    browser.test('axe finds a serious violation inside a frame of the page', async (page) => {
      await page.goto('/health/live');
      await page.setContent(
        '<!doctype html><html lang="fr"><head><title>x</title></head><body><main><h1>Cadre</h1>' +
          '<iframe title="cadre" srcdoc="<!doctype html><html lang=fr><head><title>y</title></head><body><button id=vide-du-cadre></button></body></html>"></iframe>' +
          '</main></body></html>',
      );
      await page.frameLocator('iframe').locator('#vide-du-cadre').waitFor({ state: 'attached' });
      const failure = await expectNoSeriousA11yViolations(page).then(
        () => null,
        (error: Error) => error,
      );
      expect(failure?.message).toMatch(/button-name \(critical\)/);
      expect(failure?.message).toContain('#vide-du-cadre');
    });

    it('a failing browser test leaves a screenshot under test-results/browser/ and fails as it would have', async () => {
      const name = 'harness screenshot check';
      const path = join(BROWSER_RESULTS_DIR, 'harness-screenshot-check.png');
      rmSync(path, { force: true });
      const failure = new Error('the page did not show what was expected');
      const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
      await expect(
        withPage(browser.browser, t.url, name, async (page) => {
          await page.goto('/health/live');
          throw failure;
        }),
      ).rejects.toBe(failure);
      const warnings = warn.mock.calls.map((call) => String(call[0]));
      warn.mockRestore();
      expect(warnings).toEqual([expect.stringContaining(path)]);
      expect(existsSync(path)).toBe(true);
      // A PNG of the page, not an empty file.
      expect(readFileSync(path).subarray(1, 4).toString()).toBe('PNG');
      rmSync(path, { force: true });
    });
  });
});
