import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, buildDist, createTestDatabase, freePort, OidcTestProvider, startOidcProvider, startTestApp, TestApp, TestDatabase, testClock, testEnv, VigieProcess, waitFor } from '@vigie/testing';
import { Clock } from '@vigie/domain';

/**
 * Sign-in with OpenID Connect against a real provider (oidc-provider in a child process), walked
 * as a browser would: GET /auth/oidc, the provider's login page, the callback, then the session on
 * /v1/me. Redirects and cookies are followed by hand (a small cookie jar per origin), so every
 * hop is seen. The provider gives the e-mail address from a signed userinfo JWT and takes
 * client_secret_post, as ProConnect does; a second provider puts it in the ID token and takes
 * client_secret_basic.
 */

type Json = Record<string, any>;

/** A browser's cookies and redirects, enough for one sign-in. */
class Browser {
  private readonly jars = new Map<string, Map<string, string>>();

  /** Requests `url` (GET, or POST with a form), storing cookies; never follows redirects. */
  async request(url: string, form?: Record<string, string>): Promise<{ status: number; location: string | null; body: string; setCookies: string[] }> {
    const origin = new URL(url).origin;
    const jar = this.jars.get(origin) ?? new Map<string, string>();
    this.jars.set(origin, jar);
    const headers: Record<string, string> = {};
    if (jar.size > 0) headers.cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(url, { method: form ? 'POST' : 'GET', headers, body: form ? new URLSearchParams(form).toString() : undefined, redirect: 'manual' });
    const setCookies = res.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';');
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]) <= Date.now()));
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    const location = res.headers.get('location');
    return { status: res.status, location: location ? new URL(location, url).toString() : null, body: await res.text(), setCookies };
  }

  cookie(origin: string, name: string): string | undefined {
    return this.jars.get(origin)?.get(name);
  }

  /**
   * Follows redirects from `url` through the provider, filling its login form with `login`, until
   * a redirect to `stopAt` (the callback), which is returned without being requested.
   */
  async walkToCallback(url: string, stopAt: string, login: string): Promise<string> {
    let next = url;
    for (let hop = 0; hop < 15; hop++) {
      if (next.startsWith(stopAt)) return next;
      const res = await this.request(next);
      if (res.location) {
        next = res.location;
        continue;
      }
      expect(res.status).toBe(200);
      const action = /<form[^>]*action="([^"]+)"/.exec(res.body)?.[1];
      const prompt = /name="prompt" value="(\w+)"/.exec(res.body)?.[1];
      expect(action && prompt).toBeTruthy();
      const submitted = await this.request(new URL(action!.replace(/&amp;/g, '&'), next).toString(), prompt === 'login' ? { prompt, login, password: 'any-password' } : { prompt: prompt! });
      expect(submitted.location).toBeTruthy();
      next = submitted.location!;
    }
    throw new Error('No redirect to the callback after 15 hops');
  }
}

/** The service's clock, which a test may move forward. */
class MovableClock extends Clock {
  offsetMs = 0;

  now(): Date {
    return new Date(testClock().nowMs() + this.offsetMs);
  }
}

const sessionCookieOf = (setCookies: string[]) => setCookies.find((c) => c.startsWith('vigie_session=') && !/vigie_session=;/.test(c));

