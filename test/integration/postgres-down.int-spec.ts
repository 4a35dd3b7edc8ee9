import { createDatabaseIfMissing, migrateDatabase } from '@vigie/persistence';
import { bearer, makeFoyerWithYouth, PrivatePostgres, startTestApp, TestApp, TestDatabase, waitFor } from '@vigie/testing';

/** quality.md § Reliability: PostgreSQL down → fail fast with 503, nothing half-written, recover by itself. */
describe('when PostgreSQL goes down', () => {
  let pg: PrivatePostgres;
  let t: TestApp;

  beforeAll(async () => {
    pg = await PrivatePostgres.start();
    const name = `vigie_test_pgdown_${Date.now().toString(36)}`;
    const url = pg.url(name);
    await createDatabaseIfMissing(url);
    await migrateDatabase(url);
    const database: TestDatabase = { name, url, drop: async () => undefined };
    t = await startTestApp({ database });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    pg?.dispose();
  });

  it('answers 503 at once while it is down, then recovers without a restart', async () => {
    const { foyerKey, youthId } = await makeFoyerWithYouth(t);
    pg.stop();

    const started = Date.now();
    const res = await t.http.post('/v1/fugues').set(bearer(foyerKey)).send({ youthId, noticedMissingAt: new Date().toISOString() });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ statusCode: 503, code: 'DEPENDENCY_UNAVAILABLE', correlationId: expect.any(String) });
    expect(JSON.stringify(res.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres/i);
    await t.http.get('/health/ready').expect(503);

    pg.start();
    const declared = await waitFor(
      async () => {
        const r = await t.http.post('/v1/fugues').set(bearer(foyerKey)).send({ youthId, noticedMissingAt: new Date().toISOString() });
        return r.status === 201 ? r.body : null;
      },
      { timeoutMs: 20_000, intervalMs: 250, what: 'the API to accept declarations again' },
    );
    await waitFor(async () => (await t.http.get(`/v1/fugues/${declared.id}`).set(bearer(foyerKey))).body.classification, {
      timeoutMs: 20_000,
      what: 'the worker to classify again',
    });
    // Nothing half-written while it was down: exactly the one episode accepted after recovery.
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM fugues WHERE youth_id = $1`, [youthId]);
    expect(n).toBe(1);
    await t.http.get('/health/ready').expect(200);
  });
});
