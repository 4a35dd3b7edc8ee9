import { bearer, declareFugue, makeClient, makeFoyer, makeYouth, startTestApp, TestApp, testNow } from '@vigie/testing';

/**
 * GET /v1/youths: the youths a caller may see, with identity (audited) and the current episode,
 * searchable by name or external reference although names are stored encrypted.
 */

type Json = Record<string, any>;

describe('GET /v1/youths', () => {
  let t: TestApp;
  let foyerA: string;
  let foyerB: string;
  let foyerC: string;
  let keyA: string;
  let keyAB: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp();
    foyerA = (await makeFoyer(t, { departmentCode: '75' })).id;
    foyerB = (await makeFoyer(t, { departmentCode: '75' })).id;
    foyerC = (await makeFoyer(t, { departmentCode: '93' })).id;
    keyA = (await makeClient(t, { role: 'foyer', foyerIds: [foyerA] })).key;
    keyAB = (await makeClient(t, { role: 'foyer', foyerIds: [foyerA, foyerB] })).key;
    const keyC = (await makeClient(t, { role: 'foyer', foyerIds: [foyerC] })).key;
    ids.eloise = (await makeYouth(t, keyA, foyerA, { firstName: 'Éloïse', lastName: 'Testmartin', externalRef: 'DOSSIER-17' })).id;
    ids.noah = (await makeYouth(t, keyA, foyerA, { firstName: 'Noah', lastName: 'Testlefèvre' })).id;
    ids.lea = (await makeYouth(t, keyAB, foyerB, { firstName: 'Léa', lastName: 'Testmartin' })).id;
    ids.other = (await makeYouth(t, keyC, foyerC, { firstName: 'Eloise', lastName: 'Testailleurs' })).id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const list = (key: string, query = '') => t.http.get(`/v1/youths${query}`).set(bearer(key));

  it("lists a foyer's youths newest first, with identity, and only those in scope", async () => {
    const res = await list(keyA).expect(200);
    expect(res.body.items.map((y: Json) => y.id)).toEqual([ids.noah, ids.eloise]);
    expect(res.body.items[1]).toMatchObject({ firstName: 'Éloïse', lastName: 'Testmartin', externalRef: 'DOSSIER-17', foyerId: foyerA, openFugue: null });
    expect(res.body.nextCursor).toBeNull();

    const both = await list(keyAB).expect(200);
    expect(both.body.items.map((y: Json) => y.id)).toEqual([ids.lea, ids.noah, ids.eloise]);
    const onlyB = await list(keyAB, `?foyerId=${foyerB}`).expect(200);
    expect(onlyB.body.items.map((y: Json) => y.id)).toEqual([ids.lea]);
  });

  it('refuses a foyer out of scope, the hotline, and bad parameters with 4xx', async () => {
    const outOfScope = await list(keyA, `?foyerId=${foyerC}`).expect(400);
    expect(outOfScope.body.code).toBe('VALIDATION_FAILED');
    const hotline = await makeClient(t, { role: 'hotline' });
    expect((await list(hotline.key).expect(403)).body.code).toBe('FORBIDDEN');
    for (const query of ['?foyerId=nope', `?q=${'x'.repeat(101)}`, '?q=', '?limit=0', '?limit=201', '?cursor=%25%25', '?cursor=YWJj']) {
      const res = await list(keyA, query);
      expect({ query, status: res.status, code: res.body.code }).toEqual({ query, status: 400, code: 'VALIDATION_FAILED' });
    }
    await t.http.get('/v1/youths').expect(401);
  });

  it('searches first name, last name and external reference, ignoring case and accents', async () => {
    const search = async (key: string, q: string) => (await list(key, `?q=${encodeURIComponent(q)}`).expect(200)).body.items.map((y: Json) => y.id);
    expect(await search(keyAB, 'eloise')).toEqual([ids.eloise]);
    expect(await search(keyAB, 'ÉLO')).toEqual([ids.eloise]);
    expect(await search(keyAB, 'testmartin')).toEqual([ids.lea, ids.eloise]);
    expect(await search(keyAB, 'lefevre')).toEqual([ids.noah]);
    expect(await search(keyAB, 'dossier-1')).toEqual([ids.eloise]);
    expect(await search(keyAB, 'léa testm')).toEqual([ids.lea]);
    expect(await search(keyAB, 'personne')).toEqual([]);
    // Département roles see the youths of their départements' foyers.
    const police93 = await makeClient(t, { role: 'police', departmentCodes: ['93'] });
    expect(await search(police93.key, 'eloise')).toEqual([ids.other]);
  });

  it('pages through every match once, however far apart the matches are', async () => {
    const foyer = (await makeFoyer(t, { departmentCode: '75' })).id;
    const key = (await makeClient(t, { role: 'foyer', foyerIds: [foyer] })).key;
    const matching: string[] = [];
    for (let i = 0; i < 12; i++) {
      const match = i % 3 === 0;
      const { id } = await makeYouth(t, key, foyer, { firstName: match ? 'Cherche' : 'Autre', lastName: `Testpage${i}` });
      if (match) matching.unshift(id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: Json } = await list(key, `?q=cherche&limit=1${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      seen.push(...res.body.items.map((y: Json) => y.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(matching);

    const all: string[] = [];
    cursor = null;
    do {
      const res: { body: Json } = await list(key, `?limit=5${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      all.push(...res.body.items.map((y: Json) => y.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(all).toHaveLength(12);
    expect(new Set(all).size).toBe(12);
  });

  it('finds a match behind more youths than one search batch reads', async () => {
    const foyer = (await makeFoyer(t, { departmentCode: '75' })).id;
    const key = (await makeClient(t, { role: 'foyer', foyerIds: [foyer] })).key;
    const { id: oldest } = await makeYouth(t, key, foyer, { firstName: 'Lointaine', lastName: 'Testfond' });
    for (let i = 0; i < 21; i++) {
      await Promise.all(Array.from({ length: 10 }, (_, j) => makeYouth(t, key, foyer, { lastName: `Testrempli${i * 10 + j}` })));
    }
    const res = await list(key, '?q=lointaine&limit=1').expect(200);
    expect(res.body.items.map((y: Json) => y.id)).toEqual([oldest]);
    expect(res.body.nextCursor).toBeNull();
  });

  it('pages youths created in the same millisecond without skipping or repeating one', async () => {
    const foyer = (await makeFoyer(t, { departmentCode: '75' })).id;
    const key = (await makeClient(t, { role: 'foyer', foyerIds: [foyer] })).key;
    const created: string[] = [];
    for (let i = 0; i < 6; i++) created.push((await makeYouth(t, key, foyer, { lastName: `Testmeme${i}` })).id);
    // Same millisecond, different microseconds: the precision a cursor cannot carry.
    await t.dataSource.query(
      `UPDATE youths SET created_at = timestamptz '2026-01-05 10:00:00.123' + (row_number * interval '1 microsecond')
         FROM (SELECT id AS rid, row_number() OVER (ORDER BY id) FROM youths WHERE foyer_id = $1) r WHERE id = r.rid`,
      [foyer],
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: Json } = await list(key, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      seen.push(...res.body.items.map((y: Json) => y.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect([...seen].sort()).toEqual([...created].sort());
    expect(seen).toHaveLength(6);
  });

  it('gives each youth its current episode until it is closed', async () => {
    const { id: fugueId } = await declareFugue(t, keyA, ids.noah, { staffConcern: { worrying: true } });
    const current = async () => (await list(keyA, '?q=noah').expect(200)).body.items[0].openFugue;
    expect(await current()).toMatchObject({ id: fugueId, status: 'missing' });
    await t.http.post(`/v1/fugues/${fugueId}/return`).set(bearer(keyA)).send({ returnedAt: testNow().toISOString(), foundBy: 'self' }).expect(200);
    expect(await current()).toMatchObject({ id: fugueId, status: 'returned' });
    await t.http.post(`/v1/fugues/${fugueId}/close`).set(bearer(keyA)).send({ reason: 'Entretien de retour tenu' }).expect(200);
    expect(await current()).toBeNull();
  });

  it('audits one identity read per youth shown, naming the youth', async () => {
    const reader = await makeClient(t, { role: 'foyer', foyerIds: [foyerA] });
    await list(reader.key).expect(200);
    const audit = await t.http.get(`/v1/audit?clientId=${reader.id}`).set(bearer(t.adminKey)).expect(200);
    expect(audit.body.items.map((e: Json) => `${e.action} ${e.route} ${e.youthId}`).sort()).toEqual(
      [ids.eloise, ids.noah].map((id) => `read_identity /v1/youths ${id}`).sort(),
    );
  });
});
