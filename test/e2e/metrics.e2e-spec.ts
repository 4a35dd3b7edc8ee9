import { bearer, declareFugue, makeFoyerWithYouth, startTestApp, TestApp } from '@vigie/testing';

/**
 * GET /metrics, for Prometheus: besides the queues and the outbox lag, what needs an operator —
 * notifications and webhook deliveries that gave up, endpoints that stopped receiving — so that
 * an alert rule can page someone instead of waiting for a person to read the lists.
 */
/** Work that keeps failing is counted too (test/integration/failed-jobs.int-spec.ts); none here. */
const NOTHING_FAILING = { failing_outbox_jobs: 0, overdue_escalation_steps: 0, overdue_notifications: 0, overdue_webhook_deliveries: 0 };

describe('metrics', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ worker: false });
  });
  afterAll(() => t.close());

  const attention = async (): Promise<Record<string, number>> => {
    const res = await t.http.get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/^vigie_outbox_lag_seconds \S+$/m);
    expect(res.text).toMatch(/^vigie_queue_jobs\{queue="triage",state="waiting"\} \d+$/m);
    return Object.fromEntries([...res.text.matchAll(/^vigie_attention\{kind="(\w+)"\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
  };

  it('counts dead-letter notifications, failed webhook deliveries and disabled endpoints', async () => {
    expect(await attention()).toEqual({ dead_letter_notifications: 0, failed_webhook_deliveries: 0, disabled_webhook_endpoints: 0, ...NOTHING_FAILING });

    const { foyerKey, youthId } = await makeFoyerWithYouth(t, '75');
    const fugue = await declareFugue(t, foyerKey, youthId);
    const referent = (
      await t.http
        .post('/v1/referents')
        .set(bearer(t.adminKey))
        .send({ displayName: 'Astreinte test', role: 'police', departmentCode: '75', channels: [{ type: 'email', address: 'astreinte@vigie.test' }] })
        .expect(201)
    ).body as { id: string };
    await t.dataSource.query(
      `INSERT INTO notifications (dedup_key, kind, fugue_id, referent_id, channel, target, status, attempts, last_error)
       VALUES ('metrics-test', 'routine.information', $1, $2, 'email', 'astreinte@vigie.test', 'failed', 9, 'SMTP 550')`,
      [fugue.id, referent.id],
    );
    const endpoint = (
      await t.http.post('/v1/webhook-endpoints').set(bearer(t.adminKey)).send({ url: 'http://127.0.0.1:9/hooks', events: ['fugue.declared'] }).expect(201)
    ).body as { id: string };
    const [event]: { id: string }[] = await t.dataSource.query(`SELECT id FROM webhook_events WHERE data->>'fugueId' = $1`, [fugue.id]);
    await t.dataSource.query(`INSERT INTO webhook_deliveries (event_id, endpoint_id, status, attempts) VALUES ($1, $2, 'failed', 10)`, [event.id, endpoint.id]);
    await t.dataSource.query(`UPDATE webhook_endpoints SET status = 'disabled' WHERE id = $1`, [endpoint.id]);

    expect(await attention()).toEqual({ dead_letter_notifications: 1, failed_webhook_deliveries: 1, disabled_webhook_endpoints: 1, ...NOTHING_FAILING });

    // A deleted endpoint no longer needs anyone.
    await t.http.delete(`/v1/webhook-endpoints/${endpoint.id}`).set(bearer(t.adminKey)).expect((res) => expect([200, 204]).toContain(res.status));
    expect((await attention()).disabled_webhook_endpoints).toBe(0);
  });
});
