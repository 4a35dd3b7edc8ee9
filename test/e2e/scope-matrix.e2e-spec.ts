import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { bearer, birthDateForAge, declareFugue, makeClient, makeFoyer, makeYouth, startTestApp, TestApp, waitFor, testNow } from '@vigie/testing';

/**
 * Object-level authorization, route by route (api.md § Roles and scopes, quality.md § Security).
 *
 * The world: foyers A and B in département 75, foyer C in 93; one youth and one open episode in
 * each — A worrying (SUICIDE_RISK), B routine (a 16-year-old, no indicator), C worrying.
 *
 * Outcomes: ALLOWED (the route's success status), HIDDEN (404 NOT_FOUND, exactly as for an id that
 * does not exist: the caller may do this, but not on this object), FORBIDDEN (403: the role may
 * never do this, whatever the object).
 *
 * Requests expected to succeed on a route that changes an episode's status (located, return,
 * close, cancel, declaring) run on a fresh youth or episode of the same foyer, so that the three
 * episodes above stay open for the whole matrix.
 */

type Actor = 'foyerA' | 'foyerB' | 'police75' | 'police93' | 'childProtection75' | 'hotline75' | 'hotlineAll' | 'admin';
type Place = 'A' | 'B' | 'C';
type Outcome = 'allowed' | '404 out of scope' | '403 role may never';

const ALLOWED: Outcome = 'allowed';
const HIDDEN: Outcome = '404 out of scope';
const FORBIDDEN: Outcome = '403 role may never';
const PLACES: Place[] = ['A', 'B', 'C'];

/** One row per caller; columns: the object of foyer A (75, worrying), B (75, routine), C (93, worrying). */
type Matrix = Record<Actor, [Outcome, Outcome, Outcome]>;

const DESCRIBED: Record<Place, string> = {
  A: 'foyer A (75, worrying)',
  B: 'foyer B (75, routine)',
  C: 'foyer C (93, worrying)',
};

function cases(matrix: Matrix): [Actor, string, Outcome, Place][] {
  return (Object.keys(matrix) as Actor[]).flatMap((actor) =>
    PLACES.map((place, i): [Actor, string, Outcome, Place] => [actor, DESCRIBED[place], matrix[actor][i], place]),
  );
}

/** GET /v1/fugues/{id} and its timeline: hotline clients see worrying episodes only. */
const READ_EPISODE: Matrix = {
  foyerA: [ALLOWED, HIDDEN, HIDDEN],
  foyerB: [HIDDEN, ALLOWED, HIDDEN],
  police75: [ALLOWED, ALLOWED, HIDDEN],
  police93: [HIDDEN, HIDDEN, ALLOWED],
  childProtection75: [ALLOWED, ALLOWED, HIDDEN],
  hotline75: [ALLOWED, HIDDEN, HIDDEN],
  hotlineAll: [ALLOWED, HIDDEN, ALLOWED],
  admin: [ALLOWED, ALLOWED, ALLOWED],
};

/** Updates, sightings and "located": field roles in scope; the hotline only through its own reports (signed events, hotline-reports). */
const FIELD_WORK: Matrix = {
  foyerA: [ALLOWED, HIDDEN, HIDDEN],
  foyerB: [HIDDEN, ALLOWED, HIDDEN],
  police75: [ALLOWED, ALLOWED, HIDDEN],
  police93: [HIDDEN, HIDDEN, ALLOWED],
  childProtection75: [ALLOWED, ALLOWED, HIDDEN],
  hotline75: [FORBIDDEN, FORBIDDEN, FORBIDDEN],
  hotlineAll: [FORBIDDEN, FORBIDDEN, FORBIDDEN],
  admin: [ALLOWED, ALLOWED, ALLOWED],
};

/** POST /v1/fugues/{id}/override: police and child_protection only. */
const OVERRIDE: Matrix = {
  foyerA: [FORBIDDEN, FORBIDDEN, FORBIDDEN],
  foyerB: [FORBIDDEN, FORBIDDEN, FORBIDDEN],
  police75: [ALLOWED, ALLOWED, HIDDEN],
  police93: [HIDDEN, HIDDEN, ALLOWED],
  childProtection75: [ALLOWED, ALLOWED, HIDDEN],
  hotline75: [FORBIDDEN, FORBIDDEN, FORBIDDEN],
  hotlineAll: [FORBIDDEN, FORBIDDEN, FORBIDDEN],
  admin: [FORBIDDEN, FORBIDDEN, FORBIDDEN],
};

/**
 * The foyer's own acts on its episodes and youths: declaring, declaring the return, closing,
 * cancelling, changing the profile. Police and child protection read and locate but never do these.
 */
