import { bearer, declareFugue, makeClient, makeFoyer, makeFoyerWithYouth, makeYouth, startTestApp, TestApp } from '@vigie/testing';

/** A response body, read as plain JSON. */
type Json = Record<string, any>;

/**
 * What an administrator does to a foyer from the console: change its name, phone and address
 * (PATCH /v1/foyers/{id}), and close it (POST /v1/foyers/{id}/close), refused while one of its
 * episodes is open (docs/decisions.md § Closing a foyer). Both are audited as changes.
 */
describe('foyer administration', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ worker: false });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('changes the name, phone and address, and clears them with null', async () => {
    const foyer = await makeFoyer(t, { phone: '01 23 45 67 89' });
    const changed = await t.http
      .patch(`/v1/foyers/${foyer.id}`)
      .set(bearer(t.adminKey))
      .send({ name: 'Foyer des Essais', phone: '+33 1 98 76 54 32', address: '12 rue des Essais, 75011 Paris' })
      .expect(200);
    expect(changed.body).toMatchObject({ id: foyer.id, name: 'Foyer des Essais', phone: '+33 1 98 76 54 32', address: '12 rue des Essais, 75011 Paris', closedAt: null, departmentCode: '75' });
    expect((await t.http.get(`/v1/foyers/${foyer.id}`).set(bearer(t.adminKey)).expect(200)).body).toEqual(changed.body);

    const cleared = await t.http.patch(`/v1/foyers/${foyer.id}`).set(bearer(t.adminKey)).send({ phone: null }).expect(200);
    expect(cleared.body).toMatchObject({ name: 'Foyer des Essais', phone: null, address: '12 rue des Essais, 75011 Paris' });

    const audit = await t.http.get('/v1/audit').set(bearer(t.adminKey)).expect(200);
    expect(audit.body.items.filter((e: Json) => e.route === '/v1/foyers/:id' && e.method === 'PATCH')).toHaveLength(2);
  });

  it.each([
    ['a phone that is not one', { phone: 'appelez-nous' }, 'phone'],
    ['an empty name', { name: '' }, 'name'],
    ['a null name', { name: null }, 'name'],
    ['an unknown field', { departmentCode: '93' }, 'departmentCode'],
    ['an address too long', { address: 'x'.repeat(501) }, 'address'],
  ])('refuses %s with a 400 on that field', async (_name, body, field) => {
    const foyer = await makeFoyer(t);
    const res = await t.http.patch(`/v1/foyers/${foyer.id}`).set(bearer(t.adminKey)).send(body).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.details.map((d: Json) => d.field)).toContain(field);
  });

  it('lets only an administrator change or close a foyer', async () => {
    const { foyer, foyerKey } = await makeFoyerWithYouth(t);
    const police = await makeClient(t, { role: 'police', departmentCodes: ['75'] });
    for (const key of [foyerKey, police.key]) {
      await t.http.patch(`/v1/foyers/${foyer.id}`).set(bearer(key)).send({ name: 'Autre nom' }).expect(403);
      await t.http.post(`/v1/foyers/${foyer.id}/close`).set(bearer(key)).expect(403);
    }
    await t.http.patch('/v1/foyers/00000000-0000-4000-8000-000000000000').set(bearer(t.adminKey)).send({ name: 'Autre nom' }).expect(404);
    await t.http.post('/v1/foyers/00000000-0000-4000-8000-000000000000/close').set(bearer(t.adminKey)).expect(404);
    await t.http.post('/v1/foyers/pas-un-id/close').set(bearer(t.adminKey)).expect(400);
  });

  it('refuses to close a foyer while one of its episodes is open, then closes it once the episode ended', async () => {
    const { foyer, foyerKey, youthId } = await makeFoyerWithYouth(t);
    const fugue = await declareFugue(t, foyerKey, youthId);
    const refused = await t.http.post(`/v1/foyers/${foyer.id}/close`).set(bearer(t.adminKey)).expect(409);
    expect(refused.body.code).toBe('CONFLICT');
    expect((await t.http.get(`/v1/foyers/${foyer.id}`).set(bearer(t.adminKey)).expect(200)).body.closedAt).toBeNull();

    await t.http.post(`/v1/fugues/${fugue.id}/cancel`).set(bearer(foyerKey)).send({ reason: 'Erreur de saisie' }).expect(200);
    const closed = await t.http.post(`/v1/foyers/${foyer.id}/close`).set(bearer(t.adminKey)).expect(200);
    expect(closed.body.closedAt).toEqual(expect.any(String));
    const audit = await t.http.get('/v1/audit').set(bearer(t.adminKey)).expect(200);
    expect(audit.body.items.some((e: Json) => e.route === '/v1/foyers/:id/close' && e.action === 'change' && e.statusCode === 200)).toBe(true);

    // Closed: changed no more, closed once only, no new youth placed there; still listed and readable.
    expect((await t.http.post(`/v1/foyers/${foyer.id}/close`).set(bearer(t.adminKey)).expect(409)).body.code).toBe('INVALID_TRANSITION');
    expect((await t.http.patch(`/v1/foyers/${foyer.id}`).set(bearer(t.adminKey)).send({ name: 'Autre nom' }).expect(409)).body.code).toBe('INVALID_TRANSITION');
    const youth = await t.http.post('/v1/youths').set(bearer(foyerKey)).send({ foyerId: foyer.id, firstName: 'Testprenom', lastName: 'Testnom', birthDate: '2012-01-01', sex: 'F' }).expect(400);
    expect(youth.body.details).toEqual([{ field: 'foyerId', message: 'the foyer is closed' }]);
    const other = await makeFoyer(t);
    const elsewhere = await makeYouth(t, t.adminKey, other.id);
    expect((await t.http.patch(`/v1/youths/${elsewhere.id}`).set(bearer(t.adminKey)).send({ foyerId: foyer.id }).expect(400)).body.details).toEqual([
      { field: 'foyerId', message: 'the foyer is closed' },
    ]);
    const list = await t.http.get('/v1/foyers?limit=200').set(bearer(t.adminKey)).expect(200);
    expect(list.body.items.find((f: Json) => f.id === foyer.id)).toMatchObject({ closedAt: closed.body.closedAt });
  });

  it('no longer counts a closed foyer among the foyers without duty', async () => {
    const { foyer, foyerKey, youthId } = await makeFoyerWithYouth(t, '61');
    const before = await t.http.get('/v1/departments/61/escalation-policy').set(bearer(t.adminKey)).expect(200);
    expect(before.body.foyersWithoutDuty).toContain(foyer.id);
    const fugue = await declareFugue(t, foyerKey, youthId);
    await t.http.post(`/v1/fugues/${fugue.id}/cancel`).set(bearer(foyerKey)).send({ reason: 'Erreur de saisie' }).expect(200);
    await t.http.post(`/v1/foyers/${foyer.id}/close`).set(bearer(t.adminKey)).expect(200);
    const after = await t.http.get('/v1/departments/61/escalation-policy').set(bearer(t.adminKey)).expect(200);
    expect(after.body.foyersWithoutDuty).not.toContain(foyer.id);
  });
});
