import { bearer, birthDateForAge, declareFugue, makeClient, makeFoyer, makeYouth, startTestApp, TestApp, testNow, waitFor } from '@vigie/testing';

/**
 * Who sees what of links (spec/links.md § Who sees what): an episode's links show the other
 * episode's id and level only to a caller who may see it; a youth's history lists the episodes
 * the caller may see; the hotline finds open episodes of its scope by first name, age,
 * département and place, with an initial only. Every read is audited.
 */

type Json = Record<string, any>;
const MINUTE = 60_000;
const ago = (ms: number) => new Date(testNow().getTime() - ms).toISOString();

describe('reading links', () => {
  let t: TestApp;
  let keys: Record<'foyer75' | 'foyer92' | 'police75' | 'protection92' | 'hotline75' | 'hotline', string>;
  let x: string;
  let y: string;
  let xYouth: string;
  let otherX: string;

  beforeAll(async () => {
    t = await startTestApp();
    const f75 = await makeFoyer(t, { departmentCode: '75' });
    const f92 = await makeFoyer(t, { departmentCode: '92' });
    keys = {
      foyer75: (await makeClient(t, { role: 'foyer', foyerIds: [f75.id] })).key,
      foyer92: (await makeClient(t, { role: 'foyer', foyerIds: [f92.id] })).key,
      police75: (await makeClient(t, { role: 'police', departmentCodes: ['75'] })).key,
      protection92: (await makeClient(t, { role: 'child_protection', departmentCodes: ['92'] })).key,
      hotline75: (await makeClient(t, { role: 'hotline', departmentCodes: ['75'] })).key,
      hotline: (await makeClient(t, { role: 'hotline' })).key,
    };
    xYouth = (await makeYouth(t, keys.foyer75, f75.id, { firstName: 'Zélie', birthDate: birthDateForAge(15) })).id;
    const yYouth = (await makeYouth(t, keys.foyer92, f92.id, { firstName: 'Zélie', birthDate: birthDateForAge(15) })).id;
    // An earlier, returned episode of the same youth, found at a place.
    otherX = (await declareFugue(t, keys.foyer75, xYouth, { noticedMissingAt: ago(300 * MINUTE) })).id;
    await t.http.post(`/v1/fugues/${otherX}/return`).set(bearer(keys.foyer75)).send({ returnedAt: ago(200 * MINUTE), foundBy: 'police', place: 'Gare Testville' }).expect(200);
    x = (await declareFugue(t, keys.foyer75, xYouth, { lastSeenPlace: 'Parc des Testeurs', connections: { vehicles: [{ plate: 'RD-456-LK' }] } })).id;
    y = (await declareFugue(t, keys.foyer92, yYouth, { connections: { vehicles: [{ plate: 'rd456lk' }] } })).id;
    await waitFor(async () => (await t.dataSource.query(`SELECT 1 FROM outbox WHERE processed_at IS NULL`)).length === 0, { what: 'the triages' });
  });

  afterAll(() => t?.close());

  const links = (id: string, key: string, status = 200) => t.http.get(`/v1/fugues/${id}/links`).set(bearer(key)).expect(status);
  const audited = (route: string) => t.dataSource.query(`SELECT client_id, youth_id, fugue_id, action FROM audit_log WHERE route = $1 ORDER BY id`, [route]);

  describe('GET /v1/fugues/{id}/links', () => {
    it('shows the other episode to a caller who may see it', async () => {
      const { body } = await links(x, t.adminKey);
      expect(body.items).toEqual([{ fugueId: y, reasons: ['SAME_VEHICLE'], foundAt: expect.any(String), sameFoyer: false, level: 'routine', cancelled: false }]);
    });

    it.each([
      ['a foyer, of its own episode linked to another foyer', 'foyer75', () => x],
      ['the police of the département, of an episode linked to another département', 'police75', () => x],
      ['child protection of the other département', 'protection92', () => y],
      ['the other foyer', 'foyer92', () => y],
    ] as const)('hides the other episode from %s, and keeps the reasons', async (_who, key, id) => {
      const { body } = await links(id(), keys[key]);
      expect(body.items).toEqual([{ fugueId: null, reasons: ['SAME_VEHICLE'], foundAt: expect.any(String), sameFoyer: false, level: null, cancelled: false }]);
      expect(JSON.stringify(body)).not.toContain(id() === x ? y : x);
    });

    it('answers 404 for an episode outside the caller’s scope, and 400 for a malformed id', async () => {
      await links(x, keys.foyer92, 404);
      await links(x, keys.protection92, 404);
      await links(x, keys.hotline75, 404); // a routine episode: the hotline sees worrying ones only
      await links('nope', t.adminKey, 400);
    });

    it('names the other episode in the timeline only to a caller who may see it', async () => {
      const linked = async (id: string, key: string) => (await t.http.get(`/v1/fugues/${id}/timeline`).set(bearer(key)).expect(200)).body.items.filter((e: Json) => e.type === 'linked');
      expect((await linked(x, t.adminKey)).map((e: Json) => e.data)).toEqual([{ linkedFugueId: y, reasons: ['SAME_VEHICLE'], newReasons: ['SAME_VEHICLE'] }]);
      expect((await linked(x, keys.foyer75)).map((e: Json) => e.data)).toEqual([{ linkedFugueId: null, reasons: ['SAME_VEHICLE'], newReasons: ['SAME_VEHICLE'] }]);
      expect((await linked(y, keys.protection92)).map((e: Json) => e.data.linkedFugueId)).toEqual([null]);
    });

    it('is audited', async () => {
      const rows = await audited('/v1/fugues/:id/links');
      expect(rows.filter((r: Json) => r.fugue_id === x && r.action === 'read_identity').length).toBeGreaterThan(0);
    });
  });

  describe('GET /v1/youths/{id}/history', () => {
    it('lists the youth’s episodes in the caller’s scope, oldest first, with t0, end, level, where found and links', async () => {
      const { body } = await t.http.get(`/v1/youths/${xYouth}/history`).set(bearer(keys.foyer75)).expect(200);
      expect(body.youthId).toBe(xYouth);
      expect(body.items.map((e: Json) => e.fugueId)).toEqual([otherX, x]);
      expect(body.items[0]).toEqual(expect.objectContaining({ status: 'returned', level: 'routine', foundAt: 'Gare Testville', departmentCode: '75', links: [] }));
      const returned = (await t.http.get(`/v1/fugues/${otherX}`).set(bearer(t.adminKey)).expect(200)).body;
      expect(body.items[0].t0).toBe(returned.noticedMissingAt);
      expect(body.items[0].end).toBe(returned.returnedAt);
      expect(body.items[1]).toEqual(expect.objectContaining({ status: 'missing', end: null, foundAt: null }));
      expect(body.items[1].links).toEqual([{ fugueId: null, reasons: ['SAME_VEHICLE'], foundAt: expect.any(String), sameFoyer: false, level: null, cancelled: false }]);
    });

    it('shows the police of the département the episodes of its département, and 404 to those who see none', async () => {
      expect((await t.http.get(`/v1/youths/${xYouth}/history`).set(bearer(keys.police75)).expect(200)).body.items).toHaveLength(2);
      await t.http.get(`/v1/youths/${xYouth}/history`).set(bearer(keys.foyer92)).expect(404);
      await t.http.get(`/v1/youths/${xYouth}/history`).set(bearer(keys.protection92)).expect(404);
      await t.http.get(`/v1/youths/${xYouth}/history`).set(bearer(keys.hotline75)).expect(403);
      await t.http.get(`/v1/youths/00000000-0000-4000-8000-000000000000/history`).set(bearer(t.adminKey)).expect(404);
    });

    it('is audited like the profile: the youth and each episode shown', async () => {
      const rows = await audited('/v1/youths/:id/history');
      expect(rows).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ youth_id: xYouth, fugue_id: null, action: 'read_identity' }),
          expect.objectContaining({ youth_id: xYouth, fugue_id: x, action: 'read_identity' }),
        ]),
      );
    });
  });

  describe('POST /v1/hotline/lookup', () => {
    const lookup = (body: Json, key = keys.hotline75) => t.http.post('/v1/hotline/lookup').set(bearer(key)).send(body);

    it('finds the open episodes of its scope by first name without accents or case, routine ones included, with an initial only', async () => {
      const { body } = await lookup({ firstName: ' zelie' }).expect(200);
      expect(body.items).toEqual([
        { fugueId: x, firstNameInitial: 'Z', age: 15, departmentCode: '75', level: 'routine', noticedMissingAt: expect.any(String), minutesMissing: expect.any(Number) },
      ]);
      expect(JSON.stringify(body)).not.toMatch(/Zélie|Testnom/);
      // A hotline without départements looks everywhere.
      expect((await lookup({ firstName: 'ZÉLIE' }, keys.hotline).expect(200)).body.items.map((m: Json) => m.fugueId).sort()).toEqual([x, y].sort());
    });

    it('matches the age within 2 years, the département and the last-seen place', async () => {
      expect((await lookup({ approximateAge: 17 }).expect(200)).body.items.map((m: Json) => m.fugueId)).toEqual([x]);
      expect((await lookup({ approximateAge: 18 }).expect(200)).body.items).toEqual([]);
      expect((await lookup({ approximateAge: 13, firstName: 'zelie' }).expect(200)).body.items).toHaveLength(1);
      expect((await lookup({ departmentCode: '92' }).expect(200)).body.items).toEqual([]);
      expect((await lookup({ departmentCode: '92' }, keys.hotline).expect(200)).body.items.map((m: Json) => m.fugueId)).toEqual([y]);
      expect((await lookup({ place: 'parc des testeurs' }).expect(200)).body.items.map((m: Json) => m.fugueId)).toEqual([x]);
      expect((await lookup({ place: 'Gare Testville' }).expect(200)).body.items).toEqual([]);
    });

    it('refuses an empty or malformed lookup and callers other than the hotline', async () => {
      expect((await lookup({}).expect(400)).body.code).toBe('VALIDATION_FAILED');
      expect((await lookup({ approximateAge: 'seize' }).expect(400)).body.details.map((d: Json) => d.field)).toContain('approximateAge');
      expect((await lookup({ departmentCode: '750' }).expect(400)).body.details.map((d: Json) => d.field)).toContain('departmentCode');
      expect((await lookup({ firstName: 'Zélie', lastName: 'Testnom' }).expect(400)).body.details.map((d: Json) => d.field)).toContain('lastName');
      await lookup({ firstName: 'zelie' }, keys.foyer75).expect(403);
      await lookup({ firstName: 'zelie' }, keys.police75).expect(403);
    });

    it('is audited, with no result too', async () => {
      const before = (await audited('/v1/hotline/lookup')).length;
      await lookup({ firstName: 'Personne' }).expect(200);
      const rows = await audited('/v1/hotline/lookup');
      expect(rows.length).toBe(before + 1);
      expect(rows.some((r: Json) => r.fugue_id === x)).toBe(true);
    });
  });

  it('counts links by reason in GET /v1/stats', async () => {
    const { body } = await t.http.get('/v1/stats').set(bearer(t.adminKey)).expect(200);
    expect(body.links).toEqual({ total: 1, NAMED_COMPANION: 0, SAME_VEHICLE: 1, SAME_PLACE: 0, SAME_ALIAS: 0, LEFT_TOGETHER: 0 });
    expect(body.foyerClusters).toEqual([]);
    const police = (await t.http.get('/v1/stats').set(bearer(keys.police75)).expect(200)).body;
    expect(police.links.SAME_VEHICLE).toBe(1);
  });
});
