import { YouthService } from '@vigie/domain';
import { DataCipher, slot } from '@vigie/persistence';
import { bearer, declareFugue, makeClient, makeFoyer, startTestApp, TestApp, TEST_IDENTITY, birthDateForAge, waitFor } from '@vigie/testing';

/**
 * A youth's vulnerabilities (HISTORY_SEXUAL_VIOLENCE among them) are health and history facts:
 * stored encrypted with the identity, never as a clear column, and still weighed by the triage.
 * Profiles written while they were a clear column are sealed by the worker.
 */
describe('vulnerabilities are encrypted at rest', () => {
  let t: TestApp;
  let foyerKey: string;
  let foyerId: string;

  beforeAll(async () => {
    t = await startTestApp();
    foyerId = (await makeFoyer(t, { departmentCode: '75' })).id;
    foyerKey = (await makeClient(t, { role: 'foyer', foyerIds: [foyerId] })).key;
  });
  afterAll(() => t.close());

  const clearRow = async (id: string): Promise<string> =>
    JSON.stringify((await t.dataSource.query(`SELECT row_to_json(y) AS row FROM youths y WHERE id = $1`, [id]))[0].row);

  it('stores no vulnerability code in clear, shows them to the reader in scope, and the triage still weighs them', async () => {
    const created = await t.http
      .post('/v1/youths')
      .set(bearer(foyerKey))
      .send({
        foyerId,
        ...TEST_IDENTITY,
        birthDate: birthDateForAge(16),
        sex: 'F',
        vulnerabilities: ['HISTORY_SEXUAL_VIOLENCE', 'ERRANCE'],
        medical: { vitalTreatment: true },
      })
      .expect(201);
    expect(created.body.vulnerabilities).toEqual(['HISTORY_SEXUAL_VIOLENCE', 'ERRANCE']);
    expect(created.body.medical.vitalTreatment).toBe(true);
    expect(await clearRow(created.body.id)).not.toMatch(/HISTORY_SEXUAL_VIOLENCE|ERRANCE/);
    // The vital-treatment flag is health data too: the column says nothing.
    expect((await t.dataSource.query(`SELECT vital_treatment FROM youths WHERE id = $1`, [created.body.id]))[0].vital_treatment).toBe(false);

    const patched = await t.http.patch(`/v1/youths/${created.body.id}`).set(bearer(foyerKey)).send({ vulnerabilities: ['HISTORY_FAMILY_VIOLENCE'] }).expect(200);
    expect(patched.body.vulnerabilities).toEqual(['HISTORY_FAMILY_VIOLENCE']);
    expect(await clearRow(created.body.id)).not.toMatch(/HISTORY_FAMILY_VIOLENCE/);
    expect((await t.http.get(`/v1/youths/${created.body.id}`).set(bearer(foyerKey)).expect(200)).body.vulnerabilities).toEqual(['HISTORY_FAMILY_VIOLENCE']);

    const { id } = await declareFugue(t, foyerKey, created.body.id);
    const classification = await waitFor(async () => (await t.http.get(`/v1/fugues/${id}`).set(bearer(foyerKey)).expect(200)).body.classification, {
      what: 'the first triage',
    });
    expect(classification.reasons.map((r: { code: string }) => r.code)).toEqual(expect.arrayContaining(['HISTORY_FAMILY_VIOLENCE', 'VITAL_TREATMENT']));
  });

  it('seals the vulnerabilities of a profile written while they were a clear column', async () => {
    const created = await t.http
      .post('/v1/youths')
      .set(bearer(foyerKey))
      .send({ foyerId, ...TEST_IDENTITY, birthDate: birthDateForAge(15), sex: 'M' })
      .expect(201);
    // As an older version wrote it: the codes in the column, the identity document without them.
    const cipher = t.app.get(DataCipher);
    const identity = { ...TEST_IDENTITY, birthDate: birthDateForAge(15) };
    await t.dataSource.query(`UPDATE youths SET vulnerabilities = '{UNACCOMPANIED_MINOR}', vital_treatment = true, identity_enc = $2 WHERE id = $1`, [
      created.body.id,
      cipher.encrypt(identity, slot('youths', 'identity_enc', created.body.id)),
    ]);
    expect((await t.http.get(`/v1/youths/${created.body.id}`).set(bearer(foyerKey)).expect(200)).body.vulnerabilities).toEqual(['UNACCOMPANIED_MINOR']);

    expect(await t.app.get(YouthService).sealClearVulnerabilities()).toBeGreaterThanOrEqual(1);
    expect(await clearRow(created.body.id)).not.toMatch(/UNACCOMPANIED_MINOR|"vital_treatment":true/);
    const sealed = (await t.http.get(`/v1/youths/${created.body.id}`).set(bearer(foyerKey)).expect(200)).body;
    expect(sealed.vulnerabilities).toEqual(['UNACCOMPANIED_MINOR']);
    expect(sealed.medical.vitalTreatment).toBe(true);
    expect(await t.app.get(YouthService).sealClearVulnerabilities()).toBe(0);
  });
});
