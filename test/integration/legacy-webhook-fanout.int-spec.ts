import { Client } from 'pg';
import { migrateDatabase } from '@vigie/persistence';
import { createTestDatabase, TestDatabase } from '@vigie/testing';

const MIGRATION = 'LegacyWebhookFanout1765300000000';

/**
 * Upgrading from a version that fanned webhook events out in a `webhook.fanout` job: the
 * migration fans out every such outbox row still unprocessed, by the routing rule, so that no
 * event is lost with the job. Run on a real database, with the migration applied again.
 */
describe('the migration that drains the legacy webhook.fanout jobs', () => {
  let database: TestDatabase;
  let db: Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = new Client({ connectionString: database.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await database?.drop();
  });

  const one = async <T>(sql: string, params: unknown[] = []): Promise<T> => (await db.query(sql, params)).rows[0] as T;
  const client = (role: string, revoked = false) =>
    one<{ id: string }>(
      `INSERT INTO api_clients (name, role, key_hash, key_prefix, revoked_at) VALUES ($1, $2, md5(random()::text), 'vk_test', $3) RETURNING id`,
      [`Testclient ${role}`, role, revoked ? new Date() : null],
    ).then((r) => r.id);
  const endpoint = (owner: string, events: string[], scope: { departments?: string[]; worryingOnly?: boolean; status?: string; createdAgo?: string } = {}) =>
    one<{ id: string }>(
      `INSERT INTO webhook_endpoints (url, events, secret_enc, owner_client_id, department_codes, worrying_only, status, created_at)
       VALUES ('https://hooks.example.test/in', $1, 'not-a-secret', $2, $3, $4, $5, now() - $6::interval) RETURNING id`,
      [events, owner, scope.departments ?? null, scope.worryingOnly ?? false, scope.status ?? 'active', scope.createdAgo ?? '2 hours'],
    ).then((r) => r.id);
  const event = (level: 'routine' | 'worrying') =>
    one<{ id: string }>(
      `INSERT INTO webhook_events (type, department_code, level, data, occurred_at) VALUES ('fugue.closed', '75', $1, '{}', now() - interval '1 hour') RETURNING id`,
      [level],
    ).then((r) => r.id);
  const outbox = (jobName: string, payload: Record<string, unknown>, processed = false) =>
    one<{ id: string }>(`INSERT INTO outbox (job_name, payload, processed_at) VALUES ($1, $2, $3) RETURNING id`, [jobName, payload, processed ? new Date() : null]).then(
      (r) => r.id,
    );
  const deliveredTo = async (eventId: string) =>
    (await db.query(`SELECT endpoint_id, status, attempts FROM webhook_deliveries WHERE event_id = $1 ORDER BY endpoint_id`, [eventId])).rows;
  const processedAt = async (outboxId: string) => (await one<{ processed_at: Date | null }>(`SELECT processed_at FROM outbox WHERE id = $1`, [outboxId])).processed_at;
  const fannedOutAt = async (eventId: string) => (await one<{ fanned_out_at: Date | null }>(`SELECT fanned_out_at FROM webhook_events WHERE id = $1`, [eventId])).fanned_out_at;
  const migrateAgain = async () => {
    await db.query(`DELETE FROM migrations WHERE name = $1`, [MIGRATION]);
    return migrateDatabase(database.url);
  };

  it('fans out each unprocessed row by the routing rule, marks it processed, and leaves everything else alone', async () => {
    const [admin, hotline, revoked] = [await client('admin'), await client('hotline'), await client('hotline', true)];
    const everything = await endpoint(admin, ['fugue.closed']);
    const hotlineWorrying = await endpoint(hotline, ['fugue.closed'], { departments: ['75'], worryingOnly: true });
    await endpoint(hotline, ['fugue.closed'], { departments: ['13'], worryingOnly: true }); // another département
    await endpoint(admin, ['fugue.located']); // another type
    await endpoint(revoked, ['fugue.closed'], { worryingOnly: true }); // its hotline client is revoked
    await endpoint(admin, ['fugue.closed'], { status: 'disabled' });
    await endpoint(admin, ['fugue.closed'], { createdAgo: '1 minute' }); // registered after the event

    const routine = await event('routine');
    const worrying = await event('worrying');
    const alreadyDone = await event('worrying');
    const routineJob = await outbox('webhook.fanout', { eventId: routine });
    const worryingJob = await outbox('webhook.fanout', { eventId: worrying });
    const doneJob = await outbox('webhook.fanout', { eventId: alreadyDone }, true);
    const triage = await outbox('fugue.triage', { fugueId: '00000000-0000-4000-8000-000000000001', cause: 'declared' });

    expect(await migrateAgain()).toEqual([MIGRATION]);

    expect(await deliveredTo(routine)).toEqual([{ endpoint_id: everything, status: 'pending', attempts: 0 }]);
    expect(await deliveredTo(worrying)).toEqual(
      [everything, hotlineWorrying].sort().map((endpoint_id) => ({ endpoint_id, status: 'pending', attempts: 0 })),
    );
    expect(await deliveredTo(alreadyDone)).toEqual([]);
    expect(await processedAt(routineJob)).not.toBeNull();
    expect(await processedAt(worryingJob)).not.toBeNull();
    expect(await fannedOutAt(routine)).not.toBeNull();
    expect(await fannedOutAt(worrying)).not.toBeNull();
    expect(await fannedOutAt(alreadyDone)).toBeNull();
    expect(await processedAt(triage)).toBeNull();
    expect(await processedAt(doneJob)).not.toBeNull();

    // Applied once more, it finds nothing left to fan out and adds no delivery.
    const before = await one<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_deliveries`);
    expect(await migrateAgain()).toEqual([MIGRATION]);
    expect(await one<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_deliveries`)).toEqual(before);
  });

  it('marks a row whose event is gone processed, with no delivery', async () => {
    const job = await outbox('webhook.fanout', { eventId: '00000000-0000-4000-8000-00000000dead' });
    await migrateAgain();
    expect(await processedAt(job)).not.toBeNull();
  });
});
