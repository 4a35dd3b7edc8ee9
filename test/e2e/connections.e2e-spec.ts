import { randomUUID } from 'node:crypto';
import { bearer, declareFugue, makeClient, makeFoyer, makeYouth, signedHeaders, startTestApp, TestApp, testNow, waitFor } from '@vigie/testing';

/**
 * Structured connections of an episode (spec/links.md § Structured facts): accepted on a
 * declaration, an update, a return, a return interview and a hotline call, appended to the
 * episode's lists, read back by those who may see its identity, stored encrypted (no clear plate,
 * alias or address in any table), and refused field by field.
 */

type Json = Record<string, any>;

/** Distinctive fictitious values, searched for in every table afterwards. */
const ALIAS = 'Zlkpseudo Éloïse';
const PLATE = 'zl-123-kq';
const OLD_PLATE = '4821 ZLK 75';
const FOREIGN_PLATE = 'B ZLK 4821';
const ADDRESS = '12 rue Zlkadresse';
const HOTEL = 'Hôtel Zlkhotel';
const DESCRIPTION = 'Zlkvoiture grise';

const ago = (ms: number) => new Date(testNow().getTime() - ms).toISOString();
const MINUTE = 60_000;

describe('connections of an episode', () => {
  let t: TestApp;
  let foyerKey: string;
  let foyerId: string;
  let otherFoyerYouthId: string;
  let hotline: { key: string; inboundWebhookSecret: string };

  beforeAll(async () => {
    t = await startTestApp();
    const foyer = await makeFoyer(t, { departmentCode: '75' });
    foyerId = foyer.id;
    foyerKey = (await makeClient(t, { role: 'foyer', foyerIds: [foyer.id] })).key;
    const other = await makeFoyer(t, { departmentCode: '92' });
    const otherKey = (await makeClient(t, { role: 'foyer', foyerIds: [other.id] })).key;
    otherFoyerYouthId = (await makeYouth(t, otherKey, other.id)).id;
    hotline = (await makeClient(t, { role: 'hotline', departmentCodes: ['75'] })) as typeof hotline;
  });

  afterAll(async () => {
    await t?.close();
  });

  const get = async (id: string, key = t.adminKey) => (await t.http.get(`/v1/fugues/${id}`).set(bearer(key)).expect(200)).body;
  const newYouth = async () => (await makeYouth(t, foyerKey, foyerId)).id;

  describe('accepted and appended', () => {
    let fugueId: string;

    it('takes connections at the declaration and returns them normalised', async () => {
      const placeAt = ago(5 * MINUTE);
      const res = await t.http
        .post('/v1/fugues')
        .set(bearer(foyerKey))
        .send({
          youthId: await newYouth(),
          noticedMissingAt: ago(10 * MINUTE),
          connections: {
            companions: [{ youthId: otherFoyerYouthId, approximateAge: 15 }, { alias: ALIAS, approximateAge: 19 }],
            vehicles: [{ plate: PLATE }, { plate: OLD_PLATE, description: DESCRIPTION }, { plate: FOREIGN_PLATE }],
            places: [{ kind: 'hotel', communeCode: '75056', address: HOTEL, at: placeAt }, { kind: 'station' }],
          },
        })
        .expect(201);
      fugueId = res.body.id;
      const body = await get(fugueId);
      expect(body.connections.vehicles).toEqual([
        { plate: 'ZL123KQ', description: null },
        { plate: '4821ZLK75', description: DESCRIPTION },
        { plate: 'BZLK4821', description: null },
      ]);
      expect(body.connections.companions).toEqual([
        { youthId: otherFoyerYouthId, outsideScope: false, alias: null, approximateAge: 15 },
        { youthId: null, outsideScope: false, alias: ALIAS, approximateAge: 19 },
      ]);
      expect(body.connections.places).toEqual([
        { kind: 'hotel', communeCode: '75056', address: HOTEL, at: placeAt },
        { kind: 'station', communeCode: null, address: null, at: null },
      ]);
    });

    it('never names to a foyer a companion youth outside its scope', async () => {
      const body = await get(fugueId, foyerKey);
      expect(body.connections.companions[0]).toEqual({ youthId: null, outsideScope: true, alias: null, approximateAge: 15 });
      expect(JSON.stringify(body)).not.toContain(otherFoyerYouthId);
    });

    it('appends the connections of an update, a hotline call and a return', async () => {
      await t.http
        .post(`/v1/fugues/${fugueId}/updates`)
        .set(bearer(foyerKey))
        .send({ note: 'Testnote', connections: { vehicles: [{ description: 'Scooter rouge' }] } })
        .expect(201);
      const call = {
        type: 'hotline.call_received',
        timestamp: testNow().toISOString(),
        data: { fugueId, receivedAt: ago(MINUTE), caller: 'witness', connections: { places: [{ kind: 'short_let', communeCode: '75056', address: ADDRESS }] } },
      };
      const raw = JSON.stringify(call);
      await t.http.post('/v1/integrations/116000/events').set(signedHeaders(hotline.inboundWebhookSecret, `msg_${randomUUID()}`, raw)).send(raw).expect(202);
      await t.http
        .post(`/v1/fugues/${fugueId}/return`)
        .set(bearer(foyerKey))
        .send({ returnedAt: ago(MINUTE / 2), foundBy: 'self', connections: { companions: [{ alias: 'Testami' }] } })
        .expect(200);
      const body = await get(fugueId);
      expect(body.connections.vehicles.map((v: Json) => v.plate ?? v.description)).toEqual(['ZL123KQ', '4821ZLK75', 'BZLK4821', 'Scooter rouge']);
      expect(body.connections.places.map((p: Json) => p.kind)).toEqual(['hotel', 'station', 'short_let']);
      expect(body.connections.companions.map((c: Json) => c.alias)).toEqual([null, ALIAS, 'Testami']);
      const sources = await t.dataSource.query(`SELECT source, count(*)::int AS n FROM fugue_connections WHERE fugue_id = $1 GROUP BY source ORDER BY source`, [fugueId]);
      expect(sources).toEqual([
        { source: 'hotline', n: 1 },
        { source: 'report', n: 7 },
        { source: 'return', n: 1 },
        { source: 'update', n: 1 },
      ]);
    });

    it('appends the connections of a return interview', async () => {
      const interview = (await t.http.get(`/v1/return-interviews?fugueId=${fugueId}`).set(bearer(foyerKey)).expect(200)).body.items[0];
      await t.http
        .put(`/v1/return-interviews/${interview.id}`)
        .set(bearer(foyerKey))
        .send({ outcome: 'declined', connections: { places: [{ kind: 'private_home', communeCode: '93066', address: '3 allée Testlieu' }] } })
        .expect(200);
      const body = await get(fugueId);
      expect(body.connections.places.map((p: Json) => p.communeCode)).toEqual(['75056', null, '75056', '93066']);
    });

    it('stores no plate, alias or address in clear in any table, and each plate, alias and address with its blind index', async () => {
      await waitFor(async () => (await t.dataSource.query(`SELECT 1 FROM outbox WHERE processed_at IS NULL`)).length === 0, { what: 'the triages' });
      const tables: { table_name: string }[] = await t.dataSource.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
      );
      const needles = [ALIAS, 'zlkpseudo', 'eloise', PLATE, 'ZL123KQ', 'ZL-123-KQ', OLD_PLATE, '4821ZLK75', FOREIGN_PLATE, 'BZLK4821', ADDRESS, 'zlkadresse', HOTEL, 'zlkhotel', DESCRIPTION].map((n) => n.toLowerCase());
      const leaks: string[] = [];
      for (const { table_name } of tables) {
        const rows: { text: string }[] = await t.dataSource.query(`SELECT lower(t::text) AS text FROM "${table_name}" t`);
        for (const { text } of rows) for (const needle of needles) if (text.includes(needle)) leaks.push(`${table_name}: ${needle}`);
      }
      expect(leaks).toEqual([]);
      const indexed = await t.dataSource.query(
        `SELECT kind, count(*)::int AS n, count(blind_index)::int AS indexed, count(value_enc)::int AS encrypted FROM fugue_connections WHERE fugue_id = $1 GROUP BY kind ORDER BY kind`,
        [fugueId],
      );
      expect(indexed).toEqual([
        { kind: 'companion', n: 3, indexed: 2, encrypted: 2 },
        { kind: 'place', n: 4, indexed: 3, encrypted: 3 },
        { kind: 'vehicle', n: 4, indexed: 3, encrypted: 4 },
      ]);
      const values = await t.dataSource.query(`SELECT value_enc FROM fugue_connections WHERE value_enc IS NOT NULL`);
      for (const { value_enc } of values) expect(value_enc).toMatch(/^v2\./);
    });
  });

  describe('refused field by field', () => {
    let youthId: string;
    beforeAll(async () => {
      youthId = await newYouth();
    });

    const declare = (connections: unknown) => t.http.post('/v1/fugues').set(bearer(foyerKey)).send({ youthId, noticedMissingAt: ago(MINUTE), connections });
    const cases: [string, unknown, string][] = [
      ['a companion youthId that is no UUID', { companions: [{ youthId: 'abc' }] }, 'connections.companions.0.youthId'],
      ['a companion youthId that does not exist', { companions: [{ alias: 'Testa' }, { youthId: '00000000-0000-4000-8000-000000000000' }] }, 'connections.companions.1.youthId'],
      ['a companion with neither youthId nor alias', { companions: [{ approximateAge: 14 }] }, 'connections.companions.0.alias'],
      ['an empty alias', { companions: [{ alias: '' }] }, 'connections.companions.0.alias'],
      ['a blank alias', { companions: [{ alias: '   ' }] }, 'connections.companions.0.alias'],
      ['a 61-character alias', { companions: [{ alias: 'a'.repeat(61) }] }, 'connections.companions.0.alias'],
      ['an approximate age of 7', { companions: [{ alias: 'Testa', approximateAge: 7 }] }, 'connections.companions.0.approximateAge'],
      ['an approximate age of 81', { companions: [{ alias: 'Testa', approximateAge: 81 }] }, 'connections.companions.0.approximateAge'],
      ['an approximate age of 15.5', { companions: [{ alias: 'Testa', approximateAge: 15.5 }] }, 'connections.companions.0.approximateAge'],
      ['a plate with other characters', { vehicles: [{ plate: 'AB#123' }] }, 'connections.vehicles.0.plate'],
      ['a plate of 13 characters', { vehicles: [{ plate: 'ABCDEFG-123456' }] }, 'connections.vehicles.0.plate'],
      ['a plate of dashes', { vehicles: [{ plate: '--' }] }, 'connections.vehicles.0.plate'],
      ['a vehicle with neither plate nor description', { vehicles: [{}] }, 'connections.vehicles.0.plate'],
      ['a 201-character vehicle description', { vehicles: [{ description: 'd'.repeat(201) }] }, 'connections.vehicles.0.description'],
      ['an unknown place kind', { places: [{ kind: 'castle' }] }, 'connections.places.0.kind'],
      ['a commune code that is no commune', { places: [{ kind: 'hotel', communeCode: '75999' }] }, 'connections.places.0.communeCode'],
      ['a département code for a commune code', { places: [{ kind: 'hotel', communeCode: '75' }] }, 'connections.places.0.communeCode'],
      ['a 201-character address', { places: [{ kind: 'hotel', address: 'a'.repeat(201) }] }, 'connections.places.0.address'],
      ['a place time without offset', { places: [{ kind: 'hotel', at: '2026-11-28T10:00:00' }] }, 'connections.places.0.at'],
      ['an unknown field', { companions: [{ alias: 'Testa', nickname: 'x' }] }, 'connections.companions.0.nickname'],
      ['a list that is no array', { vehicles: { plate: 'AB-123-CD' } }, 'connections.vehicles'],
      ['21 companions', { companions: Array.from({ length: 21 }, () => ({ alias: 'Testa' })) }, 'connections.companions'],
    ];

    it.each(cases)('answers 400 for %s, naming the field', async (_name, connections, field) => {
      const res = await declare(connections).expect(400);
      expect(res.body).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.any(String), details: expect.any(Array), correlationId: expect.any(String) });
      for (const d of res.body.details) expect(d).toEqual({ field: expect.any(String), message: expect.any(String) });
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      expect(JSON.stringify(res.body)).not.toMatch(/AB#123|castle|75999/);
      expect(await t.dataSource.query(`SELECT 1 FROM fugues WHERE youth_id = $1`, [youthId])).toEqual([]);
    });

    it('refuses a bad field on an update, a return, an interview and a hotline call too', async () => {
      const { id } = await declareFugue(t, foyerKey, youthId);
      const bad = { vehicles: [{ plate: 'AB#123' }] };
      let res = await t.http.post(`/v1/fugues/${id}/updates`).set(bearer(foyerKey)).send({ connections: bad }).expect(400);
      expect(res.body.details.map((d: Json) => d.field)).toEqual(['connections.vehicles.0.plate']);
      res = await t.http.post(`/v1/fugues/${id}/updates`).set(bearer(foyerKey)).send({ connections: { companions: [{ youthId: randomUUID() }] } }).expect(400);
      expect(res.body.details.map((d: Json) => d.field)).toEqual(['connections.companions.0.youthId']);
      res = await t.http.post(`/v1/fugues/${id}/return`).set(bearer(foyerKey)).send({ returnedAt: ago(0), foundBy: 'self', connections: bad }).expect(400);
      expect(res.body.details.map((d: Json) => d.field)).toEqual(['connections.vehicles.0.plate']);
      const raw = JSON.stringify({ type: 'hotline.call_received', timestamp: testNow().toISOString(), data: { fugueId: id, receivedAt: ago(MINUTE), caller: 'witness', connections: { places: [{ kind: 'hotel', communeCode: '00000' }] } } });
      res = await t.http.post('/v1/integrations/116000/events').set(signedHeaders(hotline.inboundWebhookSecret, `msg_${randomUUID()}`, raw)).send(raw).expect(400);
      expect(res.body.details.map((d: Json) => d.field)).toEqual(['data.connections.places.0.communeCode']);
      await t.http.post(`/v1/fugues/${id}/return`).set(bearer(foyerKey)).send({ returnedAt: ago(0), foundBy: 'self' }).expect(200);
      const interview = (await t.http.get(`/v1/return-interviews?fugueId=${id}`).set(bearer(foyerKey)).expect(200)).body.items[0];
      res = await t.http.put(`/v1/return-interviews/${interview.id}`).set(bearer(foyerKey)).send({ outcome: 'declined', connections: { companions: [{ alias: 'Testa', approximateAge: 90 }] } }).expect(400);
      expect(res.body.details.map((d: Json) => d.field)).toEqual(['connections.companions.0.approximateAge']);
      expect(await t.dataSource.query(`SELECT 1 FROM fugue_connections WHERE fugue_id = $1`, [id])).toEqual([]);
    });
  });

  it('keeps the connections of a call a hotline person reports from the console (POST /v1/fugues/{id}/hotline-reports)', async () => {
    const { id } = await declareFugue(t, foyerKey, await newYouth());
    await t.http
      .post(`/v1/fugues/${id}/hotline-reports`)
      .set(bearer(hotline.key))
      .set('Idempotency-Key', randomUUID())
      .send({ type: 'hotline.call_received', data: { receivedAt: ago(MINUTE), caller: 'witness', connections: { companions: [{ alias: 'Testsurnom', approximateAge: 16 }], vehicles: [{ plate: 'TE-456-ST' }] } } })
      .expect(201);
    const body = await get(id);
    expect(body.connections.companions).toEqual([{ youthId: null, outsideScope: false, alias: 'Testsurnom', approximateAge: 16 }]);
    expect(body.connections.vehicles).toEqual([{ plate: 'TE456ST', description: null }]);
    expect(await t.dataSource.query(`SELECT DISTINCT source FROM fugue_connections WHERE fugue_id = $1`, [id])).toEqual([{ source: 'hotline' }]);
    const res = await t.http
      .post(`/v1/fugues/${id}/hotline-reports`)
      .set(bearer(hotline.key))
      .set('Idempotency-Key', randomUUID())
      .send({ type: 'hotline.call_received', data: { receivedAt: ago(MINUTE), caller: 'witness', connections: { vehicles: [{ plate: 'AB#123' }] } } })
      .expect(400);
    expect(res.body.details.map((d: Json) => d.field)).toEqual(['data.connections.vehicles.0.plate']);
  });

  it('serves the place kinds in French with the vocabularies', async () => {
    const body = (await t.http.get('/v1/vocabularies').set(bearer(foyerKey)).expect(200)).body;
    expect(body.placeKinds.map((k: Json) => k.code)).toEqual(['hotel', 'short_let', 'private_home', 'station', 'street', 'other']);
    expect(body.placeKinds.find((k: Json) => k.code === 'short_let').label).toBe('Location de courte durée');
  });
});