const FOYER_ACTS: Matrix = {
  foyerA: [ALLOWED, HIDDEN, HIDDEN],
  foyerB: [HIDDEN, ALLOWED, HIDDEN],
  police75: [FORBIDDEN, FORBIDDEN, FORBIDDEN],
  police93: [FORBIDDEN, FORBIDDEN, FORBIDDEN],
  childProtection75: [FORBIDDEN, FORBIDDEN, FORBIDDEN],
  hotline75: [FORBIDDEN, FORBIDDEN, FORBIDDEN],
  hotlineAll: [FORBIDDEN, FORBIDDEN, FORBIDDEN],
  admin: [ALLOWED, ALLOWED, ALLOWED],
};

/**
 * POST /v1/fugues/{id}/hotline-reports: the hotline only, on episodes of its départements whatever
 * their level (as its signed events).
 */
const HOTLINE_REPORT: Matrix = {
  foyerA: [FORBIDDEN, FORBIDDEN, FORBIDDEN],
  foyerB: [FORBIDDEN, FORBIDDEN, FORBIDDEN],
  police75: [FORBIDDEN, FORBIDDEN, FORBIDDEN],
  police93: [FORBIDDEN, FORBIDDEN, FORBIDDEN],
  childProtection75: [FORBIDDEN, FORBIDDEN, FORBIDDEN],
  hotline75: [ALLOWED, ALLOWED, HIDDEN],
  hotlineAll: [ALLOWED, ALLOWED, ALLOWED],
  admin: [FORBIDDEN, FORBIDDEN, FORBIDDEN],
};

/** GET /v1/youths/{id} and GET /v1/foyers/{id}: by foyer, or by the foyer's département; never the hotline. */
const READ_PROFILE: Matrix = {
  foyerA: [ALLOWED, HIDDEN, HIDDEN],
  foyerB: [HIDDEN, ALLOWED, HIDDEN],
  police75: [ALLOWED, ALLOWED, HIDDEN],
  police93: [HIDDEN, HIDDEN, ALLOWED],
  childProtection75: [ALLOWED, ALLOWED, HIDDEN],
  hotline75: [FORBIDDEN, FORBIDDEN, FORBIDDEN],
  hotlineAll: [FORBIDDEN, FORBIDDEN, FORBIDDEN],
  admin: [ALLOWED, ALLOWED, ALLOWED],
};

const FIRST_NAME = 'Testprenom';

function expectOutcome(res: Response, outcome: Outcome, successStatus: number): void {
  const seen = { status: res.status, code: res.body?.code };
  switch (outcome) {
    case ALLOWED:
      expect(seen).toEqual({ status: successStatus, code: undefined });
      break;
    case HIDDEN:
      expect(seen).toEqual({ status: 404, code: 'NOT_FOUND' });
      break;
    case FORBIDDEN:
      expect(seen).toEqual({ status: 403, code: 'FORBIDDEN' });
      break;
  }
}

