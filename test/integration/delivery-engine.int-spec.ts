import { randomUUID } from 'node:crypto';
import { DeliveryEngine, DomainError } from '@vigie/domain';
import { DataCipher, slot } from '@vigie/persistence';
import { JobProducer, QueueName, webhookDeliveryJobId } from '@vigie/queue';
import { HttpReceiver, startTestApp, TestApp, waitFor } from '@vigie/testing';

const TIMEOUT_MS = 1500;

/**
 * The delivery engine on its own, with the webhook sender: no worker, no sweep, so that each
 * step is the test's. What the end-to-end suites cannot time: the next attempt's job added once
 * the settlement commits, and an attempt that outlives the sweep's settlement of its row.
 */
describe('the delivery engine', () => {
  let t: TestApp;
  let receiver: HttpReceiver;
  let engine: DeliveryEngine;
  let endpointId: string;

  beforeAll(async () => {
    receiver = await HttpReceiver.start();
    t = await startTestApp({ api: false, worker: false, env: { VIGIE_DELIVERY_TIMEOUT_MS: String(TIMEOUT_MS) } });
    engine = t.app.get(DeliveryEngine);
    const [owner] = await t.dataSource.query(
      `INSERT INTO api_clients (name, role, key_hash, key_prefix) VALUES ('Testclient admin', 'admin', md5(random()::text), 'vk_test') RETURNING id`,
    );
    endpointId = randomUUID();
    const secret = t.app.get(DataCipher).encrypt('whsec_dGVzdHNlY3JldHRlc3RzZWNyZXR0ZXN0c2VjcmV0', slot('webhook_endpoints', 'secret_enc', endpointId));
    await t.dataSource.query(
      `INSERT INTO webhook_endpoints (id, url, events, secret_enc, owner_client_id) VALUES ($1, $2, '{fugue.closed}', $3, $4)`,
      [endpointId, receiver.url('/engine'), secret, owner.id],
    );
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });
  afterEach(() => receiver.reset());

  /** A pending delivery of a new event, due now, as the fan-out writes it. */
  async function newDelivery(): Promise<string> {
    const [event] = await t.dataSource.query(
      `INSERT INTO webhook_events (type, department_code, level, data, fanned_out_at) VALUES ('fugue.closed', '75', 'routine', $1, now()) RETURNING id`,
      [{ fugueId: randomUUID(), departmentCode: '75', status: 'closed' }],
    );
    const [delivery] = await t.dataSource.query(`INSERT INTO webhook_deliveries (event_id, endpoint_id, next_attempt_at) VALUES ($1, $2, now()) RETURNING id`, [
      event.id,
      endpointId,
    ]);
    return delivery.id;
  }

  const row = async (id: string) =>
    (
      await t.dataSource.query(
        `SELECT status, attempts, retry_base, last_error, delivered_at,
                (EXTRACT(EPOCH FROM next_attempt_at - updated_at) * 1000)::float AS wait_ms
           FROM webhook_deliveries WHERE id = $1`,
        [id],
      )
    )[0];
  const attemptLog = async (id: string) =>
    t.dataSource.query(`SELECT attempt, status_code, error, succeeded FROM webhook_attempts WHERE delivery_id = $1 ORDER BY started_at, attempt`, [id]);
  const job = (id: string, attempt: number) => t.app.get(JobProducer).queue(QueueName.Webhooks).getJob(webhookDeliveryJobId(id, attempt));

  it('settles a failed attempt on the schedule and adds the next attempt\'s job once that commits', async () => {
    const id = await newDelivery();
    receiver.answerWith({ status: 503 });
    await engine.deliver('webhook', id);
    expect(await row(id)).toMatchObject({ status: 'pending', attempts: 1, last_error: 'HTTP 503' });
    // 5 s ± 10 %, between the settlement's update and the next attempt.
    expect((await row(id)).wait_ms).toBeGreaterThanOrEqual(4500 - 50);
    expect((await row(id)).wait_ms).toBeLessThanOrEqual(5500 + 50);
    expect(await attemptLog(id)).toEqual([{ attempt: 1, status_code: 503, error: 'HTTP 503', succeeded: false }]);
    const next = await waitFor(() => job(id, 2), { what: 'the job of the second attempt' });
    expect(next.data).toEqual({ deliveryId: id, attempt: 2 });
    expect(await next.isDelayed()).toBe(true);
  });

  it('records a delivered attempt once the database takes its outcome again, instead of leaving it sending', async () => {
    const id = await newDelivery();
    // The settlement's write fails for a while, as during a connection timeout or a restart.
    await t.dataSource.query(`ALTER TABLE webhook_deliveries ADD CONSTRAINT test_fails_settlement CHECK (status <> 'delivered') NOT VALID`);
    let constraint = true;
    try {
      const delivering = engine.deliver('webhook', id);
      await waitFor(() => receiver.requests.length === 1, { what: 'the webhook to be received' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await t.dataSource.query(`ALTER TABLE webhook_deliveries DROP CONSTRAINT test_fails_settlement`);
      constraint = false;
      await delivering;
    } finally {
      if (constraint) await t.dataSource.query(`ALTER TABLE webhook_deliveries DROP CONSTRAINT IF EXISTS test_fails_settlement`);
    }
    expect(await row(id)).toMatchObject({ status: 'delivered', attempts: 1, last_error: null });
    expect(receiver.requests).toHaveLength(1);
  });

  it('leaves a row alone that the sweep settled while its attempt was still waiting on the receiver', async () => {
    const id = await newDelivery();
    receiver.answerWith('hang');
    const attempt = engine.deliver('webhook', id);
    await waitFor(async () => receiver.requests.length === 1 && (await row(id)).status === 'sending', { what: 'the attempt under way' });
    // The sweep of a later moment: the attempt looks interrupted, and webhooks are sent at least once.
    expect(await engine.settleInterrupted('webhook', new Date(Date.now() + 5 * TIMEOUT_MS))).toBe(1);
    await attempt;
    expect(await row(id)).toMatchObject({ status: 'pending', attempts: 1, last_error: 'Interrupted while sending: outcome unknown, sent again', delivered_at: null });
    const log = await attemptLog(id);
    expect(log).toHaveLength(2);
    expect(log).toContainEqual({ attempt: 1, status_code: null, error: 'interrupted while sending: outcome unknown', succeeded: false });
    expect(log.filter((a: { error: string }) => /timed out|timeout/i.test(a.error ?? ''))).toHaveLength(1);
    // The late outcome scheduled nothing: the row is the sweep's to send again.
    expect(await job(id, 2)).toBeUndefined();
  });

  it('surveys a kind in one statement: the rows overdue past the grace, and whether a send outlived the threshold', async () => {
    const overdue = await newDelivery();
    const dueNow = await newDelivery();
    await t.dataSource.query(`UPDATE webhook_deliveries SET next_attempt_at = now() - interval '10 seconds' WHERE id = $1`, [overdue]);
    const now = new Date();
    const before = await engine.survey('webhook', now, 2000, 50);
    expect(before.overdue).toContain(overdue);
    expect(before.overdue).not.toContain(dueNow);
    expect(before.interrupted).toBe(false);
    // A send under way: not interrupted now, interrupted once four delivery timeouts have passed.
    await t.dataSource.query(`UPDATE webhook_deliveries SET status = 'sending', sending_since = now(), attempts = 1 WHERE id = $1`, [dueNow]);
    expect((await engine.survey('webhook', now, 2000, 50)).interrupted).toBe(false);
    const later = new Date(Date.now() + 5 * TIMEOUT_MS);
    expect((await engine.survey('webhook', later, 2000, 50)).interrupted).toBe(true);
    expect(await engine.settleInterrupted('webhook', later)).toBe(1);
    expect((await engine.survey('webhook', later, 2000, 50)).interrupted).toBe(false);
    // The notifications have a table of their own: nothing of theirs is interrupted.
    expect((await engine.survey('notification', later, 2000, 50)).interrupted).toBe(false);
  });

  it('replays a row after its caller\'s check, with a new series and its job; a refused replay changes nothing', async () => {
    const id = await newDelivery();
    receiver.answerWith({ status: 500 });
    await engine.deliver('webhook', id);
    await expect(
      engine.replay('webhook', id, async () => {
        throw new DomainError('CONFLICT', 'refused by the test');
      }),
    ).rejects.toThrow('refused by the test');
    expect(await row(id)).toMatchObject({ status: 'pending', attempts: 1, retry_base: 0 });

    const replayed = await engine.replay('webhook', id, async (_manager, delivery) => delivery!);
    expect(replayed).toMatchObject({ id, status: 'pending', attempts: 1, retryBase: 1 });
    expect(await row(id)).toMatchObject({ status: 'pending', attempts: 1, retry_base: 1 });
    expect((await row(id)).wait_ms).toBeLessThanOrEqual(50);
    await waitFor(() => job(id, 2), { what: 'the job of the replayed attempt' });

    receiver.answerWith({ status: 200 });
    await engine.deliver('webhook', id);
    expect(await row(id)).toMatchObject({ status: 'delivered', attempts: 2, last_error: null });
  });

  it('fails a delivery whose endpoint answers 410 at once, and disables the endpoint', async () => {
    const id = await newDelivery();
    receiver.answerWith({ status: 410 });
    await engine.deliver('webhook', id);
    expect(await row(id)).toMatchObject({ status: 'failed', attempts: 1, last_error: 'HTTP 410: the endpoint is gone and was disabled' });
    const [endpoint] = await t.dataSource.query(`SELECT status, disabled_reason FROM webhook_endpoints WHERE id = $1`, [endpointId]);
    expect(endpoint).toEqual({ status: 'disabled', disabled_reason: 'The endpoint answered 410 Gone' });
    expect(await job(id, 2)).toBeUndefined();
    // A disabled endpoint receives nothing more: the next delivery is refused at its claim.
    const next = await newDelivery();
    await engine.deliver('webhook', next);
    expect(await row(next)).toMatchObject({ status: 'failed', attempts: 0, last_error: 'Not sent: endpoint disabled' });
  });
});
