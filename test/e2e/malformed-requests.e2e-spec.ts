import type { Test } from 'supertest';
import { bearer, birthDateForAge, declareFugue, makeClient, makeFoyer, makeYouth, startTestApp, TestApp, TEST_IDENTITY, waitFor, testNow } from '@vigie/testing';

/**
 * A corpus of malformed and abusive requests against the real API. Each one must be refused
 * with the right 4xx in the documented error shape, and must leave every table as it was:
 * no row created, no audit entry, no outbox message, no idempotency key left behind.
 */

const TABLES = [
  'foyers',
  'api_clients',
  'youths',
  'fugues',
  'fugue_updates',
  'fugue_classifications',
  'fugue_events',
  'outbox',
  'idempotency_keys',
  'audit_log',
] as const;

type Counts = Record<(typeof TABLES)[number], number>;

async function countRows(t: TestApp): Promise<Counts> {
  const [row] = await t.dataSource.query(`SELECT ${TABLES.map((name) => `(SELECT count(*) FROM ${name})::int AS ${name}`).join(', ')}`);
  return row as Counts;
}

function expectErrorShape(res: { status: number; body: Record<string, unknown> }, status: number, code: string): void {
  expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
  expect(res.body.statusCode).toBe(res.status);
  expect(typeof res.body.message).toBe('string');
  expect(typeof res.body.correlationId).toBe('string');
  expect((res.body.correlationId as string).length).toBeGreaterThan(0);
  expect(Object.keys(res.body).every((k) => ['statusCode', 'code', 'message', 'details', 'correlationId'].includes(k))).toBe(true);
  if (res.body.details !== undefined) {
    expect(Array.isArray(res.body.details)).toBe(true);
    for (const d of res.body.details as unknown[]) expect(d).toEqual({ field: expect.any(String), message: expect.any(String) });
  }
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const iso = (offsetMs: number) => new Date(testNow().getTime() + offsetMs).toISOString();
const repeat = (length: number) => 'x'.repeat(length);

/** Objects created once, before the corpus runs; the requests below refer to them. */
interface Fixtures {
  foyerId: string;
  foyerKey: string;
  policeKey: string;
  /** A youth with no episode: a request that slipped through validation would create one. */
  freeYouthId: string;
  /** A youth with one episode in `missing` status. */
  busyYouthId: string;
  openFugueId: string;
  openNoticedAt: string;
  cancelledFugueId: string;
  idempotencyKey: string;
  idempotentBody: Record<string, unknown>;
  referentId: string;
}

interface Case {
  name: string;
  send: () => Test;
  status: number;
  code: string;
  /** A field the details must name. */
  field?: string;
  /** Further checks on the state after the request. */
  then?: () => Promise<void>;
}

describe('malformed and abusive requests are refused and write nothing', () => {
  let t: TestApp;
  const fx = {} as Fixtures;

  const post = (path: string, key: string, body: unknown) => t.http.post(path).set(bearer(key)).send(body as object);
  const raw = (path: string, key: string, text: string) => t.http.post(path).set(bearer(key)).set('Content-Type', 'application/json').send(text);
  const declare = (overrides: Record<string, unknown>) =>
    post('/v1/fugues', fx.foyerKey, { youthId: fx.freeYouthId, noticedMissingAt: iso(-MINUTE), ...overrides });
  const youth = (overrides: Record<string, unknown>) =>
    post('/v1/youths', fx.foyerKey, { foyerId: fx.foyerId, ...TEST_IDENTITY, birthDate: birthDateForAge(15), sex: 'M', ...overrides });
  const update = (body: unknown) => post(`/v1/fugues/${fx.openFugueId}/updates`, fx.foyerKey, body);
  const returned = (body: Record<string, unknown>, fugueId = fx.openFugueId) =>
    post(`/v1/fugues/${fugueId}/return`, fx.foyerKey, { returnedAt: iso(-MINUTE), foundBy: 'self', ...body });
  const located = (body: unknown) => post(`/v1/fugues/${fx.openFugueId}/located`, fx.foyerKey, body);
  const override = (body: unknown) => post(`/v1/fugues/${fx.openFugueId}/override`, fx.policeKey, body);
  const preview = (youthPart: Record<string, unknown>, episodePart: Record<string, unknown>, top: Record<string, unknown> = {}) =>
    post('/v1/triage/preview', fx.foyerKey, {
      youth: { birthDate: birthDateForAge(15), ...youthPart },
      departmentCode: '75',
      episode: { noticedMissingAt: iso(-MINUTE), ...episodePart },
      ...top,
    });
  const foyer = (overrides: Record<string, unknown>) => post('/v1/foyers', t.adminKey, { name: 'Foyer Testnom', departmentCode: '75', kind: 'ase', ...overrides });
  const apiClient = (overrides: Record<string, unknown>) => post('/v1/api-clients', t.adminKey, { name: 'Client Testnom', role: 'police', departmentCodes: ['75'], ...overrides });
  const listFugues = (query: string) => t.http.get(`/v1/fugues?${query}`).set(bearer(fx.foyerKey));
  const patchYouth = (body: Record<string, unknown>) => t.http.patch(`/v1/youths/${fx.freeYouthId}`).set(bearer(fx.foyerKey)).send(body);
  const patchReferent = (body: Record<string, unknown>) => t.http.patch(`/v1/referents/${fx.referentId}`).set(bearer(t.adminKey)).send(body);
  /** The youth's profile is as the factory made it: a refused PATCH erased nothing. */
  const youthUnchanged = async () => {
    const res = await t.http.get(`/v1/youths/${fx.freeYouthId}`).set(bearer(fx.foyerKey)).expect(200);
    expect(res.body).toMatchObject({ ...TEST_IDENTITY, birthDate: birthDateForAge(16), sex: 'F', foyerId: fx.foyerId });
  };
  const referentUnchanged = async () => {
    const [row] = await t.dataSource.query(`SELECT display_name, channels FROM referents WHERE id = $1`, [fx.referentId]);
    expect(row).toEqual({ display_name: 'Astreinte Testnom', channels: [{ type: 'email', address: 'astreinte@vigie.test' }] });
  };
  const cursorOf = (text: string) => encodeURIComponent(Buffer.from(text, 'utf8').toString('base64url'));
  const someId = '0f0e0d0c-0b0a-4908-8706-050403020100';

  beforeAll(async () => {
    t = await startTestApp();
    const created = await makeFoyer(t, { departmentCode: '75' });
    fx.foyerId = created.id;
    fx.foyerKey = (await makeClient(t, { role: 'foyer', foyerIds: [created.id] })).key;
    fx.policeKey = (await makeClient(t, { role: 'police', departmentCodes: ['75'] })).key;
    fx.freeYouthId = (await makeYouth(t, fx.foyerKey, created.id)).id;
    fx.busyYouthId = (await makeYouth(t, fx.foyerKey, created.id)).id;
    fx.openNoticedAt = iso(-2 * 60 * MINUTE);
    fx.openFugueId = (await declareFugue(t, fx.foyerKey, fx.busyYouthId, { noticedMissingAt: fx.openNoticedAt })).id;

    const cancelledYouthId = (await makeYouth(t, fx.foyerKey, created.id)).id;
    fx.cancelledFugueId = (await declareFugue(t, fx.foyerKey, cancelledYouthId)).id;
    await post(`/v1/fugues/${fx.cancelledFugueId}/cancel`, fx.foyerKey, { reason: 'Declared by mistake' }).expect(200);

    fx.referentId = (
      await post('/v1/referents', t.adminKey, { displayName: 'Astreinte Testnom', role: 'police', departmentCode: '75', channels: [{ type: 'email', address: 'astreinte@vigie.test' }] }).expect(201)
    ).body.id;

    fx.idempotencyKey = 'malformed-corpus-idem-1';
    fx.idempotentBody = { foyerId: created.id, ...TEST_IDENTITY, birthDate: birthDateForAge(14), sex: 'F' };
    await post('/v1/youths', fx.foyerKey, fx.idempotentBody).set('Idempotency-Key', fx.idempotencyKey).expect(201);

    // The worker triages the episodes declared above: let it finish, so that its writes do not
    // land in the middle of a request's before/after snapshot.
    await waitFor(
      async () => {
        const [row] = await t.dataSource.query(`SELECT count(*)::int AS pending FROM outbox WHERE processed_at IS NULL`);
        return row.pending === 0;
      },
      { timeoutMs: 15_000, what: 'the worker to process the outbox rows of the fixtures' },
    );
  });
  afterAll(() => t?.close());

  const cases: Case[] = [
    // POST /v1/fugues: wrong types
    { name: 'POST /v1/fugues with a string for a boolean (belongings.phone)', send: () => declare({ belongings: { phone: 'yes' } }), status: 400, code: 'VALIDATION_FAILED', field: 'belongings.phone' },
    { name: 'POST /v1/fugues with a number for a string (lastSeenPlace)', send: () => declare({ lastSeenPlace: 42 }), status: 400, code: 'VALIDATION_FAILED', field: 'lastSeenPlace' },
    { name: 'POST /v1/fugues with an object for an array (indicators)', send: () => declare({ indicators: { 0: 'SUICIDE_RISK' } }), status: 400, code: 'VALIDATION_FAILED', field: 'indicators' },
    { name: 'POST /v1/fugues with an array for an object (belongings)', send: () => declare({ belongings: [{ phone: true }] }), status: 400, code: 'VALIDATION_FAILED', field: 'belongings' },
    { name: 'POST /v1/fugues with an empty array for an object (staffConcern)', send: () => declare({ staffConcern: [] }), status: 400, code: 'VALIDATION_FAILED', field: 'staffConcern' },
    { name: 'POST /v1/fugues with a string for a nested boolean (staffConcern.worrying)', send: () => declare({ staffConcern: { worrying: 'true' } }), status: 400, code: 'VALIDATION_FAILED', field: 'staffConcern.worrying' },
    { name: 'POST /v1/fugues with a number for a timestamp (noticedMissingAt)', send: () => declare({ noticedMissingAt: Date.now() }), status: 400, code: 'VALIDATION_FAILED', field: 'noticedMissingAt' },
    { name: 'POST /v1/fugues with a string for an object (policeReport)', send: () => declare({ policeReport: 'commissariat' }), status: 400, code: 'VALIDATION_FAILED', field: 'policeReport' },
    // POST /v1/fugues: unknown codes and fields
    { name: 'POST /v1/fugues with an unknown indicator code', send: () => declare({ indicators: ['SUICIDE_RISK', 'NOT_A_CODE'] }), status: 400, code: 'VALIDATION_FAILED', field: 'indicators' },
    { name: 'POST /v1/fugues with an unknown departedWith code', send: () => declare({ departedWith: 'bicycle' }), status: 400, code: 'VALIDATION_FAILED', field: 'departedWith' },
    { name: 'POST /v1/fugues with an unknown top-level field', send: () => declare({ priority: 'high' }), status: 400, code: 'VALIDATION_FAILED', field: 'priority' },
    { name: 'POST /v1/fugues with an unknown nested field (belongings.extra)', send: () => declare({ belongings: { phone: true, extra: true } }), status: 400, code: 'VALIDATION_FAILED', field: 'belongings.extra' },
    // POST /v1/fugues: missing fields, times and dates
    { name: 'POST /v1/fugues without youthId', send: () => post('/v1/fugues', fx.foyerKey, { noticedMissingAt: iso(-MINUTE) }), status: 400, code: 'VALIDATION_FAILED', field: 'youthId' },
    { name: 'POST /v1/fugues without noticedMissingAt', send: () => post('/v1/fugues', fx.foyerKey, { youthId: fx.freeYouthId }), status: 400, code: 'VALIDATION_FAILED', field: 'noticedMissingAt' },
    { name: 'POST /v1/fugues with noticedMissingAt 10 minutes in the future', send: () => declare({ noticedMissingAt: iso(10 * MINUTE) }), status: 400, code: 'VALIDATION_FAILED', field: 'noticedMissingAt' },
    { name: 'POST /v1/fugues with noticedMissingAt 366 days in the past', send: () => declare({ noticedMissingAt: iso(-366 * DAY) }), status: 400, code: 'VALIDATION_FAILED', field: 'noticedMissingAt' },
    { name: 'POST /v1/fugues with lastSeenAt after noticedMissingAt', send: () => declare({ noticedMissingAt: iso(-60 * MINUTE), lastSeenAt: iso(-30 * MINUTE) }), status: 400, code: 'VALIDATION_FAILED', field: 'lastSeenAt' },
    { name: 'POST /v1/fugues with a timestamp without offset', send: () => declare({ noticedMissingAt: iso(-MINUTE).slice(0, 19) }), status: 400, code: 'VALIDATION_FAILED', field: 'noticedMissingAt' },
    { name: 'POST /v1/fugues with an impossible date (2026-02-30)', send: () => declare({ noticedMissingAt: '2026-02-30T10:00:00Z' }), status: 400, code: 'VALIDATION_FAILED', field: 'noticedMissingAt' },
    // POST /v1/fugues: sizes, ids, prototype keys, state
    { name: 'POST /v1/fugues with a 5,000-character string (clothing)', send: () => declare({ clothing: repeat(5000) }), status: 400, code: 'VALIDATION_FAILED', field: 'clothing' },
    { name: 'POST /v1/fugues with a 100,000-character string (over the body limit)', send: () => declare({ circumstances: repeat(100_000) }), status: 413, code: 'PAYLOAD_TOO_LARGE' },
    { name: 'POST /v1/fugues with a 10,000-item array (indicators)', send: () => declare({ indicators: Array.from({ length: 10_000 }, () => 'X') }), status: 400, code: 'VALIDATION_FAILED', field: 'indicators' },
    { name: 'POST /v1/fugues with an invalid UUID for youthId', send: () => declare({ youthId: 'not-a-uuid' }), status: 400, code: 'VALIDATION_FAILED', field: 'youthId' },
    { name: 'POST /v1/fugues with a youthId that does not exist', send: () => declare({ youthId: '00000000-0000-4000-8000-000000000000' }), status: 404, code: 'NOT_FOUND' },
    {
      name: 'POST /v1/fugues with a top-level "__proto__" key (raw JSON)',
      send: () => raw('/v1/fugues', fx.foyerKey, `{"youthId":"${fx.freeYouthId}","noticedMissingAt":"${iso(-MINUTE)}","__proto__":{"isAdmin":true}}`),
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'POST /v1/fugues with a nested "constructor": {"prototype": …} key (raw JSON)',
      send: () => raw('/v1/fugues', fx.foyerKey, `{"youthId":"${fx.freeYouthId}","noticedMissingAt":"${iso(-MINUTE)}","belongings":{"constructor":{"prototype":{"phone":true}}}}`),
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'POST /v1/fugues for a youth that already has an open episode (409, one episode remains)',
      send: () => post('/v1/fugues', fx.foyerKey, { youthId: fx.busyYouthId, noticedMissingAt: iso(-MINUTE) }),
      status: 409,
      code: 'FUGUE_ALREADY_OPEN',
      then: async () => {
        const rows = await t.dataSource.query(`SELECT id, status FROM fugues WHERE youth_id = $1`, [fx.busyYouthId]);
        expect(rows).toEqual([{ id: fx.openFugueId, status: 'missing' }]);
      },
    },

    // POST /v1/youths
    { name: 'POST /v1/youths with a number for a string (firstName)', send: () => youth({ firstName: 12 }), status: 400, code: 'VALIDATION_FAILED', field: 'firstName' },
    { name: 'POST /v1/youths with a string for a boolean (medical.vitalTreatment)', send: () => youth({ medical: { vitalTreatment: 'yes' } }), status: 400, code: 'VALIDATION_FAILED', field: 'medical.vitalTreatment' },
    { name: 'POST /v1/youths with an object for an array (usualPlaces)', send: () => youth({ usualPlaces: { home: 'Gare' } }), status: 400, code: 'VALIDATION_FAILED', field: 'usualPlaces' },
    { name: 'POST /v1/youths with an array for an object (medical)', send: () => youth({ medical: [{ vitalTreatment: true }] }), status: 400, code: 'VALIDATION_FAILED', field: 'medical' },
    { name: 'POST /v1/youths with an unknown vulnerability code', send: () => youth({ vulnerabilities: ['DISABILITY', 'NOT_A_CODE'] }), status: 400, code: 'VALIDATION_FAILED', field: 'vulnerabilities' },
    { name: 'POST /v1/youths with an unknown sex code', send: () => youth({ sex: 'Q' }), status: 400, code: 'VALIDATION_FAILED', field: 'sex' },
    { name: 'POST /v1/youths with an unknown top-level field', send: () => youth({ nationality: 'FR' }), status: 400, code: 'VALIDATION_FAILED', field: 'nationality' },
    { name: 'POST /v1/youths with an unknown nested field (medical.extra)', send: () => youth({ medical: { vitalTreatment: false, extra: 'x' } }), status: 400, code: 'VALIDATION_FAILED', field: 'medical.extra' },
    { name: 'POST /v1/youths without birthDate', send: () => youth({ birthDate: undefined }), status: 400, code: 'VALIDATION_FAILED', field: 'birthDate' },
    { name: 'POST /v1/youths without foyerId', send: () => youth({ foyerId: undefined }), status: 400, code: 'VALIDATION_FAILED', field: 'foyerId' },
    { name: 'POST /v1/youths with an impossible birth date (2013-13-01)', send: () => youth({ birthDate: '2013-13-01' }), status: 400, code: 'VALIDATION_FAILED', field: 'birthDate' },
    { name: 'POST /v1/youths with a birth date that makes the youth 25', send: () => youth({ birthDate: birthDateForAge(25) }), status: 400, code: 'VALIDATION_FAILED', field: 'birthDate' },
    { name: 'POST /v1/youths with a birth date in the future', send: () => youth({ birthDate: iso(30 * DAY).slice(0, 10) }), status: 400, code: 'VALIDATION_FAILED', field: 'birthDate' },
    { name: 'POST /v1/youths with a timestamp for a date (birthDate)', send: () => youth({ birthDate: `${birthDateForAge(15)}T00:00:00Z` }), status: 400, code: 'VALIDATION_FAILED', field: 'birthDate' },
    { name: 'POST /v1/youths with a 10,000-item array (usualPlaces)', send: () => youth({ usualPlaces: Array.from({ length: 10_000 }, () => 'G') }), status: 400, code: 'VALIDATION_FAILED', field: 'usualPlaces' },
    { name: 'POST /v1/youths with a 101-character name', send: () => youth({ lastName: repeat(101) }), status: 400, code: 'VALIDATION_FAILED', field: 'lastName' },
    { name: 'POST /v1/youths with an invalid UUID for foyerId', send: () => youth({ foyerId: '1234' }), status: 400, code: 'VALIDATION_FAILED', field: 'foyerId' },
    {
      name: 'POST /v1/youths with a top-level "constructor": {"prototype": …} key (raw JSON)',
      send: () =>
        raw('/v1/youths', fx.foyerKey, `{"foyerId":"${fx.foyerId}","firstName":"Testprenom","lastName":"Testnom","birthDate":"${birthDateForAge(15)}","sex":"F","constructor":{"prototype":{"isAdmin":true}}}`),
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'POST /v1/youths with a nested "__proto__" key in medical (raw JSON)',
      send: () =>
        raw('/v1/youths', fx.foyerKey, `{"foyerId":"${fx.foyerId}","firstName":"Testprenom","lastName":"Testnom","birthDate":"${birthDateForAge(15)}","sex":"F","medical":{"vitalTreatment":false,"__proto__":{"vitalTreatment":true}}}`),
      status: 400,
      code: 'VALIDATION_FAILED',
    },

    // PATCH /v1/youths/{id}: null on a field the profile cannot be without
    { name: 'PATCH /v1/youths/{id} with firstName null', send: () => patchYouth({ firstName: null }), status: 400, code: 'VALIDATION_FAILED', field: 'firstName', then: youthUnchanged },
    { name: 'PATCH /v1/youths/{id} with lastName null', send: () => patchYouth({ lastName: null }), status: 400, code: 'VALIDATION_FAILED', field: 'lastName', then: youthUnchanged },
    { name: 'PATCH /v1/youths/{id} with birthDate null', send: () => patchYouth({ birthDate: null }), status: 400, code: 'VALIDATION_FAILED', field: 'birthDate', then: youthUnchanged },
    { name: 'PATCH /v1/youths/{id} with sex null', send: () => patchYouth({ sex: null }), status: 400, code: 'VALIDATION_FAILED', field: 'sex', then: youthUnchanged },
    { name: 'PATCH /v1/youths/{id} with foyerId null', send: () => patchYouth({ foyerId: null }), status: 400, code: 'VALIDATION_FAILED', field: 'foyerId', then: youthUnchanged },
    { name: 'PATCH /v1/youths/{id} with usualPlaces null', send: () => patchYouth({ usualPlaces: null }), status: 400, code: 'VALIDATION_FAILED', field: 'usualPlaces', then: youthUnchanged },
    { name: 'PATCH /v1/youths/{id} with vulnerabilities null', send: () => patchYouth({ vulnerabilities: null }), status: 400, code: 'VALIDATION_FAILED', field: 'vulnerabilities', then: youthUnchanged },
    { name: 'PATCH /v1/youths/{id} with medical null', send: () => patchYouth({ medical: null }), status: 400, code: 'VALIDATION_FAILED', field: 'medical', then: youthUnchanged },
    { name: 'PATCH /v1/youths/{id} with medical.vitalTreatment null', send: () => patchYouth({ medical: { vitalTreatment: null } }), status: 400, code: 'VALIDATION_FAILED', field: 'medical.vitalTreatment', then: youthUnchanged },
    // PATCH /v1/referents/{id}
    { name: 'PATCH /v1/referents/{id} with displayName null', send: () => patchReferent({ displayName: null }), status: 400, code: 'VALIDATION_FAILED', field: 'displayName', then: referentUnchanged },
    { name: 'PATCH /v1/referents/{id} with channels null', send: () => patchReferent({ channels: null }), status: 400, code: 'VALIDATION_FAILED', field: 'channels', then: referentUnchanged },

    // POST /v1/fugues/{id}/updates
    { name: 'POST /v1/fugues/{id}/updates with a string for an array (indicators)', send: () => update({ indicators: 'SUICIDE_RISK' }), status: 400, code: 'VALIDATION_FAILED', field: 'indicators' },
    { name: 'POST /v1/fugues/{id}/updates with an array for an object (sighting)', send: () => update({ sighting: [{ at: iso(-MINUTE) }] }), status: 400, code: 'VALIDATION_FAILED', field: 'sighting' },
    { name: 'POST /v1/fugues/{id}/updates with a number for a string (note)', send: () => update({ note: 7 }), status: 400, code: 'VALIDATION_FAILED', field: 'note' },
    { name: 'POST /v1/fugues/{id}/updates with an unknown indicator code', send: () => update({ indicators: ['LOST_SHOE'] }), status: 400, code: 'VALIDATION_FAILED', field: 'indicators' },
    { name: 'POST /v1/fugues/{id}/updates with a sighting time without offset', send: () => update({ sighting: { at: '2026-01-10T10:00:00', place: 'Gare' } }), status: 400, code: 'VALIDATION_FAILED', field: 'sighting.at' },
    { name: 'POST /v1/fugues/{id}/updates with an unknown field', send: () => update({ note: 'Vu', level: 'worrying' }), status: 400, code: 'VALIDATION_FAILED', field: 'level' },
    { name: 'POST /v1/fugues/{id}/updates with an invalid UUID in the path', send: () => post('/v1/fugues/not-a-uuid/updates', fx.foyerKey, { note: 'Vu' }), status: 400, code: 'VALIDATION_FAILED', field: 'id' },
    { name: 'POST /v1/fugues/{id}/updates with a sighting in the future', send: () => update({ sighting: { at: iso(DAY) } }), status: 400, code: 'VALIDATION_FAILED', field: 'sighting.at' },

    // POST /v1/fugues/{id}/return
    { name: 'POST /v1/fugues/{id}/return with an unknown foundBy code', send: () => returned({ foundBy: 'neighbour' }), status: 400, code: 'VALIDATION_FAILED', field: 'foundBy' },
    { name: 'POST /v1/fugues/{id}/return with a string for a boolean (condition.injured)', send: () => returned({ condition: { injured: 'no' } }), status: 400, code: 'VALIDATION_FAILED', field: 'condition.injured' },
    { name: 'POST /v1/fugues/{id}/return with an array for an object (condition)', send: () => returned({ condition: [] }), status: 400, code: 'VALIDATION_FAILED', field: 'condition' },
    { name: 'POST /v1/fugues/{id}/return without returnedAt', send: () => returned({ returnedAt: undefined }), status: 400, code: 'VALIDATION_FAILED', field: 'returnedAt' },
    { name: 'POST /v1/fugues/{id}/return with returnedAt before noticedMissingAt', send: () => returned({ returnedAt: iso(-3 * 60 * MINUTE) }), status: 400, code: 'VALIDATION_FAILED', field: 'returnedAt' },
    { name: 'POST /v1/fugues/{id}/return on a cancelled episode', send: () => returned({}, fx.cancelledFugueId), status: 409, code: 'INVALID_TRANSITION' },
    { name: 'POST /v1/fugues/{id}/return with an unknown nested field (condition.extra)', send: () => returned({ condition: { injured: false, extra: 1 } }), status: 400, code: 'VALIDATION_FAILED', field: 'condition.extra' },

    // POST /v1/fugues/{id}/located
    { name: 'POST /v1/fugues/{id}/located with a number for a timestamp (at)', send: () => located({ at: 1_700_000_000 }), status: 400, code: 'VALIDATION_FAILED', field: 'at' },
    { name: 'POST /v1/fugues/{id}/located with an object for a string (place)', send: () => located({ at: iso(-MINUTE), place: { city: 'Paris' } }), status: 400, code: 'VALIDATION_FAILED', field: 'place' },
    { name: 'POST /v1/fugues/{id}/located without at', send: () => located({ place: 'Gare' }), status: 400, code: 'VALIDATION_FAILED', field: 'at' },
    { name: 'POST /v1/fugues/{id}/located with an array for the body', send: () => located([{ at: iso(-MINUTE) }]), status: 400, code: 'VALIDATION_FAILED' },

    // POST /v1/fugues/{id}/override
    { name: 'POST /v1/fugues/{id}/override with an unknown level code', send: () => override({ level: 'critical', reason: 'Contexte' }), status: 400, code: 'VALIDATION_FAILED', field: 'level' },
    { name: 'POST /v1/fugues/{id}/override with an array for a string (level)', send: () => override({ level: ['worrying'], reason: 'Contexte' }), status: 400, code: 'VALIDATION_FAILED', field: 'level' },
    { name: 'POST /v1/fugues/{id}/override with a number for a string (reason)', send: () => override({ level: 'worrying', reason: 3 }), status: 400, code: 'VALIDATION_FAILED', field: 'reason' },
    { name: 'POST /v1/fugues/{id}/override with an empty reason', send: () => override({ level: 'worrying', reason: '' }), status: 400, code: 'VALIDATION_FAILED', field: 'reason' },
    { name: 'POST /v1/fugues/{id}/override by a foyer key (role)', send: () => post(`/v1/fugues/${fx.openFugueId}/override`, fx.foyerKey, { level: 'worrying', reason: 'Contexte' }), status: 403, code: 'FORBIDDEN' },

    // POST /v1/triage/preview
    { name: 'POST /v1/triage/preview with an array for an object (youth)', send: () => post('/v1/triage/preview', fx.foyerKey, { youth: [], departmentCode: '75', episode: { noticedMissingAt: iso(-MINUTE) } }), status: 400, code: 'VALIDATION_FAILED', field: 'youth' },
    { name: 'POST /v1/triage/preview with an array holding a valid object for an object (episode)', send: () => preview({}, {}, { episode: [{ noticedMissingAt: iso(-MINUTE) }] }), status: 400, code: 'VALIDATION_FAILED', field: 'episode' },
    { name: 'POST /v1/triage/preview with a number for a string (departmentCode)', send: () => preview({}, {}, { departmentCode: 75 }), status: 400, code: 'VALIDATION_FAILED', field: 'departmentCode' },
    { name: 'POST /v1/triage/preview with a string for a boolean (episode.belongings.phone)', send: () => preview({}, { belongings: { phone: 'false' } }), status: 400, code: 'VALIDATION_FAILED', field: 'episode.belongings.phone' },
    { name: 'POST /v1/triage/preview with an unknown indicator code', send: () => preview({}, { indicators: ['NOT_A_CODE'] }), status: 400, code: 'VALIDATION_FAILED', field: 'episode.indicators' },
    { name: 'POST /v1/triage/preview with an unknown vulnerability code', send: () => preview({ vulnerabilities: ['NOT_A_CODE'] }, {}), status: 400, code: 'VALIDATION_FAILED', field: 'youth.vulnerabilities' },
    { name: 'POST /v1/triage/preview with an unknown departedWith code', send: () => preview({}, { departedWith: 'horse' }), status: 400, code: 'VALIDATION_FAILED', field: 'episode.departedWith' },
    { name: 'POST /v1/triage/preview with an unknown nested field (youth.medical.extra)', send: () => preview({ medical: { vitalTreatment: true, extra: 1 } }, {}), status: 400, code: 'VALIDATION_FAILED', field: 'youth.medical.extra' },
    { name: 'POST /v1/triage/preview without episode', send: () => post('/v1/triage/preview', fx.foyerKey, { youth: { birthDate: birthDateForAge(15) }, departmentCode: '75' }), status: 400, code: 'VALIDATION_FAILED', field: 'episode' },
    { name: 'POST /v1/triage/preview with an impossible birth date', send: () => preview({ birthDate: '2013-02-30' }, {}), status: 400, code: 'VALIDATION_FAILED', field: 'youth.birthDate' },

    // POST /v1/foyers and /v1/api-clients (admin)
    { name: 'POST /v1/foyers with an unknown kind code', send: () => foyer({ kind: 'hotel' }), status: 400, code: 'VALIDATION_FAILED', field: 'kind' },
    { name: 'POST /v1/foyers with a number for a string (name)', send: () => foyer({ name: 1 }), status: 400, code: 'VALIDATION_FAILED', field: 'name' },
    { name: 'POST /v1/foyers with an array for a string (departmentCode)', send: () => foyer({ departmentCode: ['75'] }), status: 400, code: 'VALIDATION_FAILED', field: 'departmentCode' },
    { name: 'POST /v1/foyers with a département code that does not exist', send: () => foyer({ departmentCode: '99' }), status: 400, code: 'VALIDATION_FAILED', field: 'departmentCode' },
    { name: 'POST /v1/foyers with an unknown field', send: () => foyer({ capacity: 12 }), status: 400, code: 'VALIDATION_FAILED', field: 'capacity' },
    { name: 'POST /v1/api-clients with an unknown role code', send: () => apiClient({ role: 'superuser' }), status: 400, code: 'VALIDATION_FAILED', field: 'role' },
    { name: 'POST /v1/api-clients with a string for an array (departmentCodes)', send: () => apiClient({ departmentCodes: '75' }), status: 400, code: 'VALIDATION_FAILED', field: 'departmentCodes' },
    { name: 'POST /v1/api-clients with an invalid UUID in foyerIds', send: () => apiClient({ role: 'foyer', departmentCodes: undefined, foyerIds: ['nope'] }), status: 400, code: 'VALIDATION_FAILED', field: 'foyerIds' },
    { name: 'POST /v1/api-clients with an object for an array (foyerIds)', send: () => apiClient({ role: 'foyer', departmentCodes: undefined, foyerIds: { id: fx.foyerId } }), status: 400, code: 'VALIDATION_FAILED', field: 'foyerIds' },
    { name: 'POST /v1/api-clients with an unknown field', send: () => apiClient({ isAdmin: true }), status: 400, code: 'VALIDATION_FAILED', field: 'isAdmin' },
    { name: 'POST /v1/api-clients for a foyer that does not exist', send: () => apiClient({ role: 'foyer', departmentCodes: undefined, foyerIds: ['00000000-0000-4000-8000-000000000000'] }), status: 400, code: 'VALIDATION_FAILED', field: 'foyerIds' },

    // GET /v1/fugues: paging parameters
    { name: 'GET /v1/fugues with a cursor of forbidden characters', send: () => listFugues('cursor=%25%24%23'), status: 400, code: 'VALIDATION_FAILED', field: 'cursor' },
    { name: 'GET /v1/fugues with a well-formed cursor this service never returned', send: () => listFugues(`cursor=${Buffer.from('yesterday|someone').toString('base64url')}`), status: 400, code: 'VALIDATION_FAILED', field: 'cursor' },
    { name: 'GET /v1/fugues with a cursor whose id is 36 dashes', send: () => listFugues(`cursor=${cursorOf(`2026-01-10T10:00:00.000Z|${'-'.repeat(36)}`)}`), status: 400, code: 'VALIDATION_FAILED', field: 'cursor' },
    { name: 'GET /v1/fugues with a cursor whose time PostgreSQL cannot hold', send: () => listFugues(`cursor=${cursorOf(`-271821-04-20T00:00:00.000Z|${someId}`)}`), status: 400, code: 'VALIDATION_FAILED', field: 'cursor' },
    { name: 'GET /v1/fugues with a cursor whose time is not the form this service writes', send: () => listFugues(`cursor=${cursorOf(`1|${someId}`)}`), status: 400, code: 'VALIDATION_FAILED', field: 'cursor' },
    { name: 'GET /v1/fugues with a cursor carrying a third part', send: () => listFugues(`cursor=${cursorOf(`2026-01-10T10:00:00.000Z|${someId}|x`)}`), status: 400, code: 'VALIDATION_FAILED', field: 'cursor' },
    { name: 'GET /v1/foyers with a cursor whose id is 36 dashes', send: () => t.http.get(`/v1/foyers?cursor=${cursorOf(`2026-01-10T10:00:00.000Z|${'-'.repeat(36)}`)}`).set(bearer(t.adminKey)), status: 400, code: 'VALIDATION_FAILED', field: 'cursor' },
    { name: 'GET /v1/audit with a cursor over the bigint range', send: () => t.http.get('/v1/audit?cursor=9999999999999999999').set(bearer(t.adminKey)), status: 400, code: 'VALIDATION_FAILED', field: 'cursor' },
    { name: 'GET /v1/audit with a cursor of 0', send: () => t.http.get('/v1/audit?cursor=0').set(bearer(t.adminKey)), status: 400, code: 'VALIDATION_FAILED', field: 'cursor' },
    { name: 'GET /v1/fugues with limit=0', send: () => listFugues('limit=0'), status: 400, code: 'VALIDATION_FAILED', field: 'limit' },
    { name: 'GET /v1/fugues with limit=201', send: () => listFugues('limit=201'), status: 400, code: 'VALIDATION_FAILED', field: 'limit' },
    { name: 'GET /v1/fugues with limit=abc', send: () => listFugues('limit=abc'), status: 400, code: 'VALIDATION_FAILED', field: 'limit' },
    { name: 'GET /v1/fugues with an unknown query parameter', send: () => listFugues('order=asc'), status: 400, code: 'VALIDATION_FAILED', field: 'order' },
    { name: 'GET /v1/fugues/{id} with an invalid UUID in the path', send: () => t.http.get("/v1/fugues/1%27%20OR%20%271%27=%271").set(bearer(fx.foyerKey)), status: 400, code: 'VALIDATION_FAILED', field: 'id' },

    // Body transport
    { name: 'malformed JSON text', send: () => raw('/v1/fugues', fx.foyerKey, `{"youthId":"${fx.freeYouthId}","noticedMissingAt":`), status: 400, code: 'MALFORMED_JSON' },
    { name: 'a JSON scalar for the body', send: () => raw('/v1/fugues', fx.foyerKey, '"missing"'), status: 400, code: 'MALFORMED_JSON' },
    {
      name: 'a JSON body sent as text/plain',
      send: () => t.http.post('/v1/fugues').set(bearer(fx.foyerKey)).set('Content-Type', 'text/plain').send(JSON.stringify({ youthId: fx.freeYouthId, noticedMissingAt: iso(-MINUTE) })),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'a body sent as application/x-www-form-urlencoded',
      send: () => t.http.post('/v1/fugues').set(bearer(fx.foyerKey)).type('form').send(`youthId=${fx.freeYouthId}&noticedMissingAt=${encodeURIComponent(iso(-MINUTE))}`),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'a body over 64 KiB',
      send: () => raw('/v1/youths', fx.foyerKey, JSON.stringify({ foyerId: fx.foyerId, ...TEST_IDENTITY, birthDate: birthDateForAge(15), sex: 'F', description: repeat(70 * 1024) })),
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    },

    // Credentials and roles
    { name: 'no Authorization header', send: () => t.http.post('/v1/fugues').send({ youthId: fx.freeYouthId, noticedMissingAt: iso(-MINUTE) }), status: 401, code: 'UNAUTHENTICATED' },
    { name: 'an empty Authorization header', send: () => t.http.post('/v1/fugues').set('Authorization', '').send({ youthId: fx.freeYouthId, noticedMissingAt: iso(-MINUTE) }), status: 401, code: 'UNAUTHENTICATED' },
    { name: 'a non-Bearer Authorization scheme', send: () => t.http.post('/v1/fugues').set('Authorization', `Basic ${Buffer.from(`x:${fx.foyerKey}`).toString('base64')}`).send({ youthId: fx.freeYouthId, noticedMissingAt: iso(-MINUTE) }), status: 401, code: 'UNAUTHENTICATED' },
    { name: 'an unknown API key', send: () => declare({}).set(bearer('vig_unknown_0123456789abcdef')), status: 401, code: 'UNAUTHENTICATED' },
    { name: 'a foyer key creating a foyer (admin route)', send: () => post('/v1/foyers', fx.foyerKey, { name: 'Foyer Testnom', departmentCode: '75', kind: 'ase' }), status: 403, code: 'FORBIDDEN' },
    { name: 'a foyer key creating an API client (admin route)', send: () => post('/v1/api-clients', fx.foyerKey, { name: 'Client Testnom', role: 'admin' }), status: 403, code: 'FORBIDDEN' },
    { name: 'a foyer key reading the audit log (admin route)', send: () => t.http.get('/v1/audit').set(bearer(fx.foyerKey)), status: 403, code: 'FORBIDDEN' },

    // Idempotency
    {
      name: 'an Idempotency-Key reused with a different body',
      send: () => post('/v1/youths', fx.foyerKey, { ...fx.idempotentBody, firstName: 'Autreprenom' }).set('Idempotency-Key', fx.idempotencyKey),
      status: 409,
      code: 'IDEMPOTENCY_KEY_REUSED',
    },
    {
      name: 'an Idempotency-Key with control characters',
      send: () => declare({}).set('Idempotency-Key', 'key with spaces'),
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'Idempotency-Key',
    },
  ];

  it('has a corpus of at least 45 cases with distinct names', () => {
    expect(cases.length).toBeGreaterThanOrEqual(45);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each([
    ['no Authorization header', () => t.http.get('/v1/fugues'), 'Bearer'],
    ['an empty Authorization header', () => t.http.get('/v1/fugues').set('Authorization', ''), 'Bearer'],
    ['a non-Bearer Authorization scheme', () => t.http.get('/v1/fugues').set('Authorization', `Basic ${Buffer.from(`x:${fx.foyerKey}`).toString('base64')}`), 'Bearer'],
    ['an unknown API key', () => t.http.get('/v1/fugues').set(bearer('vig_unknown_0123456789abcdef')), 'Bearer error="invalid_token"'],
    ['an unknown API key on a POST', () => declare({}).set(bearer('vig_unknown_0123456789abcdef')), 'Bearer error="invalid_token"'],
  ])('a 401 for %s carries WWW-Authenticate: %s', async (_name, send, challenge) => {
    const res = await send();
    expectErrorShape(res, 401, 'UNAUTHENTICATED');
    expect(res.headers['www-authenticate']).toBe(challenge);
  });

  it.each(cases)('$name → $status $code', async ({ send, status, code, field, then }) => {
    const before = await countRows(t);
    const res = await send();
    expectErrorShape(res, status, code);
    if (field) expect((res.body.details as { field: string }[]).map((d) => d.field)).toContain(field);
    expect(await countRows(t)).toEqual(before);
    if (then) await then();
  });
});

describe('rate limit per API key', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ worker: false, env: { VIGIE_RATE_LIMIT_PER_MINUTE: '5' } });
  });
  afterAll(() => t?.close());

  it('counts every route against the same key and answers 429 with a positive Retry-After and the error body, writing nothing', async () => {
    const routes = ['/v1/departments', '/v1/vocabularies', '/v1/foyers', '/v1/api-clients', '/v1/departments'];
    const statuses: number[] = [];
    for (const route of routes) statuses.push((await t.http.get(route).set(bearer(t.adminKey))).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);

    const before = await countRows(t);
    const res = await t.http.post('/v1/foyers').set(bearer(t.adminKey)).send({ name: 'Foyer Testnom', departmentCode: '75', kind: 'ase' });
    expectErrorShape(res, 429, 'RATE_LIMITED');
    expect(res.headers['retry-after']).toMatch(/^[1-9]\d*$/);
    expect(await countRows(t)).toEqual(before);
  });
});