describe('sign-in with OpenID Connect', () => {
  let provider: OidcTestProvider;
  let t: TestApp;
  let publicUrl: string;
  let callbackUrl: string;
  let admin: Record<string, string>;
  const clock = new MovableClock();

  async function makePerson(body: Json): Promise<Json> {
    return (await t.http.post('/v1/people').set(admin).send({ displayName: 'Personne Testnom', role: 'police', departmentCodes: ['75'], ...body }).expect(201)).body;
  }

  /** Starts a sign-in in a new browser and walks the provider's login as `login`. */
  async function toCallback(login: string, next?: string): Promise<{ browser: Browser; callback: string; state: string }> {
    const browser = new Browser();
    const start = await browser.request(`${publicUrl}/auth/oidc${next === undefined ? '' : `?next=${encodeURIComponent(next)}`}`);
    expect(start.status).toBe(303);
    const state = new URL(start.location!).searchParams.get('state')!;
    const callback = await browser.walkToCallback(start.location!, callbackUrl, login);
    return { browser, callback, state };
  }

  beforeAll(async () => {
    provider = await startOidcProvider({
      accounts: [
        { id: 'agent-connu', email: 'Agent.Connu@Police.test' },
        { id: 'agent-inconnu', email: 'inconnu@police.test' },
        { id: 'agent-parti', email: 'parti@police.test' },
        { id: 'agent-non-verifie', email: 'nonverifie@police.test', emailVerified: false },
      ],
      userinfoSigned: true,
      tokenEndpointAuthMethod: 'client_secret_post',
    });
    t = await startTestApp({ worker: false, ownPublicUrl: true, clock, env: provider.env });
    publicUrl = t.url;
    callbackUrl = `${publicUrl}/auth/oidc/callback`;
    expect(t.env.VIGIE_PUBLIC_URL).toBe(publicUrl);
    admin = bearer(t.adminKey);
    await makePerson({ displayName: 'Agent Testnom', email: 'agent.connu@police.test' });
    await makePerson({ email: 'nonverifie@police.test' });
    const gone = await makePerson({ email: 'parti@police.test' });
    await t.http.delete(`/v1/people/${gone.id}`).set(admin).expect(204);
  });

  afterAll(async () => {
    await t?.close();
    await provider?.close();
  });

  it('redirects to the provider with the code flow, PKCE (S256), state, nonce and the openid email scopes', async () => {
    const res = await t.http.get('/auth/oidc').expect(303);
    const url = new URL(res.headers.location);
    expect(`${url.origin}${url.pathname}`).toBe(`${provider.issuerUrl}/auth`);
    const params = Object.fromEntries(url.searchParams);
    expect(params).toMatchObject({ response_type: 'code', client_id: provider.clientId, redirect_uri: callbackUrl, scope: 'openid email', code_challenge_method: 'S256' });
    expect(params.state).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(params.nonce).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(params.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('vigie_oidc='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\/auth\/oidc/);
    expect(cookie).toMatch(/Max-Age=600/);
  });

  it('signs the person in through the provider: session cookie, landing on `next`, /v1/me answers them', async () => {
    const { browser, callback } = await toCallback('agent-connu', '/episodes/suivi?vue=carte');
    expect(new URL(callback).searchParams.get('code')).toBeTruthy();
    const landed = await browser.request(callback);
    expect(landed.status).toBe(303);
    expect(landed.location).toBe(`${publicUrl}/episodes/suivi?vue=carte`);
    const session = sessionCookieOf(landed.setCookies)!;
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
    expect(session).toMatch(/Path=\//);
    expect(session).not.toMatch(/Secure/i);
    expect(browser.cookie(publicUrl, 'vigie_oidc')).toBeUndefined();

    const me = await t.http.get('/v1/me').set('Cookie', `vigie_session=${browser.cookie(publicUrl, 'vigie_session')}`).expect(200);
    expect(me.body).toMatchObject({ kind: 'person', email: 'agent.connu@police.test', displayName: 'Agent Testnom', role: 'police', departmentCodes: ['75'] });
    expect(me.body.csrfToken).toEqual(expect.any(String));

    // Recorded as the e-mail link's sign-in is: an entry with the route and the status, no person.
    const entries: Json[] = await t.dataSource.query(`SELECT method, route, status_code, person_id, client_id FROM audit_log WHERE route = '/auth/oidc/callback' AND status_code = 303`);
    expect(entries).toEqual([{ method: 'GET', route: '/auth/oidc/callback', status_code: 303, person_id: null, client_id: null }]);
  });

  it('lands on / without `next`, and ignores a `next` that is not a path of this site', async () => {
    for (const next of [undefined, '//evil.example/x', '/\\evil.example', 'https://evil.example/', 'episodes']) {
      const { browser, callback } = await toCallback('agent-connu', next);
      const landed = await browser.request(callback);
      expect(landed.status).toBe(303);
      expect(landed.location).toBe(`${publicUrl}/`);
      expect(sessionCookieOf(landed.setCookies)).toBeDefined();
    }
  });

  it('refuses a replayed callback, with or without the attempt cookie', async () => {
    const { browser, callback } = await toCallback('agent-connu');
    const attempt = browser.cookie(publicUrl, 'vigie_oidc')!;
    expect((await browser.request(callback)).status).toBe(303);
    for (const cookie of [`vigie_oidc=${attempt}`, undefined]) {
      const replay = await fetch(callback, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
      expect(replay.status).toBe(400);
      expect(await replay.text()).toContain('Cette tentative de connexion n’est plus valable');
      expect(sessionCookieOf(replay.headers.getSetCookie())).toBeUndefined();
    }
  });

  it('refuses a tampered state (400, no session), and the attempt is then used up', async () => {
    const { browser, callback } = await toCallback('agent-connu');
    const attempt = browser.cookie(publicUrl, 'vigie_oidc')!;
    const tampered = new URL(callback);
    tampered.searchParams.set('state', `${tampered.searchParams.get('state')}x`);
    const refused = await browser.request(tampered.toString());
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('<html lang="fr">');
    expect(sessionCookieOf(refused.setCookies)).toBeUndefined();
    const genuine = await fetch(callback, { headers: { cookie: `vigie_oidc=${attempt}` }, redirect: 'manual' });
    expect(genuine.status).toBe(400);
    expect(sessionCookieOf(genuine.headers.getSetCookie())).toBeUndefined();
  });

  it('refuses a callback from another browser than the one that started the sign-in', async () => {
    const { callback } = await toCallback('agent-connu');
    const stranger = await new Browser().request(callback);
    expect(stranger.status).toBe(400);
    expect(sessionCookieOf(stranger.setCookies)).toBeUndefined();
  });

  it('refuses an attempt older than 10 minutes', async () => {
    const { browser, callback } = await toCallback('agent-connu');
    clock.offsetMs = 10 * 60_000 + 1000;
    try {
      const late = await browser.request(callback);
      expect(late.status).toBe(400);
      expect(sessionCookieOf(late.setCookies)).toBeUndefined();
    } finally {
      clock.offsetMs = 0;
    }
  });

  it('answers 400 when the provider refuses (error=access_denied) or the code does not exchange', async () => {
    for (const answer of ['error=access_denied&error_description=End-User+aborted+interaction', 'code=not-a-code-the-provider-gave']) {
      const browser = new Browser();
      const start = await browser.request(`${publicUrl}/auth/oidc`);
      const state = new URL(start.location!).searchParams.get('state')!;
      const res = await browser.request(`${callbackUrl}?${answer}&state=${encodeURIComponent(state)}&iss=${encodeURIComponent(provider.issuerUrl)}`);
      expect(res.status).toBe(400);
      expect(res.body).toContain('Connexion interrompue');
      expect(sessionCookieOf(res.setCookies)).toBeUndefined();
    }
  });

  it('answers a French 403 page and no session to an unknown, deactivated or unverified address', async () => {
    for (const login of ['agent-inconnu', 'agent-parti', 'agent-non-verifie']) {
      const { browser, callback } = await toCallback(login);
      const res = await browser.request(callback);
      expect(res.status).toBe(403);
      expect(res.body).toContain('<html lang="fr">');
      expect(res.body).toContain('Votre compte n’est pas connu de Vigie');
      expect(res.body).toContain('administrateur');
      expect(sessionCookieOf(res.setCookies)).toBeUndefined();
      expect(browser.cookie(publicUrl, 'vigie_session')).toBeUndefined();
    }
  });
});

describe('sign-in with a provider that puts the e-mail address in the ID token and takes client_secret_basic, then goes away', () => {
  let provider: OidcTestProvider;
  let t: TestApp;

  afterAll(async () => {
    await t?.close();
    await provider?.close();
  });

  it('signs the person in, and answers 502 once the provider cannot be reached', async () => {
    provider = await startOidcProvider({
      accounts: [{ id: 'agent', email: 'cadre@enfance.test', emailVerified: true }],
      emailInIdToken: true,
      tokenEndpointAuthMethod: 'client_secret_basic',
    });
    t = await startTestApp({ worker: false, ownPublicUrl: true, env: provider.env });
    const publicUrl = t.url;
    await t.http.post('/v1/people').set(bearer(t.adminKey)).send({ displayName: 'Cadre Testnom', email: 'cadre@enfance.test', role: 'child_protection', departmentCodes: ['93'] }).expect(201);
    const browser = new Browser();
    const start = await browser.request(`${publicUrl}/auth/oidc?next=/tableau`);
    const callback = await browser.walkToCallback(start.location!, `${publicUrl}/auth/oidc/callback`, 'agent');
    const landed = await browser.request(callback);
    expect(landed.status).toBe(303);
    expect(landed.location).toBe(`${publicUrl}/tableau`);
    const me = await t.http.get('/v1/me').set('Cookie', `vigie_session=${browser.cookie(publicUrl, 'vigie_session')}`).expect(200);
    expect(me.body).toMatchObject({ kind: 'person', email: 'cadre@enfance.test', role: 'child_protection' });

    // The provider goes away between its login page and the code exchange: 502, no session.
    const again = new Browser();
    const second = await again.request(`${publicUrl}/auth/oidc`);
    const secondCallback = await again.walkToCallback(second.location!, `${publicUrl}/auth/oidc/callback`, 'agent');
    await provider.close();
    const down = await again.request(secondCallback);
    expect(down.status).toBe(502);
    expect(down.body).toContain('Le fournisseur d’identité ne répond pas');
    expect(sessionCookieOf(down.setCookies)).toBeUndefined();
  });
});

describe('OpenID Connect sign-in not configured, or its provider unreachable', () => {
  let plain: TestApp;
  let unreachable: TestApp;

  beforeAll(async () => {
    plain = await startTestApp({ worker: false });
    unreachable = await startTestApp({
      worker: false,
      database: plain.database,
      env: { OIDC_ISSUER_URL: `http://127.0.0.1:${await freePort()}`, OIDC_CLIENT_ID: 'vigie', OIDC_CLIENT_SECRET: 'a-secret-nobody-checks' },
    });
  });

  afterAll(async () => {
    await unreachable?.close();
    await plain?.close();
  });

  it('answers 404 on both routes, as on any unknown path, when the OIDC_* settings are not set', async () => {
    const unknown = await plain.http.get('/auth/nothing-here').expect(404);
    for (const path of ['/auth/oidc', '/auth/oidc?next=/x', '/auth/oidc/callback?code=a&state=b']) {
      const res = await plain.http.get(path).expect(404);
      expect(res.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND', message: unknown.body.message });
      expect(res.headers['set-cookie']).toBeUndefined();
    }
  });

  it('answers a French 502 page when the provider cannot be reached', async () => {
    const res = await unreachable.http.get('/auth/oidc').expect(502);
    expect(res.text).toContain('<html lang="fr">');
    expect(res.text).toContain('Le fournisseur d’identité ne répond pas');
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});

/**
 * A real API process built to dist/ (CommonJS, as `npm start` runs it) signs people in through the
 * provider at debug level: its log names routes and outcomes, never an e-mail address, the state,
 * the code, the attempt cookie or the session id.
 */
describe('OpenID Connect sign-in leaves nothing personal in the logs', () => {
  let database: TestDatabase;
  let provider: OidcTestProvider;
  let api: VigieProcess;
  let logFile: string;

  afterAll(async () => {
    await api?.dispose();
    await provider?.close();
    await database?.drop();
    if (logFile) rmSync(logFile, { force: true });
  });

  it('logs no address, state, code, attempt id nor session id', async () => {
    await buildDist();
    database = await createTestDatabase();
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const callbackUrl = `${publicUrl}/auth/oidc/callback`;
    provider = await startOidcProvider({
      accounts: [
        { id: 'journal-connu', email: 'journal.connu@police.test' },
        { id: 'journal-inconnu', email: 'journal.inconnu@police.test' },
      ],
      redirectUris: [callbackUrl],
      userinfoSigned: true,
    });
    const env = testEnv(database, { PORT: String(port), LOG_LEVEL: 'debug', VIGIE_PUBLIC_URL: publicUrl, ...provider.env });
    logFile = join(tmpdir(), `vigie-oidc-logs-${database.name}.log`);
    api = new VigieProcess('api', env, { name: 'api', logFile });
    api.start();
    await api.live();
    const created = await fetch(`${publicUrl}/v1/people`, {
      method: 'POST',
      headers: { ...bearer(env.VIGIE_BOOTSTRAP_ADMIN_KEY), 'content-type': 'application/json' },
      body: JSON.stringify({ displayName: 'Journal Testnom', email: 'journal.connu@police.test', role: 'police', departmentCodes: ['75'] }),
    });
    expect(created.status).toBe(201);

    const secrets: string[] = [];
    for (const [login, status] of [['journal-connu', 303], ['journal-inconnu', 403]] as const) {
      const browser = new Browser();
      const start = await browser.request(`${publicUrl}/auth/oidc?next=/suivi`);
      const callback = await browser.walkToCallback(start.location!, callbackUrl, login);
      secrets.push(new URL(callback).searchParams.get('state')!, new URL(callback).searchParams.get('code')!, browser.cookie(publicUrl, 'vigie_oidc')!);
      const answer = await browser.request(callback);
      expect(answer.status).toBe(status);
      if (status === 303) secrets.push(browser.cookie(publicUrl, 'vigie_session')!);
    }
    await waitFor(() => readFileSync(logFile, 'utf8').includes('"msg":"GET /auth/oidc/callback 403"'), { what: 'the last callback in the log' });
    const logs = readFileSync(logFile, 'utf8');
    expect(logs).toContain('"msg":"GET /auth/oidc/callback 303"');
    expect(logs).toContain('An OpenID Connect sign-in named no active person');
    const found = [...secrets, 'journal.connu@police.test', 'journal.inconnu@police.test', 'journal testnom'].filter((value) => logs.toLowerCase().includes(value.toLowerCase()));
    expect(secrets).toHaveLength(7);
    expect(found).toEqual([]);
    // The build alone may take half a minute on a busy machine.
  }, 120_000);
});
