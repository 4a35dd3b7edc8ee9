import { RetentionService } from '@vigie/domain';
import { bearer, declareFugue, makeFoyerWithYouth, startTestApp, testAgo, TestApp, waitFor } from '@vigie/testing';

const HOUR = 3600_000;

/**
 * Idempotency-Key against faults: the key is marked in the work's own transaction, held with a
 * lease a retry can take over, and its stored response is kept hours, not years.
 */
describe('Idempotency-Key', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const countUpdates = async (fugueId: string): Promise<number> =>
    (await t.dataSource.query(`SELECT count(*)::int AS n FROM fugue_updates WHERE fugue_id = $1`, [fugueId]))[0].n;

  /** A failure of PostgreSQL when the response is stored, after the work committed: once, or every time. */
  async function failStoringResponses(key: string, times: 'once' | 'always'): Promise<() => Promise<void>> {
    const name = `fail_store_${times}`;
    await t.dataSource.query(`CREATE SEQUENCE IF NOT EXISTS ${name}_seq`);
    await t.dataSource.query(`
      CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- nextval is not transactional: the failed statement does not give the count back.
        IF ${times === 'once' ? `nextval('${name}_seq') = 1` : 'true'} THEN
          RAISE EXCEPTION 'injected fault: the stored response cannot be written';
        END IF;
        RETURN NEW;
      END $$`);
    await t.dataSource.query(`
      CREATE TRIGGER ${name} BEFORE UPDATE ON idempotency_keys FOR EACH ROW
      WHEN (NEW.key = '${key}' AND NEW.status_code IS NOT NULL AND OLD.status_code IS NULL) EXECUTE FUNCTION ${name}()`);
    return async () => {
      await t.dataSource.query(`DROP TRIGGER ${name} ON idempotency_keys`);
    };
  }

  it('hashes the canonical body: the same JSON with its keys reordered is the same request', async () => {
    const { foyerKey, youthId } = await makeFoyerWithYouth(t);
    const noticedMissingAt = testAgo(60_000);
    const first = await t.http
      .post('/v1/fugues')
      .set(bearer(foyerKey))
      .set('Idempotency-Key', 'canonical-1')
      .set('Content-Type', 'application/json')
      .send(`{"youthId":"${youthId}","noticedMissingAt":"${noticedMissingAt}","staffConcern":{"worrying":false,"note":"Note de test"}}`)
      .expect(201);
    const reordered = await t.http
      .post('/v1/fugues')
      .set(bearer(foyerKey))
      .set('Idempotency-Key', 'canonical-1')
      .set('Content-Type', 'application/json')
      .send(`{ "staffConcern": { "note": "Note de test", "worrying": false }, "noticedMissingAt": "${noticedMissingAt}", "youthId": "${youthId}" }`);
    expect(reordered.status).toBe(201);
    expect(reordered.body.id).toBe(first.body.id);
    expect(reordered.headers['idempotent-replayed']).toBe('true');
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM fugues WHERE youth_id = $1`, [youthId]);
    expect(n).toBe(1);
  });

  it('a declaration marks its key in its own statement’s transaction: a lost response never makes a second episode', async () => {
    const { foyerKey, youthId } = await makeFoyerWithYouth(t);
    const restore = await failStoringResponses('declare-store-fails', 'always');
    try {
      const body = { youthId, noticedMissingAt: testAgo(60_000) };
      const send = () => t.http.post('/v1/fugues').set(bearer(foyerKey)).set('Idempotency-Key', 'declare-store-fails').send(body);
      expect((await send()).status).toBe(201);
      const [key] = await t.dataSource.query(`SELECT committed_at, status_code FROM idempotency_keys WHERE key = 'declare-store-fails'`);
      expect(key).toMatchObject({ committed_at: expect.any(Date), status_code: null });
      await t.dataSource.query(`UPDATE idempotency_keys SET lease_until = now() - interval '1 second' WHERE key = 'declare-store-fails'`);
      const retry = await send();
      expect(retry.status).toBe(409);
      expect(retry.body.code).toBe('IDEMPOTENCY_RESPONSE_LOST');
      const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM fugues WHERE youth_id = $1`, [youthId]);
      expect(n).toBe(1);
    } finally {
      await restore();
    }
  });

  it('a failure to store the response after the work committed neither fails the request nor lets a retry do it twice', async () => {
    const { foyerKey, youthId } = await makeFoyerWithYouth(t);
    const { id } = await declareFugue(t, foyerKey, youthId);
    const restore = await failStoringResponses('store-fails-once', 'once');
    try {
      const send = () => t.http.post(`/v1/fugues/${id}/updates`).set(bearer(foyerKey)).set('Idempotency-Key', 'store-fails-once').send({ note: 'Note de test' });
      const first = await send();
      expect(first.status).toBe(201);
      const again = await send();
      expect(again.status).toBe(201);
      expect(again.body.updateId).toBe(first.body.updateId);
      expect(await countUpdates(id)).toBe(1);
    } finally {
      await restore();
    }
  });

  it('a request whose response was lost after its work committed is never run again, nor left in progress forever', async () => {
    const { foyerKey, youthId } = await makeFoyerWithYouth(t);
    const { id } = await declareFugue(t, foyerKey, youthId);
    const restore = await failStoringResponses('store-always-fails', 'always');
    try {
      const send = () => t.http.post(`/v1/fugues/${id}/updates`).set(bearer(foyerKey)).set('Idempotency-Key', 'store-always-fails').send({ note: 'Note de test' });
      // The process that did the work is gone before it stored the response: its lease has run out.
      const first = await send();
      expect(first.status).toBe(201);
      const [key] = await t.dataSource.query(`SELECT committed_at FROM idempotency_keys WHERE key = 'store-always-fails'`);
      expect(key.committed_at).toBeInstanceOf(Date);
      await t.dataSource.query(`UPDATE idempotency_keys SET lease_until = now() - interval '1 second' WHERE key = 'store-always-fails'`);
      const retry = await send();
      expect(retry.status).toBe(409);
      expect(retry.body.code).toBe('IDEMPOTENCY_RESPONSE_LOST');
      expect(await countUpdates(id)).toBe(1);
    } finally {
      await restore();
    }
  });

  it('a retry takes over a key whose holder stalled past its lease before committing, and the work is done once', async () => {
    const { foyerKey, youthId } = await makeFoyerWithYouth(t);
    const { id } = await declareFugue(t, foyerKey, youthId);
    const send = () =>
      t.http
        .post(`/v1/fugues/${id}/updates`)
        .set(bearer(foyerKey))
        .set('Idempotency-Key', 'stalled-holder')
        .send({ note: 'Note de test' })
        .then((res) => res);
    // The episode is locked: the first request claims its key, then waits inside its work.
    const lock = t.dataSource.createQueryRunner();
    await lock.connect();
    await lock.startTransaction();
    try {
      await lock.query(`SELECT id FROM fugues WHERE id = $1 FOR UPDATE`, [id]);
      const stalled = send();
      const leaseOf = async (): Promise<string | undefined> =>
        (await t.dataSource.query(`SELECT lease_token FROM idempotency_keys WHERE key = 'stalled-holder'`))[0]?.lease_token;
      const firstLease = await waitFor(leaseOf, { what: 'the first request to claim its key' });
      // Its lease runs out (a process killed before its work committed looks the same to a retry).
      await t.dataSource.query(`UPDATE idempotency_keys SET lease_until = now() - interval '1 second' WHERE key = 'stalled-holder'`);
      const retry = send();
      // The retry has taken the key over before the episode is unlocked: other sessions (the
      // worker triaging this episode) may wait on the episode too, so a count of waiters alone
      // could let the first request commit before the retry even asked.
      await waitFor(async () => (await leaseOf()) !== firstLease, { what: 'the retry to take the key over' });
      await waitFor(
        async () =>
          (await t.dataSource.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).length >= 2,
        { what: 'both requests to wait on the episode' },
      );
      await lock.commitTransaction();
      const [a, b] = await Promise.all([stalled, retry]);
      expect(b.status).toBe(201);
      expect(a.status).toBe(409);
      expect(a.body.code).toBe('IDEMPOTENCY_KEY_IN_PROGRESS');
      expect(await countUpdates(id)).toBe(1);
      const again = await send();
      expect(again.status).toBe(201);
      expect(again.body.updateId).toBe(b.body.updateId);
    } finally {
      if (lock.isTransactionActive) await lock.rollbackTransaction();
      await lock.release();
    }
  });

  it('keys and their stored responses are pruned once older than the keep period (24 h), not after the retention period', async () => {
    const { foyerKey, youthId } = await makeFoyerWithYouth(t);
    await t.http
      .post('/v1/fugues')
      .set(bearer(foyerKey))
      .set('Idempotency-Key', 'pruned-key')
      .send({ youthId, noticedMissingAt: testAgo(60_000) })
      .expect(201);
    const [{ created_at: createdAt }] = await t.dataSource.query(`SELECT created_at FROM idempotency_keys WHERE key = 'pruned-key'`);
    const retention = t.app.get(RetentionService);
    const keyLeft = async () => (await t.dataSource.query(`SELECT 1 FROM idempotency_keys WHERE key = 'pruned-key'`)).length;

    await retention.eraseExpired(new Date(createdAt.getTime() + 23 * HOUR));
    expect(await keyLeft()).toBe(1);
    const report = await retention.eraseExpired(new Date(createdAt.getTime() + 25 * HOUR));
    expect(report.idempotencyKeys).toBeGreaterThanOrEqual(1);
    expect(await keyLeft()).toBe(0);
  });
});
