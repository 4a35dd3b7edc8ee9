import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { bearer, declarationBody, makeClient, makeFoyer, makeYouth, SmtpCatcher, startTestApp, TestApp, testNow, waitFor } from '@vigie/testing';

/**
 * People and sign-in by e-mailed link: an admin manages people; a person asks for a link, the
 * e-mail (caught by a real SMTP server) carries it, GET shows a page and changes nothing, POST
 * signs in once; the session cookie then works on /v1 with the person's role and scope, writes
 * need the session's X-CSRF-Token, and audit entries name the person.
 */

type Json = Record<string, any>;

describe('people and sign-in by e-mailed link', () => {
  let t: TestApp;
  let smtp: SmtpCatcher;
  let admin: Record<string, string>;
  let foyerA: string;
  let foyerB: string;

  /** The sign-in link of the newest e-mail sent to `to`, once it has arrived. */
  async function linkSentTo(to: string, already = 0): Promise<string> {
    const mails = () => smtp.messages.filter((m) => m.envelopeTo.includes(to.toLowerCase()) || m.envelopeTo.includes(to));
    await waitFor(() => mails().length > already, { what: `a sign-in e-mail to ${to}` });
    const parsed = await smtp.parse(mails()[mails().length - 1]);
    const match = /(https?:\/\/\S+\/auth\/email-link\/([A-Za-z0-9_-]+))/.exec(parsed.text ?? '');
    expect(match).not.toBeNull();
    return new URL(match![1]).pathname;
  }

  /** Signs `email` in through the e-mailed link; returns the cookie pair and the CSRF token. */
  async function signIn(email: string): Promise<{ cookie: string; csrf: string }> {
    const before = smtp.messages.filter((m) => m.envelopeTo.includes(email.toLowerCase())).length;
    await t.http.post('/auth/email-link').send({ email }).expect(202);
    const path = await linkSentTo(email.toLowerCase(), before);
    const res = await t.http.post(path).expect(303);
    const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    const cookie = setCookie.find((c) => c.startsWith('vigie_session='))!.split(';')[0];
    const me = await t.http.get('/v1/me').set('Cookie', cookie).expect(200);
    return { cookie, csrf: me.body.csrfToken };
  }

  async function makePerson(body: Json): Promise<Json> {
    return (await t.http.post('/v1/people').set(admin).send({ displayName: 'Personne Testnom', ...body }).expect(201)).body;
  }

  beforeAll(async () => {
    smtp = await SmtpCatcher.start();
    t = await startTestApp({ worker: false, env: { SMTP_URL: smtp.url, VIGIE_PUBLIC_URL: 'http://vigie.test', VIGIE_BOOTSTRAP_ADMIN_EMAIL: 'admin@vigie.test', VIGIE_SIGN_IN_LINKS_PER_CLIENT_ADDRESS: '1000' } });
    admin = bearer(t.adminKey);
    foyerA = (await makeFoyer(t)).id;
    foyerB = (await makeFoyer(t)).id;
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  describe('people (admin)', () => {
    it('creates a person with a Location, reads, lists and changes them', async () => {
      const created = await t.http
        .post('/v1/people')
        .set(admin)
        .send({ displayName: 'Camille Testnom', email: 'camille@foyer.test', role: 'foyer', foyerIds: [foyerA] })
        .expect(201);
      expect(created.headers.location).toBe(`/v1/people/${created.body.id}`);
      expect(created.body).toMatchObject({ displayName: 'Camille Testnom', email: 'camille@foyer.test', role: 'foyer', foyerIds: [foyerA], departmentCodes: [], deactivatedAt: null });

      const read = await t.http.get(`/v1/people/${created.body.id}`).set(admin).expect(200);
      expect(read.body.id).toBe(created.body.id);
      const list = await t.http.get('/v1/people?limit=200').set(admin).expect(200);
      expect(list.body.items.map((p: Json) => p.id)).toContain(created.body.id);

      const patched = await t.http.patch(`/v1/people/${created.body.id}`).set(admin).send({ displayName: 'Camille Autrenom', foyerIds: [foyerA, foyerB] }).expect(200);
      expect(patched.body).toMatchObject({ displayName: 'Camille Autrenom', foyerIds: [foyerA, foyerB], email: 'camille@foyer.test' });
    });

    it('refuses an e-mail address already taken, whatever its case, with 409 EMAIL_TAKEN', async () => {
      await makePerson({ email: 'unique@foyer.test', role: 'police', departmentCodes: ['75'] });
      const res = await t.http.post('/v1/people').set(admin).send({ displayName: 'Autre Testnom', email: 'UNIQUE@Foyer.TEST', role: 'admin' }).expect(409);
      expect(res.body).toMatchObject({ statusCode: 409, code: 'EMAIL_TAKEN' });
      const other = await makePerson({ email: 'other@foyer.test', role: 'admin' });
      const patch = await t.http.patch(`/v1/people/${other.id}`).set(admin).send({ email: 'Unique@foyer.test' }).expect(409);
      expect(patch.body.code).toBe('EMAIL_TAKEN');
    });

    it('applies the scope rules of API clients, and refuses bad input with 400', async () => {
      const noFoyer = await t.http.post('/v1/people').set(admin).send({ displayName: 'X Testnom', email: 'x@foyer.test', role: 'foyer' }).expect(400);
      expect(noFoyer.body.code).toBe('VALIDATION_FAILED');
      const badEmail = await t.http.post('/v1/people').set(admin).send({ displayName: 'X Testnom', email: 'not-an-address', role: 'admin' }).expect(400);
      expect(badEmail.body.details.map((d: Json) => d.field)).toContain('email');
      await t.http.post('/v1/people').set(admin).send({ displayName: 'X Testnom', email: 'x@foyer.test', role: 'police' }).expect(400);
      await t.http.get('/v1/people/not-a-uuid').set(admin).expect(400);
      await t.http.get(`/v1/people/${randomUUID()}`).set(admin).expect(404);
      await t.http.delete(`/v1/people/${randomUUID()}`).set(admin).expect(404);
    });

    it('is for admins only', async () => {
      const foyerKey = bearer((await makeClient(t, { role: 'foyer', foyerIds: [foyerA] })).key);
      const res = await t.http.get('/v1/people').set(foyerKey).expect(403);
      expect(res.body.code).toBe('FORBIDDEN');
      await t.http.post('/v1/people').set(foyerKey).send({ displayName: 'Y Testnom', email: 'y@foyer.test', role: 'admin' }).expect(403);
    });

    it('creates the bootstrap admin person from VIGIE_BOOTSTRAP_ADMIN_EMAIL, who can sign in', async () => {
      const list = await t.http.get('/v1/people?limit=200').set(admin).expect(200);
      expect(list.body.items.filter((p: Json) => p.email === 'admin@vigie.test')).toEqual([expect.objectContaining({ role: 'admin', deactivatedAt: null })]);
      const { cookie } = await signIn('admin@vigie.test');
      const me = await t.http.get('/v1/me').set('Cookie', cookie).expect(200);
      expect(me.body).toMatchObject({ kind: 'person', role: 'admin', email: 'admin@vigie.test' });
    });
  });

  describe('sign-in by e-mailed link', () => {
    it('sends a French e-mail with a link under VIGIE_PUBLIC_URL; GET shows a page and changes nothing; POST signs in once', async () => {
      await makePerson({ email: 'lien@foyer.test', role: 'foyer', foyerIds: [foyerA] });
      const sent = await t.http.post('/auth/email-link').send({ email: 'Lien@Foyer.test' }).expect(202);
      await waitFor(() => smtp.messages.some((m) => m.envelopeTo.includes('lien@foyer.test')), { what: 'the sign-in e-mail' });
      const mail = await smtp.parse(smtp.messages.find((m) => m.envelopeTo.includes('lien@foyer.test'))!);
      expect(mail.subject).toBe('[Vigie] Votre lien de connexion');
      expect(mail.text).toContain('expire dans 15 minutes');
      expect(mail.text).toMatch(/http:\/\/vigie\.test\/auth\/email-link\/[A-Za-z0-9_-]{43}/);
      const path = await linkSentTo('lien@foyer.test');

      // Mail scanners open links: twice GET, and the link still works.
      for (let i = 0; i < 2; i++) {
        const page = await t.http.get(path).expect(200);
        expect(page.headers['content-type']).toMatch(/text\/html/);
        expect(page.text).toContain('<form method="post">');
        expect(page.text).toContain('lang="fr"');
        expect(page.headers['set-cookie']).toBeUndefined();
        expect(page.headers['cache-control']).toBe('no-store');
      }

      const signedIn = await t.http.post(path).expect(303);
      expect(signedIn.headers.location).toBe('/');
      const setCookie = ([] as string[]).concat(signedIn.headers['set-cookie'] ?? []).find((c) => c.startsWith('vigie_session='))!;
      expect(setCookie).toMatch(/; HttpOnly/);
      expect(setCookie).toMatch(/; SameSite=Lax/);
      expect(setCookie).toMatch(/; Path=\//);
      expect(setCookie).not.toMatch(/Domain=/i);
      expect(setCookie).not.toMatch(/; Secure/); // http:// public URL

      // Single use: a second POST, or a GET, finds nothing.
      const again = await t.http.post(path).expect(404);
      expect(again.headers['set-cookie']).toBeUndefined();
      expect(again.text).toContain('Lien non valide');
      await t.http.get(path).expect(404);
      expect(sent.body).toEqual({ message: expect.any(String) });
    });

    it('answers an unknown address exactly as a known one, and sends nothing', async () => {
      await makePerson({ email: 'connue@foyer.test', role: 'admin' });
      const known = await t.http.post('/auth/email-link').send({ email: 'connue@foyer.test' }).expect(202);
      const unknown = await t.http.post('/auth/email-link').send({ email: 'inconnue@foyer.test' }).expect(202);
      expect(unknown.body).toEqual(known.body);
      expect(unknown.headers['content-type']).toBe(known.headers['content-type']);
      await waitFor(() => smtp.messages.some((m) => m.envelopeTo.includes('connue@foyer.test')), { what: 'the known address e-mail' });
      expect(smtp.messages.some((m) => m.envelopeTo.includes('inconnue@foyer.test'))).toBe(false);
    });

    it('lands on the `next` path given at request time, and only on a path of this site', async () => {
      await makePerson({ email: 'suite@foyer.test', role: 'admin' });
      for (const [next, expected] of [
        ['/episodes/abc?x=1', '/episodes/abc?x=1'],
        ['//evil.test/x', '/'],
        ['https://evil.test/', '/'],
        ['/\\evil.test', '/'],
      ]) {
        const before = smtp.messages.filter((m) => m.envelopeTo.includes('suite@foyer.test')).length;
        await t.http.post('/auth/email-link').send({ email: 'suite@foyer.test', next }).expect(202);
        const path = await linkSentTo('suite@foyer.test', before);
        const res = await t.http.post(path).expect(303);
        expect(res.headers.location).toBe(expected);
      }
    });

    it('refuses a malformed or unknown token with the French page, and bad input with 400', async () => {
      await t.http.post('/auth/email-link/short').expect(404);
      const res = await t.http.post(`/auth/email-link/${'A'.repeat(43)}`).expect(404);
      expect(res.text).toContain('Lien non valide');
      const bad = await t.http.post('/auth/email-link').send({ email: 'pas une adresse' }).expect(400);
      expect(bad.body.code).toBe('VALIDATION_FAILED');
      await t.http.post('/auth/email-link').send({}).expect(400);
    });
  });

  describe('a session', () => {
    it('GET /v1/me: the person with the session’s CSRF token, or the API client with none', async () => {
      const person = await makePerson({ email: 'moi@foyer.test', role: 'foyer', foyerIds: [foyerA] });
      const { cookie, csrf } = await signIn('moi@foyer.test');
      const me = await t.http.get('/v1/me').set('Cookie', cookie).expect(200);
      expect(me.body).toEqual({
        id: person.id,
        displayName: 'Personne Testnom',
        email: 'moi@foyer.test',
        role: 'foyer',
        foyerIds: [foyerA],
        departmentCodes: [],
        kind: 'person',
        csrfToken: csrf,
      });
      expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const client = await makeClient(t, { role: 'police', departmentCodes: ['75'], name: 'Commissariat test' });
      const viaKey = await t.http.get('/v1/me').set(bearer(client.key)).expect(200);
      expect(viaKey.body).toEqual({ id: client.id, displayName: 'Commissariat test', email: null, role: 'police', foyerIds: [], departmentCodes: ['75'], kind: 'apiClient', csrfToken: null });
      await t.http.get('/v1/me').expect(401);
      await t.http.get('/v1/me').set('Cookie', 'vigie_session=not-a-session').expect(401);
    });

    it('a write with the cookie needs X-CSRF-Token: 403 CSRF_FAILED without it or with a wrong one; a bearer key needs none', async () => {
      await makePerson({ email: 'csrf@foyer.test', role: 'foyer', foyerIds: [foyerA] });
      const { cookie, csrf } = await signIn('csrf@foyer.test');
      const youth = { foyerId: foyerA, firstName: 'Testprenom', lastName: 'Testnom', birthDate: '2011-03-01', sex: 'F' };
      const without = await t.http.post('/v1/youths').set('Cookie', cookie).send(youth).expect(403);
      expect(without.body).toMatchObject({ statusCode: 403, code: 'CSRF_FAILED' });
      const wrong = await t.http.post('/v1/youths').set('Cookie', cookie).set('X-CSRF-Token', `${csrf.slice(0, -1)}x`).send(youth).expect(403);
      expect(wrong.body.code).toBe('CSRF_FAILED');
      await t.http.post('/v1/youths').set('Cookie', cookie).set('X-CSRF-Token', csrf).send(youth).expect(201);
      const foyerKey = (await makeClient(t, { role: 'foyer', foyerIds: [foyerA] })).key;
      await t.http.post('/v1/youths').set(bearer(foyerKey)).send(youth).expect(201);
      // Reads need no token.
      await t.http.get(`/v1/foyers/${foyerA}`).set('Cookie', cookie).expect(200);
    });

    it('a foyer person sees exactly what a key of the same foyer sees', async () => {
      await makePerson({ email: 'scope@foyer.test', role: 'foyer', foyerIds: [foyerA] });
      const { cookie } = await signIn('scope@foyer.test');
      const foyerKey = bearer((await makeClient(t, { role: 'foyer', foyerIds: [foyerA] })).key);
      const otherKey = (await makeClient(t, { role: 'foyer', foyerIds: [foyerB] })).key;
      const inB = await makeYouth(t, otherKey, foyerB);
      const inA = await makeYouth(t, foyerKey.Authorization.slice(7), foyerA);
      for (const path of [`/v1/youths/${inA.id}`, `/v1/youths/${inB.id}`, `/v1/foyers/${foyerA}`, `/v1/foyers/${foyerB}`, '/v1/people', '/v1/audit']) {
        const viaCookie = await t.http.get(path).set('Cookie', cookie);
        const viaKey = await t.http.get(path).set(foyerKey);
        expect({ path, status: viaCookie.status }).toEqual({ path, status: viaKey.status });
      }
      const foyers = await t.http.get('/v1/foyers').set('Cookie', cookie).expect(200);
      expect(foyers.body.items.map((f: Json) => f.id)).toEqual([foyerA]);
      await t.http.get(`/v1/youths/${inB.id}`).set('Cookie', cookie).expect(404);
      await t.http.get(`/v1/youths/${inA.id}`).set('Cookie', cookie).expect(200);
    });

    it('deactivating a person ends every session of theirs at once, and they can no longer sign in', async () => {
      const person = await makePerson({ email: 'parti@foyer.test', role: 'foyer', foyerIds: [foyerA] });
      const one = await signIn('parti@foyer.test');
      const two = await signIn('parti@foyer.test');
      // A link asked before the deactivation stops working too.
      const before = smtp.messages.filter((m) => m.envelopeTo.includes('parti@foyer.test')).length;
      await t.http.post('/auth/email-link').send({ email: 'parti@foyer.test' }).expect(202);
      const pending = await linkSentTo('parti@foyer.test', before);
      await t.http.get('/v1/me').set('Cookie', one.cookie).expect(200);

      await t.http.delete(`/v1/people/${person.id}`).set(admin).expect(204);
      await t.http.get('/v1/me').set('Cookie', one.cookie).expect(401);
      await t.http.get('/v1/me').set('Cookie', two.cookie).expect(401);
      await t.http.post(pending).expect(404);
      const read = await t.http.get(`/v1/people/${person.id}`).set(admin).expect(200);
      expect(read.body.deactivatedAt).not.toBeNull();
      await t.http.delete(`/v1/people/${person.id}`).set(admin).expect(204);
      const count = smtp.messages.length;
      await t.http.post('/auth/email-link').send({ email: 'parti@foyer.test' }).expect(202);
      await t.http.post('/auth/email-link').send({ email: 'connue-apres@foyer.test' }).expect(202);
      expect(smtp.messages.length).toBe(count);
    });

    it('logout ends the session (with the CSRF token) and clears the cookie', async () => {
      await makePerson({ email: 'sortie@foyer.test', role: 'admin' });
      const { cookie, csrf } = await signIn('sortie@foyer.test');
      const refused = await t.http.post('/auth/logout').set('Cookie', cookie).expect(403);
      expect(refused.body.code).toBe('CSRF_FAILED');
      await t.http.get('/v1/me').set('Cookie', cookie).expect(200);
      const out = await t.http.post('/auth/logout').set('Cookie', cookie).set('X-CSRF-Token', csrf).expect(204);
      expect(([] as string[]).concat(out.headers['set-cookie'] ?? []).join()).toMatch(/vigie_session=;.*Expires=Thu, 01 Jan 1970/);
      await t.http.get('/v1/me').set('Cookie', cookie).expect(401);
    });

    it('a person acts under their own id where a client id was recorded: episode, return interview, webhook endpoint', async () => {
      const educator = await makePerson({ email: 'actrice@foyer.test', role: 'foyer', foyerIds: [foyerA] });
      const { cookie, csrf } = await signIn('actrice@foyer.test');
      const as = (req: request.Test) => req.set('Cookie', cookie).set('X-CSRF-Token', csrf);
      const youth = await as(t.http.post('/v1/youths')).send({ foyerId: foyerA, firstName: 'Testprenom', lastName: 'Testnom', birthDate: '2011-03-01', sex: 'F' }).expect(201);
      const fugue = await as(t.http.post('/v1/fugues')).send(declarationBody(youth.body.id)).expect(201);
      await as(t.http.post(`/v1/fugues/${fugue.body.id}/return`)).send({ returnedAt: new Date(testNow().getTime() - 1000).toISOString(), foundBy: 'police' }).expect(200);
      const interviews = await t.http.get(`/v1/return-interviews?fugueId=${fugue.body.id}`).set('Cookie', cookie).expect(200);
      await as(t.http.put(`/v1/return-interviews/${interviews.body.items[0].id}`)).send({ outcome: 'declined' }).expect(200);
      const [row] = await t.dataSource.query(`SELECT f.created_by, i.recorded_by FROM fugues f JOIN return_interviews i ON i.fugue_id = f.id WHERE f.id = $1`, [fugue.body.id]);
      expect(row).toEqual({ created_by: educator.id, recorded_by: educator.id });

      const adminPerson = await makePerson({ email: 'webhooks@foyer.test', role: 'admin' });
      const adminSession = await signIn('webhooks@foyer.test');
      const endpoint = await t.http
        .post('/v1/webhook-endpoints')
        .set('Cookie', adminSession.cookie)
        .set('X-CSRF-Token', adminSession.csrf)
        .send({ url: 'https://hooks.vigie.test/x', events: ['fugue.declared'] })
        .expect(201);
      const [owner] = await t.dataSource.query(`SELECT owner_client_id FROM webhook_endpoints WHERE id = $1`, [endpoint.body.id]);
      expect(owner.owner_client_id).toBe(adminPerson.id);
      await t.http.get(`/v1/webhook-endpoints/${endpoint.body.id}`).set('Cookie', adminSession.cookie).expect(200);
    });

    it('audit entries name the person, and GET /v1/audit?personId= filters by person', async () => {
      const person = await makePerson({ email: 'audit@foyer.test', role: 'foyer', foyerIds: [foyerA] });
      const { cookie, csrf } = await signIn('audit@foyer.test');
      const youth = await t.http
        .post('/v1/youths')
        .set('Cookie', cookie)
        .set('X-CSRF-Token', csrf)
        .send({ foyerId: foyerA, firstName: 'Testprenom', lastName: 'Testnom', birthDate: '2011-03-01', sex: 'M' })
        .expect(201);
      await t.http.get(`/v1/youths/${youth.body.id}`).set('Cookie', cookie).expect(200);
      const audit = await t.http.get(`/v1/audit?personId=${person.id}`).set(admin).expect(200);
      expect(audit.body.items.length).toBeGreaterThanOrEqual(2);
      for (const entry of audit.body.items) expect(entry).toMatchObject({ personId: person.id, clientId: null });
      expect(audit.body.items.map((e: Json) => `${e.action} ${e.method} ${e.youthId}`)).toEqual(
        expect.arrayContaining([`change POST ${youth.body.id}`, `read_identity GET ${youth.body.id}`]),
      );
      // A key's entries name the client, and no person.
      const byKey = await t.http.get(`/v1/audit?youthId=${youth.body.id}&limit=200`).set(admin).expect(200);
      expect(byKey.body.items.every((e: Json) => e.personId === person.id)).toBe(true);
      await t.http.get('/v1/audit?personId=nope').set(admin).expect(400);
    });
  });

  it('rate-limits link requests per address, with Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await t.http.post('/auth/email-link').send({ email: 'limite@foyer.test' })).status);
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
    const res = await t.http.post('/auth/email-link').send({ email: 'LIMITE@foyer.test' }).expect(429);
    expect(res.body.code).toBe('RATE_LIMITED');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    // Another address from the same client address is not blocked by this one.
    await t.http.post('/auth/email-link').send({ email: 'autre-limite@foyer.test' }).expect(202);
  });

  it('keeps CORS closed for cookie sessions', async () => {
    const res = await request(t.url).options('/v1/me').set('Origin', 'https://evil.test').set('Access-Control-Request-Method', 'GET');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });
});

describe('sign-in behind https, and links per client address', () => {
  let t: TestApp;
  let smtp: SmtpCatcher;

  beforeAll(async () => {
    smtp = await SmtpCatcher.start();
    t = await startTestApp({ worker: false, env: { SMTP_URL: smtp.url, VIGIE_PUBLIC_URL: 'https://vigie.test', VIGIE_SIGN_IN_LINKS_PER_CLIENT_ADDRESS: '4' } });
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('marks the session cookie Secure when VIGIE_PUBLIC_URL is https, and links to it', async () => {
    await t.http.post('/v1/people').set(bearer(t.adminKey)).send({ displayName: 'Personne Testnom', email: 'https@foyer.test', role: 'admin' }).expect(201);
    await t.http.post('/auth/email-link').send({ email: 'https@foyer.test' }).expect(202);
    await waitFor(() => smtp.messages.length > 0, { what: 'the sign-in e-mail' });
    const mail = await smtp.parse(smtp.messages[0]);
    const url = /(https:\/\/vigie\.test\/auth\/email-link\/[A-Za-z0-9_-]{43})/.exec(mail.text ?? '');
    expect(url).not.toBeNull();
    const res = await t.http.post(new URL(url![1]).pathname).expect(303);
    const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('vigie_session='))!;
    expect(setCookie).toMatch(/; Secure/);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).not.toMatch(/Domain=/i);
  });

  it('refuses more than VIGIE_SIGN_IN_LINKS_PER_CLIENT_ADDRESS requests in 15 minutes from one address, whatever the e-mail addresses', async () => {
    // One link was asked for by the test above: three more pass.
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await t.http.post('/auth/email-link').send({ email: `adresse${i}@foyer.test` })).status);
    expect(statuses).toEqual([202, 202, 202, 429]);
    const res = await t.http.post('/auth/email-link').send({ email: 'encore@foyer.test' }).expect(429);
    expect(res.body.code).toBe('RATE_LIMITED');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });
});