describe('object-level authorization: every role × scope × route', () => {
  let t: TestApp;
  const keys = {} as Record<Actor, string>;
  const clientIds = {} as Record<Actor, string>;
  const foyerIds = {} as Record<Place, string>;
  const foyerKeys = {} as Record<Place, string>;
  const youthIds = {} as Record<Place, string>;
  const fugueIds = {} as Record<Place, string>;
  const LEVEL: Record<Place, 'worrying' | 'routine'> = { A: 'worrying', B: 'routine', C: 'worrying' };

  const as = (actor: Actor) => bearer(keys[actor]);
  const now = () => testNow().toISOString();
  const placeOfFugue = (id: string) => PLACES.find((p) => fugueIds[p] === id);

  /** A new youth of the foyer at `place`, registered by that foyer. */
  async function freshYouth(place: Place): Promise<string> {
    return (await makeYouth(t, foyerKeys[place], foyerIds[place])).id;
  }

  /** A new episode of the foyer at `place`, declared by that foyer, optionally already returned. */
  async function freshEpisode(place: Place, status: 'missing' | 'returned' = 'missing'): Promise<string> {
    const { id } = await declareFugue(t, foyerKeys[place], await freshYouth(place));
    if (status === 'returned') {
      await t.http.post(`/v1/fugues/${id}/return`).set(bearer(foyerKeys[place])).send({ returnedAt: now(), foundBy: 'self' }).expect(200);
    }
    return id;
  }

  beforeAll(async () => {
    t = await startTestApp();
    keys.admin = t.adminKey;
    const [adminRow] = await t.dataSource.query(`SELECT id FROM api_clients WHERE role = 'admin'`);
    clientIds.admin = adminRow.id;

    const departments: Record<Place, string> = { A: '75', B: '75', C: '93' };
    for (const place of PLACES) {
      foyerIds[place] = (await makeFoyer(t, { departmentCode: departments[place] })).id;
      foyerKeys[place] = (await makeClient(t, { role: 'foyer', foyerIds: [foyerIds[place]] })).key;
    }
    const clients: Record<Exclude<Actor, 'admin'>, Parameters<typeof makeClient>[1]> = {
      foyerA: { role: 'foyer', foyerIds: [foyerIds.A] },
      foyerB: { role: 'foyer', foyerIds: [foyerIds.B] },
      police75: { role: 'police', departmentCodes: ['75'] },
      police93: { role: 'police', departmentCodes: ['93'] },
      childProtection75: { role: 'child_protection', departmentCodes: ['75'] },
      hotline75: { role: 'hotline', departmentCodes: ['75'] },
      hotlineAll: { role: 'hotline' },
    };
    for (const [actor, body] of Object.entries(clients) as [Exclude<Actor, 'admin'>, Parameters<typeof makeClient>[1]][]) {
      const created = await makeClient(t, body);
      keys[actor] = created.key;
      clientIds[actor] = created.id;
    }

    for (const place of PLACES) youthIds[place] = await freshYouth(place);
    fugueIds.A = (await declareFugue(t, foyerKeys.A, youthIds.A, { indicators: ['SUICIDE_RISK'] })).id;
    fugueIds.B = (await declareFugue(t, foyerKeys.B, youthIds.B)).id;
    fugueIds.C = (await declareFugue(t, foyerKeys.C, youthIds.C, { indicators: ['SUICIDE_RISK'] })).id;

    await waitFor(
      async () => {
        const rows: { id: string; effective_level: string | null }[] = await t.dataSource.query(
          `SELECT id, effective_level FROM fugues WHERE id = ANY($1)`,
          [Object.values(fugueIds)],
        );
        return rows.length === 3 && rows.every((r) => r.effective_level === LEVEL[placeOfFugue(r.id) as Place]);
      },
      { what: 'the three episodes to be classified' },
    );
  });
  afterAll(() => t?.close());

  describe('GET /v1/fugues lists exactly the episodes in scope', () => {
    const VISIBLE: [Actor, Place[]][] = [
      ['foyerA', ['A']],
      ['foyerB', ['B']],
      ['police75', ['A', 'B']],
      ['police93', ['C']],
      ['childProtection75', ['A', 'B']],
      ['hotline75', ['A']],
      ['hotlineAll', ['A', 'C']],
      ['admin', ['A', 'B', 'C']],
    ];

    it.each(VISIBLE)('%s sees the episodes of %j', async (actor, places) => {
      const res = await t.http.get('/v1/fugues').set(as(actor)).expect(200);
      const ids: string[] = res.body.items.map((f: { id: string }) => f.id);
      expect(ids.sort()).toEqual(places.map((p) => fugueIds[p]).sort());
      expect(res.body.nextCursor).toBeNull();
    });

    it('lists carry no identity, so they are not audited', async () => {
      const res = await t.http.get('/v1/fugues').set(as('police75')).expect(200);
      // The episodes of A and B: the loop below has something to check.
      expect(res.body.items).toHaveLength(2);
      for (const item of res.body.items) expect(item).not.toHaveProperty('youth');
      const rows = await t.dataSource.query(`SELECT 1 FROM audit_log WHERE correlation_id = $1`, [res.headers['x-correlation-id']]);
      expect(rows).toHaveLength(0);
    });

    const FILTERED: [Actor, string, Place[]][] = [
      ['foyerA', 'foyerId=B', []],
      ['foyerA', 'foyerId=C', []],
      ['foyerA', 'departmentCode=93', []],
      ['foyerA', 'foyerId=A', ['A']],
      ['foyerB', 'departmentCode=75', ['B']],
      ['police75', 'departmentCode=93', []],
      ['police75', 'foyerId=C', []],
      ['police75', 'level=routine', ['B']],
      ['police75', 'foyerId=B', ['B']],
      ['police93', 'departmentCode=75', []],
      ['police93', 'foyerId=A', []],
      ['childProtection75', 'departmentCode=93', []],
      ['hotline75', 'level=routine', []],
      ['hotline75', 'foyerId=B', []],
      ['hotline75', 'departmentCode=93', []],
      ['hotlineAll', 'level=routine', []],
      ['hotlineAll', 'departmentCode=93', ['C']],
      ['admin', 'departmentCode=93', ['C']],
      ['admin', 'level=routine', ['B']],
      ['admin', 'foyerId=B', ['B']],
    ];

    it.each(FILTERED)('%s with ?%s gets %j: a filter narrows, never widens', async (actor, query, places) => {
      const [name, value] = query.split('=');
      const resolved = name === 'foyerId' ? foyerIds[value as Place] : value;
      const res = await t.http.get('/v1/fugues').query({ [name]: resolved }).set(as(actor)).expect(200);
      expect(res.body.items.map((f: { id: string }) => f.id).sort()).toEqual(places.map((p) => fugueIds[p]).sort());
    });
  });

  describe('the hotline reads worrying episodes only', () => {
    it('a routine episode in its département is 404, as if it did not exist', async () => {
      const routine = await t.http.get(`/v1/fugues/${fugueIds.B}`).set(as('hotline75')).expect(404);
      const unknown = await t.http.get(`/v1/fugues/${randomUUID()}`).set(as('hotline75')).expect(404);
      expect(routine.body).toEqual({ ...unknown.body, correlationId: routine.headers['x-correlation-id'] });
      await t.http.get(`/v1/fugues/${fugueIds.B}`).set(as('hotlineAll')).expect(404);
    });

    it('a worrying episode in scope is 200 with the youth identity', async () => {
      const res = await t.http.get(`/v1/fugues/${fugueIds.A}`).set(as('hotline75')).expect(200);
      expect(res.body).toMatchObject({
        id: fugueIds.A,
        effectiveLevel: 'worrying',
        youth: { id: youthIds.A, firstName: FIRST_NAME, lastName: 'Testnom', birthDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) },
      });
    });

    it('a hotline client without départements sees worrying episodes everywhere, one with 75 only those of 75', async () => {
      await t.http.get(`/v1/fugues/${fugueIds.C}`).set(as('hotlineAll')).expect(200);
      await t.http.get(`/v1/fugues/${fugueIds.C}`).set(as('hotline75')).expect(404);
    });
  });

  describe('GET /v1/fugues/{id}', () => {
    it.each(cases(READ_EPISODE))('%s on the episode of %s: %s', async (actor, _label, outcome, place) => {
      const res = await t.http.get(`/v1/fugues/${fugueIds[place]}`).set(as(actor));
      expectOutcome(res, outcome, 200);
      if (outcome === ALLOWED) expect(res.body).toMatchObject({ id: fugueIds[place], youth: { id: youthIds[place], firstName: FIRST_NAME } });
    });

    it('an out-of-scope episode gets the same 404 as an id that does not exist', async () => {
      const hidden = await t.http.get(`/v1/fugues/${fugueIds.C}`).set(as('police75')).expect(404);
      const unknown = await t.http.get(`/v1/fugues/${randomUUID()}`).set(as('police75')).expect(404);
      expect(hidden.body).toEqual({ ...unknown.body, correlationId: hidden.headers['x-correlation-id'] });
    });
  });

  describe('GET /v1/fugues/{id}/timeline', () => {
    it.each(cases(READ_EPISODE))('%s on the timeline of %s: %s', async (actor, _label, outcome, place) => {
      const res = await t.http.get(`/v1/fugues/${fugueIds[place]}/timeline`).set(as(actor));
      expectOutcome(res, outcome, 200);
      if (outcome === ALLOWED) expect(res.body.items[0]).toMatchObject({ type: 'declared' });
    });
  });

  describe('POST /v1/fugues/{id}/updates', () => {
    it.each(cases(FIELD_WORK))('%s adding information to the episode of %s: %s', async (actor, _label, outcome, place) => {
      const res = await t.http.post(`/v1/fugues/${fugueIds[place]}/updates`).set(as(actor)).send({ note: 'Testnote' });
      expectOutcome(res, outcome, 201);
      if (outcome === ALLOWED) expect(res.body).toMatchObject({ updateId: expect.any(String), fugue: { id: fugueIds[place], status: 'missing' } });
    });
  });

  describe('POST /v1/fugues/{id}/override', () => {
    // The level set is the one the episode has already: overriding changes no one's view of it.
    it.each(cases(OVERRIDE))('%s overriding the level of %s: %s', async (actor, _label, outcome, place) => {
      const res = await t.http
        .post(`/v1/fugues/${fugueIds[place]}/override`)
        .set(as(actor))
        .send({ level: LEVEL[place], reason: 'Testraison' });
      expectOutcome(res, outcome, 200);
      if (outcome === ALLOWED) expect(res.body).toMatchObject({ id: fugueIds[place], override: { level: LEVEL[place], by: clientIds[actor] } });
    });
  });

  describe('POST /v1/fugues/{id}/located', () => {
    it.each(cases(FIELD_WORK))('%s marking an episode of %s located: %s', async (actor, _label, outcome, place) => {
      const id = outcome === ALLOWED ? await freshEpisode(place) : fugueIds[place];
      const res = await t.http.post(`/v1/fugues/${id}/located`).set(as(actor)).send({ at: now(), place: 'Testlieu' });
      expectOutcome(res, outcome, 200);
      if (outcome === ALLOWED) expect(res.body).toMatchObject({ id, status: 'located' });
    });
  });

  describe('POST /v1/fugues/{id}/return', () => {
    it.each(cases(FOYER_ACTS))('%s declaring the return of an episode of %s: %s', async (actor, _label, outcome, place) => {
      const id = outcome === ALLOWED ? await freshEpisode(place) : fugueIds[place];
      const res = await t.http.post(`/v1/fugues/${id}/return`).set(as(actor)).send({ returnedAt: now(), foundBy: 'self' });
      expectOutcome(res, outcome, 200);
      if (outcome === ALLOWED) expect(res.body).toMatchObject({ id, status: 'returned' });
    });
  });

  describe('POST /v1/fugues/{id}/close', () => {
    // Out-of-scope and forbidden attempts target the open episodes: scope and role are checked before the status.
    it.each(cases(FOYER_ACTS))('%s closing an episode of %s: %s', async (actor, _label, outcome, place) => {
      const id = outcome === ALLOWED ? await freshEpisode(place, 'returned') : fugueIds[place];
      const res = await t.http.post(`/v1/fugues/${id}/close`).set(as(actor)).send({ reason: 'Testraison' });
      expectOutcome(res, outcome, 200);
      if (outcome === ALLOWED) expect(res.body).toMatchObject({ id, status: 'closed' });
    });
  });

  describe('POST /v1/fugues/{id}/cancel', () => {
    it.each(cases(FOYER_ACTS))('%s cancelling an episode of %s: %s', async (actor, _label, outcome, place) => {
      const id = outcome === ALLOWED ? await freshEpisode(place) : fugueIds[place];
      const res = await t.http.post(`/v1/fugues/${id}/cancel`).set(as(actor)).send({ reason: 'Testraison' });
      expectOutcome(res, outcome, 200);
      if (outcome === ALLOWED) expect(res.body).toMatchObject({ id, status: 'cancelled' });
    });
  });

  describe('POST /v1/fugues/{id}/hotline-reports', () => {
    // A call with no indicator: the three episodes keep their levels for the rest of the matrix.
    it.each(cases(HOTLINE_REPORT))('%s reporting a call about an episode of %s: %s', async (actor, _label, outcome, place) => {
      const res = await t.http
        .post(`/v1/fugues/${fugueIds[place]}/hotline-reports`)
        .set(as(actor))
        .send({ type: 'hotline.call_received', data: { receivedAt: now(), caller: 'family' } });
      expectOutcome(res, outcome, 201);
      if (outcome === ALLOWED) expect(res.body).toMatchObject({ type: 'hotline.call_received', fugue: { id: fugueIds[place] } });
    });
  });

  describe('POST /v1/fugues', () => {
    // Out-of-scope attempts name a youth that already has an open episode: the 404 comes before any 409.
    it.each(cases(FOYER_ACTS))('%s declaring a fugue of a youth of %s: %s', async (actor, _label, outcome, place) => {
      const youthId = outcome === ALLOWED ? await freshYouth(place) : youthIds[place];
      const res = await t.http
        .post('/v1/fugues')
        .set(as(actor))
        .send({ youthId, noticedMissingAt: new Date(testNow().getTime() - 60_000).toISOString() });
      expectOutcome(res, outcome, 201);
      if (outcome === ALLOWED) expect(res.body).toMatchObject({ youthId, foyerId: foyerIds[place], status: 'missing' });
    });
  });

  describe('GET /v1/youths/{id}', () => {
    it.each(cases(READ_PROFILE))('%s reading the youth of %s: %s', async (actor, _label, outcome, place) => {
      const res = await t.http.get(`/v1/youths/${youthIds[place]}`).set(as(actor));
      expectOutcome(res, outcome, 200);
      if (outcome === ALLOWED) expect(res.body).toMatchObject({ id: youthIds[place], foyerId: foyerIds[place], firstName: FIRST_NAME });
    });
  });

  describe('PATCH /v1/youths/{id}', () => {
    it.each(cases(FOYER_ACTS))('%s changing the profile of the youth of %s: %s', async (actor, _label, outcome, place) => {
      const description = `Testdescription ${actor}`;
      const res = await t.http.patch(`/v1/youths/${youthIds[place]}`).set(as(actor)).send({ description });
      expectOutcome(res, outcome, 200);
      if (outcome === ALLOWED) expect(res.body).toMatchObject({ id: youthIds[place], description });
    });

    it('no refused change reached the profiles', async () => {
      for (const place of PLACES) {
        const res = await t.http.get(`/v1/youths/${youthIds[place]}`).set(as('admin')).expect(200);
        const allowed = (Object.keys(FOYER_ACTS) as Actor[]).filter((a) => FOYER_ACTS[a][PLACES.indexOf(place)] === ALLOWED);
        expect(allowed.map((a) => `Testdescription ${a}`)).toContain(res.body.description);
      }
    });
  });

  describe('POST /v1/youths', () => {
    it('a foyer registering a youth in another foyer gets the same answer as for a foyer that does not exist', async () => {
      const body = { firstName: FIRST_NAME, lastName: 'Testnom', birthDate: birthDateForAge(15), sex: 'F' };
      const other = await t.http.post('/v1/youths').set(as('foyerA')).send({ ...body, foyerId: foyerIds.B }).expect(400);
      const unknown = await t.http.post('/v1/youths').set(as('foyerA')).send({ ...body, foyerId: randomUUID() }).expect(400);
      expect(other.body).toEqual({ ...unknown.body, correlationId: other.headers['x-correlation-id'] });
      expect(other.body.details).toEqual([{ field: 'foyerId', message: 'unknown foyer' }]);
    });

    it.each(['police75', 'childProtection75', 'hotline75', 'hotlineAll'] as Actor[])('%s may never register a youth: 403', async (actor) => {
      const res = await t.http
        .post('/v1/youths')
        .set(as(actor))
        .send({ foyerId: foyerIds.A, firstName: FIRST_NAME, lastName: 'Testnom', birthDate: birthDateForAge(15), sex: 'F' });
      expectOutcome(res, FORBIDDEN, 201);
    });
  });

  describe('GET /v1/foyers/{id}', () => {
    it.each(cases(READ_PROFILE))('%s reading %s: %s', async (actor, _label, outcome, place) => {
      const res = await t.http.get(`/v1/foyers/${foyerIds[place]}`).set(as(actor));
      expectOutcome(res, outcome, 200);
      if (outcome === ALLOWED) expect(res.body).toMatchObject({ id: foyerIds[place] });
    });
  });

  describe('refused requests change nothing', () => {
    it('the three episodes are still open, with updates and overrides only from callers allowed to make them', async () => {
      const episodes: { id: string; status: string; effective_level: string }[] = await t.dataSource.query(
        `SELECT id, status, effective_level FROM fugues WHERE id = ANY($1)`,
        [Object.values(fugueIds)],
      );
      expect(episodes).toHaveLength(PLACES.length);
      for (const e of episodes) expect(e).toMatchObject({ status: 'missing', effective_level: LEVEL[placeOfFugue(e.id) as Place] });

      for (const place of PLACES) {
        const column = PLACES.indexOf(place);
        const updaters: { created_by: string }[] = await t.dataSource.query(`SELECT DISTINCT created_by FROM fugue_updates WHERE fugue_id = $1 AND source = 'update'`, [
          fugueIds[place],
        ]);
        const expectedUpdaters = (Object.keys(FIELD_WORK) as Actor[]).filter((a) => FIELD_WORK[a][column] === ALLOWED).map((a) => clientIds[a]);
        expect(updaters.map((u) => u.created_by).sort()).toEqual(expectedUpdaters.sort());

        const overriders: { actor_id: string }[] = await t.dataSource.query(
          `SELECT DISTINCT actor_id FROM fugue_events WHERE fugue_id = $1 AND type = 'override.set'`,
          [fugueIds[place]],
        );
        const expectedOverriders = (Object.keys(OVERRIDE) as Actor[]).filter((a) => OVERRIDE[a][column] === ALLOWED).map((a) => clientIds[a]);
        expect(overriders.map((o) => o.actor_id).sort()).toEqual(expectedOverriders.sort());
      }
    });
  });

  describe('audit of identity', () => {
    async function auditRows(correlationId: string) {
      return t.dataSource.query(
        `SELECT client_id, action, method, route, status_code, youth_id, fugue_id, correlation_id FROM audit_log WHERE correlation_id = $1`,
        [correlationId],
      );
    }

    it('GET /v1/fugues/{id} writes one read_identity entry naming caller, youth, episode, route and correlation id', async () => {
      const res = await t.http.get(`/v1/fugues/${fugueIds.A}`).set(as('police75')).expect(200);
      const correlationId = res.headers['x-correlation-id'];
      expect(correlationId).toEqual(expect.any(String));
      expect(await auditRows(correlationId)).toEqual([
        {
          client_id: clientIds.police75,
          action: 'read_identity',
          method: 'GET',
          route: '/v1/fugues/:id',
          status_code: 200,
          youth_id: youthIds.A,
          fugue_id: fugueIds.A,
          correlation_id: correlationId,
        },
      ]);

      const audit = await t.http.get('/v1/audit').query({ fugueId: fugueIds.A, clientId: clientIds.police75 }).set(as('admin')).expect(200);
      expect(audit.body.items.filter((e: { correlationId: string }) => e.correlationId === correlationId)).toEqual([
        expect.objectContaining({
          clientId: clientIds.police75,
          action: 'read_identity',
          method: 'GET',
          route: '/v1/fugues/:id',
          youthId: youthIds.A,
          fugueId: fugueIds.A,
          correlationId,
        }),
      ]);
    });

    it("records a client's UUID X-Correlation-Id beside the server's own id, never instead of it", async () => {
      const given = '5d7c1e2a-9b3f-4a6d-8e1c-0f2a3b4c5d6e';
      const res = await t.http.get(`/v1/fugues/${fugueIds.A}`).set(as('police75')).set('X-Correlation-Id', given).expect(200);
      const correlationId = res.headers['x-correlation-id'];
      expect(correlationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(correlationId).not.toBe(given);
      const rows = await t.dataSource.query(`SELECT correlation_id, client_correlation_id, action FROM audit_log WHERE correlation_id = $1 OR client_correlation_id = $2`, [correlationId, given]);
      expect(rows).toEqual([{ correlation_id: correlationId, client_correlation_id: given, action: 'read_identity' }]);

      const audit = await t.http.get('/v1/audit').query({ fugueId: fugueIds.A, clientId: clientIds.police75 }).set(as('admin')).expect(200);
      expect(audit.body.items.filter((e: { correlationId: string }) => e.correlationId === correlationId)).toEqual([
        expect.objectContaining({ correlationId, clientCorrelationId: given }),
      ]);
    });

    it.each(['forged-correlation-0001', 'retention-2026-01-01T00:00:00.000Z', '5d7c1e2a9b3f4a6d8e1c0f2a3b4c5d6e', `${'a'.repeat(8)}-aaaa-aaaa-aaaa-${'a'.repeat(12)}x`])(
      'ignores an X-Correlation-Id that is not a UUID (%s): the audit log never holds it',
      async (given) => {
        const res = await t.http.get(`/v1/fugues/${fugueIds.A}`).set(as('police75')).set('X-Correlation-Id', given).expect(200);
        const correlationId = res.headers['x-correlation-id'];
        expect(correlationId).not.toBe(given);
        expect(await t.dataSource.query(`SELECT correlation_id, client_correlation_id FROM audit_log WHERE correlation_id IN ($1, $2)`, [correlationId, given])).toEqual([
          { correlation_id: correlationId, client_correlation_id: null },
        ]);
      },
    );

    it('a hotline read of a worrying episode is audited under the hotline client', async () => {
      const res = await t.http.get(`/v1/fugues/${fugueIds.C}`).set(as('hotlineAll')).expect(200);
      expect(await auditRows(res.headers['x-correlation-id'])).toEqual([
        expect.objectContaining({ client_id: clientIds.hotlineAll, action: 'read_identity', youth_id: youthIds.C, fugue_id: fugueIds.C }),
      ]);
    });

    it('GET /v1/youths/{id} writes a read_identity entry naming the youth', async () => {
      const res = await t.http.get(`/v1/youths/${youthIds.B}`).set(as('childProtection75')).expect(200);
      const correlationId = res.headers['x-correlation-id'];
      expect(await auditRows(correlationId)).toEqual([
        {
          client_id: clientIds.childProtection75,
          action: 'read_identity',
          method: 'GET',
          route: '/v1/youths/:id',
          status_code: 200,
          youth_id: youthIds.B,
          fugue_id: null,
          correlation_id: correlationId,
        },
      ]);
      const audit = await t.http.get('/v1/audit').query({ youthId: youthIds.B, clientId: clientIds.childProtection75 }).set(as('admin')).expect(200);
      expect(audit.body.items.map((e: { correlationId: string }) => e.correlationId)).toContain(correlationId);
    });

    it('POST /v1/youths writes a change entry naming the new youth', async () => {
      const res = await t.http
        .post('/v1/youths')
        .set(as('foyerA'))
        .send({ foyerId: foyerIds.A, firstName: FIRST_NAME, lastName: 'Testnom', birthDate: birthDateForAge(15), sex: 'M' })
        .expect(201);
      const correlationId = res.headers['x-correlation-id'];
      expect(await auditRows(correlationId)).toEqual([
        {
          client_id: clientIds.foyerA,
          action: 'change',
          method: 'POST',
          route: '/v1/youths',
          status_code: 201,
          youth_id: res.body.id,
          fugue_id: null,
          correlation_id: correlationId,
        },
      ]);
    });

    it('PATCH /v1/youths/{id} writes a change entry naming the youth', async () => {
      const res = await t.http.patch(`/v1/youths/${youthIds.A}`).set(as('foyerA')).send({ usualPlaces: ['Testlieu'] }).expect(200);
      const correlationId = res.headers['x-correlation-id'];
      expect(await auditRows(correlationId)).toEqual([
        {
          client_id: clientIds.foyerA,
          action: 'change',
          method: 'PATCH',
          route: '/v1/youths/:id',
          status_code: 200,
          youth_id: youthIds.A,
          fugue_id: null,
          correlation_id: correlationId,
        },
      ]);
      const audit = await t.http.get('/v1/audit').query({ youthId: youthIds.A }).set(as('admin')).expect(200);
      expect(audit.body.items).toContainEqual(expect.objectContaining({ correlationId, clientId: clientIds.foyerA, action: 'change', method: 'PATCH' }));
    });

    it.each([
      ['police93', 'episode', () => `/v1/fugues/${fugueIds.A}`],
      ['hotline75', 'routine episode', () => `/v1/fugues/${fugueIds.B}`],
      ['foyerA', 'timeline', () => `/v1/fugues/${fugueIds.B}/timeline`],
      ['police93', 'youth', () => `/v1/youths/${youthIds.A}`],
    ] as [Actor, string, () => string][])('a 404 for %s reading an out-of-scope %s writes no audit entry', async (actor, _what, path) => {
      const res = await t.http.get(path()).set(as(actor)).expect(404);
      expect(res.body.correlationId).toBe(res.headers['x-correlation-id']);
      expect(await auditRows(res.headers['x-correlation-id'])).toEqual([]);
    });

    it('no audit entry names an episode or youth outside the caller scope, after the whole matrix', async () => {
      let hiddenPairs = 0;
      for (const actor of Object.keys(READ_EPISODE) as Actor[]) {
        const hiddenPlaces = PLACES.filter((_, i) => READ_EPISODE[actor][i] !== ALLOWED);
        hiddenPairs += hiddenPlaces.length;
        const rows = await t.dataSource.query(`SELECT 1 FROM audit_log WHERE client_id = $1 AND (fugue_id = ANY($2) OR youth_id = ANY($3)) AND action = 'read_identity'`, [
          clientIds[actor],
          hiddenPlaces.map((p) => fugueIds[p]),
          hiddenPlaces.filter((p) => READ_PROFILE[actor][PLACES.indexOf(p)] !== ALLOWED).map((p) => youthIds[p]),
        ]);
        expect({ actor, entries: rows.length }).toEqual({ actor, entries: 0 });
      }
      // Every HIDDEN cell of READ_EPISODE was looked for: 2 + 2 + 1 + 2 + 1 + 2 + 1 + 0.
      expect(hiddenPairs).toBe(11);
      const failures = await t.dataSource.query(`SELECT status_code FROM audit_log WHERE status_code >= 400`);
      expect(failures).toEqual([]);
    });

    it.each(['foyerA', 'police75', 'childProtection75', 'hotline75', 'hotlineAll'] as Actor[])('%s may never read GET /v1/audit: 403', async (actor) => {
      const res = await t.http.get('/v1/audit').set(as(actor));
      expectOutcome(res, FORBIDDEN, 200);
    });
  });

  describe('revocation', () => {
    const ROUTES: [string, 'police' | 'foyer', (http: TestApp['http'], key: string) => Promise<Response>][] = [
      ['GET /v1/fugues/{id}', 'police', (http, key) => http.get(`/v1/fugues/${fugueIds.A}`).set(bearer(key))],
      ['GET /v1/fugues', 'police', (http, key) => http.get('/v1/fugues').set(bearer(key))],
      ['GET /v1/fugues/{id}/timeline', 'police', (http, key) => http.get(`/v1/fugues/${fugueIds.B}/timeline`).set(bearer(key))],
      ['POST /v1/fugues/{id}/updates', 'police', (http, key) => http.post(`/v1/fugues/${fugueIds.A}/updates`).set(bearer(key)).send({ note: 'Testnote' })],
      ['GET /v1/youths/{id}', 'police', (http, key) => http.get(`/v1/youths/${youthIds.B}`).set(bearer(key))],
      ['PATCH /v1/youths/{id}', 'foyer', (http, key) => http.patch(`/v1/youths/${youthIds.A}`).set(bearer(key)).send({ externalRef: 'TEST-REF' })],
      ['GET /v1/foyers/{id}', 'police', (http, key) => http.get(`/v1/foyers/${foyerIds.A}`).set(bearer(key))],
    ];

    it.each(ROUTES)('after DELETE /v1/api-clients/{id}, the very next %s with that key is 401', async (_route, role, send) => {
      const client = await makeClient(t, role === 'foyer' ? { role, foyerIds: [foyerIds.A] } : { role, departmentCodes: ['75'] });
      const before = await send(t.http, client.key);
      expect(before.status).toBeLessThan(300);

      await t.http.delete(`/v1/api-clients/${client.id}`).set(as('admin')).expect(204);

      const after = await send(t.http, client.key);
      expect(after.status).toBe(401);
      expect(after.body).toMatchObject({ statusCode: 401, code: 'UNAUTHENTICATED' });
      const rows = await t.dataSource.query(`SELECT 1 FROM audit_log WHERE correlation_id = $1`, [after.headers['x-correlation-id']]);
      expect(rows).toEqual([]);
    });

    it('only an admin may revoke a key: 403, and the key keeps working', async () => {
      const client = await makeClient(t, { role: 'police', departmentCodes: ['75'] });
      const res = await t.http.delete(`/v1/api-clients/${client.id}`).set(as('police75'));
      expectOutcome(res, FORBIDDEN, 204);
      await t.http.get(`/v1/fugues/${fugueIds.A}`).set(bearer(client.key)).expect(200);
    });
  });
});
