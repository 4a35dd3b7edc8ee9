import type { Page } from 'playwright-core';
import { bearer, expectNoSeriousA11yViolations, makeFoyer, OidcTestProvider, startOidcProvider, startTestApp, TestApp, useBrowser } from '@vigie/testing';

/**
 * Sign-in with OpenID Connect in a real Chromium, against a real provider (`oidc-provider`) and
 * its own login page: a known person lands where the address pointed, signed in; an address
 * Vigie does not know gets the French page saying to ask an administrator, and no session.
 */

type Json = Record<string, any>;

/** Goes through the provider's login page (any password is accepted for a known account id). */
async function logInAtProvider(page: Page, accountId: string): Promise<void> {
  await page.waitForURL(/\/interaction\//);
  await page.fill('input[name="login"]', accountId);
  await page.fill('input[name="password"]', 'mot-de-passe-de-test');
  await page.click('button[type="submit"]');
}

async function me(page: Page): Promise<{ status: number; body: Json | null }> {
  return page.evaluate(async () => {
    const res = await fetch('/v1/me', { credentials: 'same-origin' });
    return { status: res.status, body: res.status === 200 ? ((await res.json()) as Record<string, unknown>) : null };
  });
}

describe('sign-in with OpenID Connect in a browser', () => {
  let provider: OidcTestProvider;
  let t: TestApp;
  const browser = useBrowser(() => t.url);

  beforeAll(async () => {
    provider = await startOidcProvider({
      accounts: [
        { id: 'agent-connu', email: 'agent.connu@police.test' },
        { id: 'agent-inconnu', email: 'agent.inconnu@police.test' },
      ],
      userinfoSigned: true,
    });
    t = await startTestApp({ worker: false, ownPublicUrl: true, env: provider.env });
  });

  afterAll(async () => {
    await t?.close();
    await provider?.close();
  });

  browser.test('a known person signs in at the provider and lands where the address pointed', async (page, context) => {
    const foyer = await makeFoyer(t);
    const person = (
      await t.http
        .post('/v1/people')
        .set(bearer(t.adminKey))
        .send({ displayName: 'Agent Testnom', email: 'Agent.Connu@police.test', role: 'foyer', foyerIds: [foyer.id] })
        .expect(201)
    ).body;

    await page.goto('/auth/oidc?next=%2Fdocs%3Fdepuis%3Doidc');
    await logInAtProvider(page, 'agent-connu');
    await page.waitForURL(`${t.url}/docs?depuis=oidc`, { waitUntil: 'domcontentloaded' });

    const cookie = (await context.cookies()).find((c) => c.name === 'vigie_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', domain: '127.0.0.1' });
    const answer = await me(page);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: person.id, kind: 'person', role: 'foyer', email: person.email });
  });

  browser.test('an address Vigie does not know gets a French page and no session', async (page, context) => {
    await page.goto('/auth/oidc?next=%2Fdocs');
    const callback = page.waitForResponse((res) => new URL(res.url()).pathname === '/auth/oidc/callback');
    await logInAtProvider(page, 'agent-inconnu');
    expect((await callback).status()).toBe(403);
    await page.waitForLoadState('domcontentloaded');
    expect(new URL(page.url()).pathname).toBe('/auth/oidc/callback');
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    expect(await page.locator('body').textContent()).toMatch(/administrat/i);
    await expectNoSeriousA11yViolations(page);
    expect((await context.cookies()).map((c) => c.name)).not.toContain('vigie_session');
    expect((await me(page)).status).toBe(401);
  });
});
