import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { bearer, buildDist, createTestDatabase, freePort, SmtpCatcher, TestDatabase, testEnv, VigieProcess, waitFor } from '@vigie/testing';

/**
 * The request log of a real API process, at debug level, through a whole sign-in: it never holds
 * the link's token, the session id, the CSRF token, nor the person's name or e-mail address.
 */
describe('sign-in leaves no secret in the logs', () => {
  let database: TestDatabase;
  let smtp: SmtpCatcher;
  let api: VigieProcess;
  const output: string[] = [];
  const secrets: Record<string, string> = {};

  beforeAll(async () => {
    await buildDist();
    smtp = await SmtpCatcher.start();
    database = await createTestDatabase();
    const env = testEnv(database, { PORT: String(await freePort()), LOG_LEVEL: 'debug', SMTP_URL: smtp.url, VIGIE_BOOTSTRAP_ADMIN_EMAIL: 'Journal.Testnom@vigie.test' });
    // VigieProcess keeps only the last lines: the whole output goes to a file.
    const logFile = join(tmpdir(), `vigie-sign-in-logs-${database.name}.log`);
    api = new VigieProcess('api', env, { name: 'api', logFile });
    api.start();
    await api.live();
    const http = request(api.url);
    const admin = bearer(env.VIGIE_BOOTSTRAP_ADMIN_KEY);
    await http.post('/v1/people').set(admin).send({ displayName: 'Journal Personne', email: 'personne.journal@vigie.test', role: 'admin' }).expect(201);

    await http.post('/auth/email-link').send({ email: 'personne.journal@vigie.test', next: '/episodes/suivi' }).expect(202);
    await http.post('/auth/email-link').send({ email: 'inconnue.journal@vigie.test' }).expect(202);
    await waitFor(() => smtp.messages.length > 0, { what: 'the sign-in e-mail' });
    const mail = await smtp.parse(smtp.messages[0]);
    const token = /\/auth\/email-link\/([A-Za-z0-9_-]{43})/.exec(mail.text ?? '')![1];
    secrets.token = token;
    await http.get(`/auth/email-link/${token}`).expect(200);
    const signedIn = await http.post(`/auth/email-link/${token}`).expect(303);
    await http.post(`/auth/email-link/${token}`).expect(404);
    const cookie = ([] as string[]).concat(signedIn.headers['set-cookie'] ?? []).find((c) => c.startsWith('vigie_session='))!.split(';')[0];
    secrets.sessionId = cookie.slice('vigie_session='.length);
    const me = await http.get('/v1/me').set('Cookie', cookie).expect(200);
    secrets.csrf = me.body.csrfToken;
    await http.post('/v1/foyers').set('Cookie', cookie).send({ name: 'Foyer Testnom', departmentCode: '75', kind: 'ase' }).expect(403);
    await http.post('/v1/foyers').set('Cookie', cookie).set('X-CSRF-Token', secrets.csrf).send({ name: 'Foyer Testnom', departmentCode: '75', kind: 'ase' }).expect(201);
    await http.post('/auth/logout').set('Cookie', cookie).set('X-CSRF-Token', secrets.csrf).expect(204);
    await http.get('/v1/me').set('Cookie', cookie).expect(401);
    // Every request's line is written before the process stops.
    await waitFor(() => readFileSync(logFile, 'utf8').includes('"msg":"GET /v1/me 401"'), { what: 'the last request in the log' });
    await api.dispose();
    output.push(readFileSync(logFile, 'utf8'));
    rmSync(logFile, { force: true });
  });

  afterAll(async () => {
    await api?.dispose();
    await smtp?.close();
    await database?.drop();
  });

  it('logs each request by route pattern, never a token, session id, CSRF token, name or e-mail address', () => {
    const logs = output.join('\n');
    expect(logs).toContain('"msg":"POST /auth/email-link/:token 303"');
    expect(logs).toContain('"msg":"GET /auth/email-link/:token 200"');
    expect(logs).toContain('"msg":"POST /v1/foyers 403"');
    const found = Object.entries({
      ...secrets,
      email: 'personne.journal@vigie.test',
      unknownEmail: 'inconnue.journal@vigie.test',
      bootstrapEmail: 'journal.testnom@vigie.test',
      name: 'journal personne',
    })
      .filter(([, value]) => logs.toLowerCase().includes(value.toLowerCase()))
      .map(([name]) => name);
    expect(Object.keys(secrets).sort()).toEqual(['csrf', 'sessionId', 'token']);
    expect(found).toEqual([]);
  });
});
