import { bearer, makeFoyerWithYouth, startTestApp, TestApp } from '@vigie/testing';

/** A profile's optional texts are cleared with null, as the document says a client may send. */
describe('PATCH /v1/youths/{id} with null', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ worker: false });
  });
  afterAll(() => t.close());

  it('clears the description, photo link, phone and external reference, and keeps the rest', async () => {
    const { foyerKey, youthId } = await makeFoyerWithYouth(t, '75', {
      description: 'Testdescription',
      photoUrl: 'https://photos.test/jeune.jpg',
      phone: '+33600000000',
      externalRef: 'TEST-REF',
      usualPlaces: ['Testlieu'],
    });
    const cleared = await t.http
      .patch(`/v1/youths/${youthId}`)
      .set(bearer(foyerKey))
      .send({ description: null, photoUrl: null, phone: null, externalRef: null })
      .expect(200);
    expect(cleared.body).toMatchObject({ description: null, photoUrl: null, phone: null, externalRef: null, usualPlaces: ['Testlieu'], firstName: 'Testprenom' });
    const read = await t.http.get(`/v1/youths/${youthId}`).set(bearer(foyerKey)).expect(200);
    expect(read.body).toMatchObject({ description: null, photoUrl: null, phone: null, externalRef: null });
  });

  it('is what the document allows', async () => {
    const doc = (await t.http.get('/openapi.json').expect(200)).body;
    const properties = doc.components.schemas.UpdateYouthDto.properties;
    for (const field of ['description', 'photoUrl', 'phone', 'externalRef']) expect({ field, nullable: properties[field].nullable }).toEqual({ field, nullable: true });
    // The fields a profile cannot be without stay non-nullable.
    for (const field of ['firstName', 'lastName', 'birthDate', 'sex', 'usualPlaces']) expect({ field, nullable: properties[field].nullable }).toEqual({ field, nullable: undefined });
  });
});
