import { request as httpRequest, IncomingMessage } from 'node:http';
import { Clock } from '@vigie/domain';
import {
  bearer,
  buildDist,
  declareFugue,
  makeClient,
  makeFoyer,
  makeYouth,
  SmtpCatcher,
  startTestApp,
  testClock,
  startWorkerProcess,
  TEST_IDENTITY,
  TestApp,
  testNow,
  VigieProcess,
  waitFor,
} from '@vigie/testing';
import { LISTENER_APPLICATION_NAME } from '@vigie/persistence';
import { LiveEventHub, STREAMS_PER_CALLER } from '../../apps/api/src/stream/live-event.hub';

/** One event of a stream, as an EventSource would give it. */
interface StreamEvent {
  id: string | null;
  event: string;
  data: Record<string, string | null>;
}

/** A GET /v1/stream held open, its raw text kept whole. */
interface OpenStream {
  status: number;
  headers: IncomingMessage['headers'];
  raw(): string;
  events(): StreamEvent[];
  ended(): boolean;
  close(): void;
}

/** Opens GET /v1/stream with these headers; resolves once the status and headers are in. */
function openStream(baseUrl: string, headers: Record<string, string>): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${baseUrl}/v1/stream`, { agent: false, headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      let text = '';
      let ended = false;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => (ended = true));
      res.on('close', () => (ended = true));
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        raw: () => text,
        events: () => parseEvents(text),
        ended: () => ended,
        close: () => req.destroy(),
      });
    });
    req.on('error', (error) => (error.message === 'socket hang up' ? undefined : reject(error)));
    req.end();
  });
}

/** The events of an SSE text (comments and the retry field left out), as the SSE parsing rules read them. */
function parseEvents(text: string): StreamEvent[] {
  return text
    .split('\n\n')
    .slice(0, -1)
    .flatMap((block) => {
      const fields = block.split('\n').filter((line) => !line.startsWith(':'));
      const value = (name: string) => fields.find((f) => f.startsWith(`${name}: `))?.slice(name.length + 2) ?? null;
      const data = value('data');
      return data === null ? [] : [{ id: value('id'), event: value('event') ?? 'message', data: JSON.parse(data) as Record<string, string | null> }];
    });
}

/** The first event of `stream` matching, waited for. */
function eventOf(stream: OpenStream, type: string, fugueId: string | null, timeoutMs = 15000): Promise<StreamEvent> {
  return waitFor(() => stream.events().find((e) => e.event === type && (fugueId === null || e.data.fugueId === fugueId)), {
    timeoutMs,
    what: `a ${type} event${fugueId ? ` of ${fugueId}` : ''}`,
  });
}

describe('GET /v1/stream: committed timeline events, live, to the callers in scope', () => {
  /** The API the changes are made on (no worker in it). */
  let t: TestApp;
  /** A second API process on the same database: the streams of the referents are held there. */
  let other: TestApp;
  /** The worker runs alone, in its own process: triages and escalation steps happen there. */
  let worker: VigieProcess;
  const streams: OpenStream[] = [];

  let foyer75: { id: string };
  let foyerKey: string;
  let police75: { id: string; key: string };
  let police93: { id: string; key: string };
  let hotline75: { id: string; key: string };
  let protection75: { id: string; key: string };

  const keep = (stream: OpenStream) => (streams.push(stream), stream);

  beforeAll(async () => {
    await buildDist();
    t = await startTestApp({ worker: false });
    other = await startTestApp({ worker: false, database: t.database, env: { VIGIE_STREAM_HEARTBEAT_SECONDS: '1' } });
    worker = startWorkerProcess(t);
    foyer75 = await makeFoyer(t, { departmentCode: '75' });
    foyerKey = (await makeClient(t, { role: 'foyer', foyerIds: [foyer75.id] })).key;
    [police75, police93, hotline75, protection75] = await Promise.all([
      makeClient(t, { role: 'police', departmentCodes: ['75'] }),
      makeClient(t, { role: 'police', departmentCodes: ['93'] }),
      makeClient(t, { role: 'hotline', departmentCodes: ['75'] }),
      makeClient(t, { role: 'child_protection', departmentCodes: ['75'] }),
    ]);
  }, 180_000);

  afterEach(() => {
    for (const stream of streams.splice(0)) stream.close();
  });

  afterAll(async () => {
    await worker?.dispose();
    await other?.close({ keepDatabase: true });
    await t?.close();
  });

  it('answers 401 without credentials, in the error format', async () => {
    const res = await t.http.get('/v1/stream').expect(401);
    expect(res.body).toMatchObject({ statusCode: 401, code: 'UNAUTHENTICATED' });
    const wrongKey = await openStream(t.url, bearer('vig_not_a_key_of_this_service_000000'));
    expect(wrongKey.status).toBe(401);
    wrongKey.close();
  });

  it('tells a declaration, its triage by the worker process and an acknowledgement to the referents of the département only, with ids and types only', async () => {
    const police = keep(await openStream(other.url, bearer(police75.key)));
    const outsider = keep(await openStream(other.url, bearer(police93.key)));
    const foyer = keep(await openStream(t.url, bearer(foyerKey)));
    expect(police.status).toBe(200);
    expect(police.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(police.headers['cache-control']).toContain('no-cache');

    const youth = await makeYouth(t, foyerKey, foyer75.id);
    const fugue = await declareFugue(t, foyerKey, youth.id, { staffConcern: { worrying: true } });

    // Declared through one API process, streamed by the other one.
    const declared = await eventOf(police, 'declared', fugue.id);
    expect(declared.data).toEqual({ eventId: declared.id, type: 'declared', fugueId: fugue.id });
    // Triaged and escalated by the worker process.
    const classified = await eventOf(police, 'classified', fugue.id);
    const opened = await eventOf(police, 'alert.opened', fugue.id);
    const alertId = opened.data.alertId as string;
    expect(alertId).toMatch(/^[0-9a-f-]{36}$/);
    await eventOf(foyer, 'alert.opened', fugue.id);

    await t.http.post(`/v1/alerts/${alertId}/acknowledge`).set(bearer(police75.key)).send({ note: 'Note Testprenom privée' }).expect(200);
    const acknowledged = await eventOf(foyer, 'alert.acknowledged', fugue.id);
    expect(acknowledged.data).toEqual({ eventId: acknowledged.id, type: 'alert.acknowledged', fugueId: fugue.id, alertId });
    await eventOf(police, 'alert.acknowledged', fugue.id);

    // The SSE ids are the timeline's: a client reads the entry it was told of.
    const timeline = await t.http.get(`/v1/fugues/${fugue.id}/timeline`).set(bearer(police75.key)).expect(200);
    const entryIds = (type: string) => timeline.body.items.filter((e: { type: string }) => e.type === type).map((e: { id: string }) => e.id);
    expect(entryIds('declared')).toEqual([declared.id]);
    expect(entryIds('classified')).toContain(classified.id);
    expect(entryIds('alert.acknowledged')).toEqual([acknowledged.id]);

    // The other département's police got nothing of it, though its stream was open all along
    // (its events are handled in the same order as the police's of 75, which got them all).
    expect(outsider.status).toBe(200);
    expect(outsider.raw()).not.toContain(fugue.id);
    expect(outsider.events()).toEqual([]);

    for (const stream of [police, foyer, outsider]) {
      const raw = stream.raw();
      expect(raw).not.toContain(TEST_IDENTITY.firstName);
      expect(raw).not.toContain(TEST_IDENTITY.lastName);
      expect(raw).not.toContain('privée');
    }
  });

  it('tells the hotline of worrying episodes only, as it reads them', async () => {
    const police = keep(await openStream(other.url, bearer(police75.key)));
    const hotline = keep(await openStream(other.url, bearer(hotline75.key)));
    const youth = await makeYouth(t, foyerKey, foyer75.id);
    const fugue = await declareFugue(t, foyerKey, youth.id, { staffConcern: { worrying: true } });
    await eventOf(hotline, 'alert.opened', fugue.id);

    await t.http.post(`/v1/fugues/${fugue.id}/override`).set(bearer(protection75.key)).send({ level: 'routine', reason: 'Motif de test' }).expect(200);
    await eventOf(police, 'override.set', fugue.id);
    // Both streams are served by one process, one event after the other: the police got it, the hotline was not sent it.
    expect(hotline.events().filter((e) => e.event === 'override.set')).toEqual([]);
  });

  it('tells committed events only, when their transaction commits', async () => {
    const police = keep(await openStream(other.url, bearer(police75.key)));
    const youth = await makeYouth(t, foyerKey, foyer75.id);
    const fugue = await declareFugue(t, foyerKey, youth.id);
    await eventOf(police, 'declared', fugue.id);

    const pending = t.dataSource.createQueryRunner();
    await pending.connect();
    await pending.startTransaction();
    try {
      const [{ id: pendingId }] = await pending.query(`INSERT INTO fugue_events (fugue_id, type, data) VALUES ($1, 'updated', '{}') RETURNING id::text AS id`, [fugue.id]);
      // An event committed after it arrives while the first one's transaction is still open…
      const [{ id: laterId }] = await t.dataSource.query(`INSERT INTO fugue_events (fugue_id, type, data) VALUES ($1, 'sighting', '{}') RETURNING id::text AS id`, [fugue.id]);
      await eventOf(police, 'sighting', fugue.id);
      expect(police.events().map((e) => e.id)).toContain(laterId);
      expect(police.events().map((e) => e.id)).not.toContain(pendingId);
      // …and one rolled back never does.
      await pending.rollbackTransaction();
      const [{ id: lastId }] = await t.dataSource.query(`INSERT INTO fugue_events (fugue_id, type, data) VALUES ($1, 'hotline.call', '{}') RETURNING id::text AS id`, [fugue.id]);
      await waitFor(() => police.events().some((e) => e.id === lastId), { what: 'the event committed last' });
      expect(police.events().map((e) => e.id)).not.toContain(pendingId);
    } finally {
      if (pending.isTransactionActive) await pending.rollbackTransaction();
      await pending.release();
    }
  });

  it('tells the streams to read again when the listening connection was lost, and listens again', async () => {
    const police = keep(await openStream(other.url, bearer(police75.key)));
    // The database ends the listening connections of both API processes (a restart, a failover would).
    const ended = await t.dataSource.query(
      `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
      [LISTENER_APPLICATION_NAME],
    );
    expect(ended.length).toBe(2);
    const resync = await eventOf(police, 'stream.resync', null);
    expect(resync).toEqual({ id: null, event: 'stream.resync', data: { eventId: null, type: 'stream.resync' } });
    const youth = await makeYouth(t, foyerKey, foyer75.id);
    const fugue = await declareFugue(t, foyerKey, youth.id);
    await eventOf(police, 'declared', fugue.id);
  });

  it('keeps the stream open with heartbeat comments and ends it once the key is revoked', async () => {
    const revoked = await makeClient(t, { role: 'police', departmentCodes: ['75'] });
    const stream = keep(await openStream(other.url, bearer(revoked.key)));
    await waitFor(() => stream.raw().includes(': heartbeat\n\n'), { what: 'a heartbeat' });
    expect(stream.ended()).toBe(false);
    await t.http.delete(`/v1/api-clients/${revoked.id}`).set(bearer(t.adminKey)).expect(204);
    await waitFor(() => stream.ended(), { what: 'the stream of a revoked key to end' });
  });

  it('releases a stream when its client goes, and caps the streams of a process and of a caller', async () => {
    const capped = await startTestApp({ worker: false, database: t.database, env: { VIGIE_STREAM_MAX_CONNECTIONS: '2' } });
    try {
      const hub = capped.app.get(LiveEventHub);
      const first = keep(await openStream(capped.url, bearer(police75.key)));
      keep(await openStream(capped.url, bearer(police93.key)));
      expect(first.status).toBe(200);
      const refused = await openStream(capped.url, bearer(hotline75.key));
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('30');
      refused.close();
      expect(hub.connections).toBe(2);
      expect((await capped.http.get('/metrics').expect(200)).text).toMatch(/^vigie_live_streams 2$/m);
      first.close();
      await waitFor(() => hub.connections === 1, { what: 'the closed stream to be released' });
      expect((await capped.http.get('/metrics').expect(200)).text).toMatch(/^vigie_live_streams 1$/m);
      const again = keep(await openStream(capped.url, bearer(hotline75.key)));
      expect(again.status).toBe(200);
    } finally {
      for (const stream of streams.splice(0)) stream.close();
      await capped.close({ keepDatabase: true });
    }

    const many = await Promise.all(Array.from({ length: STREAMS_PER_CALLER }, () => openStream(t.url, bearer(protection75.key))));
    many.forEach(keep);
    expect(many.map((s) => s.status)).toEqual(many.map(() => 200));
    const oneTooMany = await openStream(t.url, bearer(protection75.key));
    expect(oneTooMany.status).toBe(429);
    oneTooMany.close();
  });
});

