import { Clock } from '@vigie/domain';
import { bearer, SmtpCatcher, startTestApp, TestApp, testClock, waitFor } from '@vigie/testing';

/**
 * A session ends after VIGIE_SESSION_IDLE_MINUTES without a request (10 here) and 12 h after
 * sign-in whatever its activity; a sign-in link works for 15 minutes. Time moves with the
 * service's clock, never by waiting.
 */

/** The test clock moved by an offset the test changes. */
class MovableClock extends Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(testClock().nowMs() + this.offsetMs);
  }
}

const MINUTE_MS = 60_000;

describe('session and sign-in link expiry', () => {
  const clock = new MovableClock();
  let t: TestApp;
  let smtp: SmtpCatcher;

  async function linkFor(email: string): Promise<string> {
    const before = smtp.messages.length;
    await t.http.post('/auth/email-link').send({ email }).expect(202);
    await waitFor(() => smtp.messages.length > before, { what: 'the sign-in e-mail' });
    const mail = await smtp.parse(smtp.messages[smtp.messages.length - 1]);
    return new URL(/(http\S+\/auth\/email-link\/[A-Za-z0-9_-]{43})/.exec(mail.text ?? '')![1]).pathname;
  }

  async function signIn(email: string): Promise<string> {
    const res = await t.http.post(await linkFor(email)).expect(303);
    return ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('vigie_session='))!.split(';')[0];
  }

  beforeAll(async () => {
    smtp = await SmtpCatcher.start();
    t = await startTestApp({ worker: false, clock, env: { SMTP_URL: smtp.url, VIGIE_SESSION_IDLE_MINUTES: '10' } });
    await t.http.post('/v1/people').set(bearer(t.adminKey)).send({ displayName: 'Personne Testnom', email: 'horloge@foyer.test', role: 'admin' }).expect(201);
  });

  beforeEach(() => {
    clock.offsetMs = 0;
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('ends a session after VIGIE_SESSION_IDLE_MINUTES without a request; each request restarts the count', async () => {
    const cookie = await signIn('horloge@foyer.test');
    clock.offsetMs = 9 * MINUTE_MS;
    await t.http.get('/v1/me').set('Cookie', cookie).expect(200);
    clock.offsetMs = 18 * MINUTE_MS;
    await t.http.get('/v1/me').set('Cookie', cookie).expect(200);
    clock.offsetMs = 28 * MINUTE_MS + 1000;
    const res = await t.http.get('/v1/me').set('Cookie', cookie).expect(401);
    expect(res.body.code).toBe('UNAUTHENTICATED');
    // Ended for good: coming back to the old time does not revive it.
    clock.offsetMs = 18 * MINUTE_MS;
    await t.http.get('/v1/me').set('Cookie', cookie).expect(401);
  });

  it('ends a session 12 h after sign-in however active it is', async () => {
    const cookie = await signIn('horloge@foyer.test');
    for (let minutes = 9; minutes < 12 * 60; minutes += 9) {
      clock.offsetMs = minutes * MINUTE_MS;
      await t.http.get('/v1/me').set('Cookie', cookie).expect(200);
    }
    clock.offsetMs = 12 * 60 * MINUTE_MS + 1000;
    await t.http.get('/v1/me').set('Cookie', cookie).expect(401);
  });

  it('a sign-in link works for 15 minutes, then neither GET nor POST accept it', async () => {
    const fresh = await linkFor('horloge@foyer.test');
    clock.offsetMs = 14 * MINUTE_MS;
    await t.http.get(fresh).expect(200);
    await t.http.post(fresh).expect(303);

    clock.offsetMs = 0;
    const stale = await linkFor('horloge@foyer.test');
    clock.offsetMs = 15 * MINUTE_MS + 1000;
    const page = await t.http.get(stale).expect(404);
    expect(page.text).toContain('Lien non valide');
    const res = await t.http.post(stale).expect(404);
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});
