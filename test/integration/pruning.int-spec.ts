import { OutboxRelay } from '@vigie/domain';
import { OutboxRepository, WebhookEventRepository } from '@vigie/persistence';
import { bearer, startTestApp, TestApp } from '@vigie/testing';

/**
 * What the service keeps of its own bookkeeping: processed outbox rows for 7 days, settled
 * outbound webhook events (with their deliveries and attempts) for 30 days. Neither holds
 * personal data; pruning only bounds the tables.
 */
describe('pruning the outbox and the webhook history', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ worker: false });
  });
  afterAll(() => t.close());

  const daysAgo = (days: number) => new Date(Date.now() - days * 24 * 3600_000);

  it('deletes processed outbox rows after 7 days, once an hour, and keeps every unprocessed one', async () => {
    const insert = async (createdDaysAgo: number, processedDaysAgo: number | null): Promise<string> => {
      const [row]: { id: string }[] = await t.dataSource.query(
        `INSERT INTO outbox (job_name, payload, created_at, processed_at) VALUES ('fugue.triage', '{}', $1, $2) RETURNING id::text`,
        [daysAgo(createdDaysAgo), processedDaysAgo === null ? null : daysAgo(processedDaysAgo)],
      );
      return row.id;
    };
    const old = await insert(9, 8);
    const recent = await insert(6, 6);
    const stuck = await insert(30, null);
    const relay = t.app.get(OutboxRelay);
    const now = Date.now();

    expect(await relay.pruneIfDue(now)).toBe(1);
    const left: { id: string }[] = await t.dataSource.query(`SELECT id::text FROM outbox WHERE id = ANY($1::uuid[]) ORDER BY created_at`, [[old, recent, stuck]]);
    expect(left.map((r) => r.id)).toEqual([stuck, recent]);

    // Within the hour, the relay does not prune again; the repository prunes in batches.
    await insert(10, 10);
    expect(await relay.pruneIfDue(now + 60_000)).toBe(0);
    await insert(10, 10);
    expect(await t.app.get(OutboxRepository).pruneProcessed(7, 1)).toBe(2);
  });

  it('deletes settled webhook events after 30 days with their deliveries and attempts, and keeps unsettled or recent ones', async () => {
    const endpoint = (
      await t.http.post('/v1/webhook-endpoints').set(bearer(t.adminKey)).send({ url: 'http://127.0.0.1:9/hooks', events: ['fugue.declared'] }).expect(201)
    ).body as { id: string };
    const event = async (occurredDaysAgo: number, deliveryStatus: string | null): Promise<string> => {
      const [row]: { id: string }[] = await t.dataSource.query(
        `INSERT INTO webhook_events (type, occurred_at, department_code, data, fanned_out_at) VALUES ('fugue.declared', $1, '75', '{}', $1) RETURNING id::text`,
        [daysAgo(occurredDaysAgo)],
      );
      if (deliveryStatus) {
        const [delivery]: { id: string }[] = await t.dataSource.query(
          `INSERT INTO webhook_deliveries (event_id, endpoint_id, status, attempts, next_attempt_at) VALUES ($1, $2, $3, 1, now() + interval '1 day') RETURNING id`,
          [row.id, endpoint.id, deliveryStatus],
        );
        await t.dataSource.query(
          `INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, status_code, succeeded) VALUES ($1, 1, $2, 12, 200, true)`,
          [delivery.id, daysAgo(occurredDaysAgo)],
        );
      }
      return row.id;
    };
    const delivered = await event(31, 'delivered');
    const failed = await event(31, 'failed');
    const nobody = await event(31, null);
    const pending = await event(31, 'pending');
    const recent = await event(29, 'delivered');

    expect(await t.app.get(WebhookEventRepository).pruneSettled(30)).toBe(3);

    const ids = [delivered, failed, nobody, pending, recent];
    const events: { id: string }[] = await t.dataSource.query(`SELECT id::text FROM webhook_events WHERE id = ANY($1::uuid[])`, [ids]);
    expect(events.map((e) => e.id).sort()).toEqual([pending, recent].sort());
    const deliveries: { event_id: string }[] = await t.dataSource.query(`SELECT event_id::text FROM webhook_deliveries WHERE event_id = ANY($1::uuid[])`, [ids]);
    expect(deliveries.map((d) => d.event_id).sort()).toEqual([pending, recent].sort());
    // Every attempt of this database was made here: those of the pruned deliveries are gone.
    const [attempts]: { n: number }[] = await t.dataSource.query(`SELECT count(*)::int AS n FROM webhook_attempts`);
    expect(attempts.n).toBe(2);
  });
});