describe('GET /v1/fugues for the board: open episodes with their alert state and, on request, the short identity', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists the open episodes with the foyer, the alert state and, with include=youth, first name, initial and age (audited)', async () => {
    const foyer = await makeFoyer(t, { departmentCode: '75', name: 'Foyer Testboard' });
    const foyerKey = (await makeClient(t, { role: 'foyer', foyerIds: [foyer.id] })).key;
    const police = await makeClient(t, { role: 'police', departmentCodes: ['75'] });
    const hotline = await makeClient(t, { role: 'hotline', departmentCodes: ['75'] });
    const [worried, calm, back] = await Promise.all([0, 1, 2].map(() => makeYouth(t, foyerKey, foyer.id)));
    const worrying = await declareFugue(t, foyerKey, worried.id, { staffConcern: { worrying: true } });
    const routine = await declareFugue(t, foyerKey, calm.id);
    const returned = await declareFugue(t, foyerKey, back.id);
    const alert = await waitFor(async () => (await t.http.get(`/v1/alerts?state=open`).set(bearer(police.key)).expect(200)).body.items.find((a: { fugueId: string }) => a.fugueId === worrying.id), {
      what: 'the alert of the worrying episode',
    });
    await waitFor(async () => (await t.http.get(`/v1/fugues/${returned.id}`).set(bearer(foyerKey)).expect(200)).body.classification !== null, { what: 'the triage' });
    await t.http.post(`/v1/fugues/${returned.id}/return`).set(bearer(foyerKey)).send({ returnedAt: new Date(testNow().getTime() - 1000).toISOString(), foundBy: 'self' }).expect(200);

    const auditCount = async () => (await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'read_identity' AND route = '/v1/fugues'`))[0].n as number;
    const before = await auditCount();
    const plain = await t.http.get('/v1/fugues?status=open').set(bearer(police.key)).expect(200);
    expect(plain.body.items.map((i: { id: string }) => i.id).sort()).toEqual([worrying.id, routine.id].sort());
    for (const item of plain.body.items) expect(item).not.toHaveProperty('youth');
    expect(JSON.stringify(plain.body)).not.toContain(TEST_IDENTITY.firstName);
    expect(await auditCount()).toBe(before);
    const byId = (items: { id: string }[], id: string) => items.find((i) => i.id === id) as Record<string, unknown>;
    expect(byId(plain.body.items, worrying.id)).toMatchObject({ foyerName: 'Foyer Testboard', alertState: 'open', effectiveLevel: 'worrying' });
    expect(byId(plain.body.items, routine.id)).toMatchObject({ foyerName: 'Foyer Testboard', alertState: 'none' });

    const board = await t.http.get('/v1/fugues?status=open&include=youth').set(bearer(police.key)).expect(200);
    expect(byId(board.body.items, worrying.id).youth).toEqual({ firstName: TEST_IDENTITY.firstName, lastNameInitial: 'T', age: 16 });
    expect(JSON.stringify(board.body)).not.toContain(TEST_IDENTITY.lastName);
    expect(await auditCount()).toBe(before + 2);

    await t.http.post(`/v1/alerts/${alert.id}/acknowledge`).set(bearer(police.key)).send({}).expect(200);
    const after = await t.http.get('/v1/fugues?status=open').set(bearer(police.key)).expect(200);
    expect(byId(after.body.items, worrying.id).alertState).toBe('acknowledged');

    // The hotline: worrying episodes only, and no foyer names (it does not read foyers).
    const forHotline = await t.http.get('/v1/fugues?status=open&include=youth').set(bearer(hotline.key)).expect(200);
    expect(forHotline.body.items.map((i: { id: string }) => i.id)).toEqual([worrying.id]);
    expect(forHotline.body.items[0]).toMatchObject({ foyerName: null, alertState: 'acknowledged', youth: { firstName: TEST_IDENTITY.firstName } });

    const bad = await t.http.get('/v1/fugues?status=opened').set(bearer(police.key)).expect(400);
    expect(bad.body.details.map((d: { field: string }) => d.field)).toEqual(['status']);
    const badInclude = await t.http.get('/v1/fugues?include=identity').set(bearer(police.key)).expect(400);
    expect(badInclude.body.details.map((d: { field: string }) => d.field)).toEqual(['include']);
  });
});

/** The test clock moved by an offset the test changes. */
class MovableClock extends Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(testClock().nowMs() + this.offsetMs);
  }
}

describe("GET /v1/stream with a person's session", () => {
  const clock = new MovableClock();
  let t: TestApp;
  let smtp: SmtpCatcher;

  beforeAll(async () => {
    smtp = await SmtpCatcher.start();
    t = await startTestApp({ worker: false, clock, env: { SMTP_URL: smtp.url, VIGIE_SESSION_IDLE_MINUTES: '10', VIGIE_STREAM_HEARTBEAT_SECONDS: '1' } });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('neither keeps an unattended session alive nor outlives it', async () => {
    const email = 'flux.testnom@police.test';
    await t.http.post('/v1/people').set(bearer(t.adminKey)).send({ displayName: 'Flux Testnom', email, role: 'police', departmentCodes: ['75'] }).expect(201);
    await t.http.post('/auth/email-link').send({ email }).expect(202);
    await waitFor(() => smtp.messages.length > 0, { what: 'the sign-in e-mail' });
    const mail = await smtp.parse(smtp.messages[smtp.messages.length - 1]);
    const link = new URL(/(http\S+\/auth\/email-link\/[A-Za-z0-9_-]{43})/.exec(mail.text ?? '')![1]).pathname;
    const signedIn = await t.http.post(link).expect(303);
    const cookie = ([] as string[]).concat(signedIn.headers['set-cookie'] ?? []).find((c) => c.startsWith('vigie_session='))!.split(';')[0];

    const stream = await openStream(t.url, { Cookie: cookie });
    expect(stream.status).toBe(200);
    // Nine minutes on: the session is still valid, and the stream checks it at each heartbeat…
    clock.offsetMs = 9 * 60_000;
    const heartbeats = () => stream.raw().split(': heartbeat').length - 1;
    const seen = heartbeats();
    await waitFor(() => heartbeats() >= seen + 2, { what: 'two heartbeats' });
    expect(stream.ended()).toBe(false);
    // …without counting as the person's activity: ten minutes after the sign-in, it has ended, and so has the stream.
    clock.offsetMs = 10 * 60_000 + 1000;
    await waitFor(() => stream.ended(), { what: 'the stream of an ended session to end' });
    await t.http.get('/v1/me').set('Cookie', cookie).expect(401);
  });
});
