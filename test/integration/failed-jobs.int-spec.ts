import { Logger } from '@nestjs/common';
import { alertStepJobId, JobProducer, notificationJobId, outboxJobId, QueueName, webhookDeliveryJobId } from '@vigie/queue';
import { bearer, declareFugue, HttpReceiver, makeFoyerWithYouth, makeReferent, putEscalationPolicy, SmtpCatcher, startTestApp, TestApp, TEST_IDENTITY, waitFor } from '@vigie/testing';

/**
 * A job that fails all its attempts is never parked for good: once the cause is gone, the work
 * it stood for is done within one republish interval, whatever BullMQ kept of the failed job,
 * and while it keeps failing it is counted in `vigie_attention` and logged with its ids. The
 * causes are temporary constraints that make one write fail, as a bad migration or a poison row
 * would; Redis is never wiped.
 */

const ATTEMPTS = 2;
const REPUBLISH_AFTER_MS = 2000;
/** Time for the sweep that notices, the job it runs and the checks of this test, on a busy machine. */
const SLACK_MS = 1500;

async function attention(t: TestApp): Promise<Record<string, number>> {
  const res = await t.http.get('/metrics').expect(200);
  return Object.fromEntries([...res.text.matchAll(/^vigie_attention\{kind="(\w+)"\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
}

/** Throws what `/metrics` reported instead, so that a wait that times out says what it saw. */
async function attentionIs(t: TestApp, kind: string, expected: number): Promise<true> {
  const counts = await attention(t);
  if (counts[kind] !== expected) {
    const pending = await t.dataSource.query(
      `SELECT n.kind, n.step, n.status, n.attempts, n.channel, split_part(n.target, '@', 2) AS domain, n.next_attempt_at, n.created_at FROM notifications n WHERE n.status IN ('pending', 'sending')`,
    );
    throw new Error(`vigie_attention is ${JSON.stringify(counts)}; pending notifications ${JSON.stringify(pending)}`);
  }
  return true;
}

async function outboxLag(t: TestApp): Promise<number> {
  const res = await t.http.get('/metrics').expect(200);
  return Number(/^vigie_outbox_lag_seconds (\S+)$/m.exec(res.text)?.[1]);
}

/** Waits until the job `jobId` of `queue` has failed all its attempts: BullMQ keeps it failed. */
async function failedForGood(t: TestApp, queue: QueueName, jobId: string): Promise<void> {
  await waitFor(
    async () => {
      const job = await t.app.get(JobProducer).queue(queue).getJob(jobId);
      return job && (await job.getState()) === 'failed' && job.attemptsMade === ATTEMPTS;
    },
    { timeoutMs: 15_000, what: `job ${jobId} to fail all its attempts` },
  );
}

describe('jobs that fail all their attempts', () => {
  let smtp: SmtpCatcher;
  let receiver: HttpReceiver;
  let t: TestApp;
  const logged: string[] = [];

  beforeAll(async () => {
    [smtp, receiver] = await Promise.all([SmtpCatcher.start(), HttpReceiver.start()]);
    t = await startTestApp({
      env: {
        SMTP_URL: smtp.url,
        VIGIE_JOB_ATTEMPTS: String(ATTEMPTS),
        VIGIE_JOB_BACKOFF_MS: '50',
        VIGIE_OUTBOX_REPUBLISH_AFTER_MS: String(REPUBLISH_AFTER_MS),
      },
    });
    for (const level of ['error', 'warn'] as const) {
      jest.spyOn(Logger.prototype, level).mockImplementation((message: unknown, ...rest: unknown[]) => void logged.push([message, ...rest].map(String).join(' ')));
    }
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await t?.close();
    await smtp?.close();
    await receiver?.close();
  });
  afterEach(async () => {
    for (const [table, constraint] of [
      ['fugue_classifications', 'test_fails_worrying_triage'],
      ['notifications', 'test_fails_step_1'],
      ['notifications', 'test_fails_one_alert'],
      ['notifications', 'test_fails_sending'],
      ['webhook_deliveries', 'test_fails_sending'],
    ]) {
      await t.dataSource.query(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${constraint}`);
    }
  });

  /** Declares a staff-marked-worrying episode whose triage fails; returns it once its job failed for good. */
  async function declareWithFailingTriage(departmentCode: string): Promise<{ fugueId: string; outboxId: string }> {
    await t.dataSource.query(`ALTER TABLE fugue_classifications ADD CONSTRAINT test_fails_worrying_triage CHECK (level <> 'worrying') NOT VALID`);
    const { foyerKey, youthId } = await makeFoyerWithYouth(t, departmentCode);
    const { id: fugueId } = await declareFugue(t, foyerKey, youthId, { staffConcern: { worrying: true } });
    const [{ id: outboxId }]: { id: string }[] = await t.dataSource.query(`SELECT id FROM outbox WHERE payload->>'fugueId' = $1`, [fugueId]);
    await failedForGood(t, QueueName.Triage, outboxJobId(outboxId));
    return { fugueId, outboxId };
  }

  it('triages an episode whose job failed all its attempts within one republish interval of the cause going away', async () => {
    await makeReferent(t, { departmentCode: '75', role: 'police', channels: [{ type: 'email', address: 'police@d75.test' }] });
    await putEscalationPolicy(t, '75', [{ afterSeconds: 0, notify: ['police'] }]);
    const { fugueId, outboxId } = await declareWithFailingTriage('75');
    // The sweep has republished the row since its job failed: the failed job is still in Redis.
    const [{ publish_count: before }]: { publish_count: number }[] = await t.dataSource.query(`SELECT publish_count FROM outbox WHERE id = $1`, [outboxId]);
    await waitFor(
      async () => ((await t.dataSource.query(`SELECT publish_count FROM outbox WHERE id = $1`, [outboxId])) as { publish_count: number }[])[0].publish_count > before,
      { timeoutMs: REPUBLISH_AFTER_MS + SLACK_MS, what: 'a republication of the row' },
    );

    await t.dataSource.query(`ALTER TABLE fugue_classifications DROP CONSTRAINT test_fails_worrying_triage`);
    const causeGone = Date.now();
    await waitFor(
      async () => ((await t.dataSource.query(`SELECT 1 FROM fugue_classifications WHERE fugue_id = $1 AND cause = 'declared'`, [fugueId])) as unknown[]).length === 1,
      { timeoutMs: REPUBLISH_AFTER_MS + SLACK_MS, what: 'the episode to be classified' },
    );
    expect(Date.now() - causeGone).toBeLessThanOrEqual(REPUBLISH_AFTER_MS + SLACK_MS);

    expect(await t.dataSource.query(`SELECT level FROM fugue_classifications WHERE fugue_id = $1`, [fugueId])).toEqual([{ level: 'worrying' }]);
    await waitFor(async () => ((await t.dataSource.query(`SELECT 1 FROM alerts WHERE fugue_id = $1`, [fugueId])) as unknown[]).length === 1, {
      what: 'the alert to open',
    });
    await waitFor(() => smtp.messagesTo('police@d75.test').length === 1, { what: 'step 0 of the alert' });
    expect(logged).toContain(`Outbox row ${outboxId}: its fugue.triage job had failed all its attempts; running it again`);
    await waitFor(async () => (await outboxLag(t)) === 0, { what: 'the outbox lag to recover' });
    expect(await t.dataSource.query(`SELECT processed_at IS NOT NULL AS processed FROM outbox WHERE id = $1`, [outboxId])).toEqual([{ processed: true }]);
  }, 40_000);

  it('counts an outbox row whose job keeps failing in vigie_attention and logs its outbox id, until it is processed', async () => {
    await putEscalationPolicy(t, '78', [{ afterSeconds: 0, notify: ['police'] }]);
    const { fugueId, outboxId } = await declareWithFailingTriage('78');

    await waitFor(() => attentionIs(t, 'failing_outbox_jobs', 1), { timeoutMs: REPUBLISH_AFTER_MS * 3, what: 'vigie_attention{kind="failing_outbox_jobs"} 1' });
    const lines = logged.filter((line) => line.includes(outboxId));
    expect(lines.filter((line) => line.startsWith(`Outbox row ${outboxId}: its fugue.triage job failed all its ${ATTEMPTS} attempts`))).not.toEqual([]);
    expect(lines.join('\n')).not.toContain(TEST_IDENTITY.lastName);
    expect(lines.join('\n')).not.toContain(TEST_IDENTITY.firstName);
    expect(await t.dataSource.query(`SELECT 1 FROM fugue_classifications WHERE fugue_id = $1`, [fugueId])).toEqual([]);

    await t.dataSource.query(`ALTER TABLE fugue_classifications DROP CONSTRAINT test_fails_worrying_triage`);
    await waitFor(() => attentionIs(t, 'failing_outbox_jobs', 0), { timeoutMs: REPUBLISH_AFTER_MS + SLACK_MS, what: 'the count to go back to 0' });
  }, 40_000);

  it('fires an escalation step that keeps failing once the cause is gone, counting it in vigie_attention and logging its alert id meanwhile', async () => {
    await makeReferent(t, { departmentCode: '92', role: 'police', channels: [{ type: 'email', address: 'police@d92.test' }] });
    await makeReferent(t, { departmentCode: '92', role: 'department_duty', channels: [{ type: 'email', address: 'astreinte@d92.test' }] });
    await putEscalationPolicy(t, '92', [
      { afterSeconds: 0, notify: ['police'] },
      { afterSeconds: 1, notify: ['department_duty'] },
    ]);
    await t.dataSource.query(`ALTER TABLE notifications ADD CONSTRAINT test_fails_step_1 CHECK (step IS DISTINCT FROM 1) NOT VALID`);
    const { foyerKey, youthId } = await makeFoyerWithYouth(t, '92');
    const { id: fugueId } = await declareFugue(t, foyerKey, youthId, { staffConcern: { worrying: true } });
    const [{ id: alertId }] = await waitFor(
      async () => {
        const rows: { id: string }[] = await t.dataSource.query(`SELECT id FROM alerts WHERE fugue_id = $1`, [fugueId]);
        return rows.length === 1 ? rows : null;
      },
      { what: 'the alert to open' },
    );
    await waitFor(() => smtp.messagesTo('police@d92.test').length === 1, { what: 'step 0' });
    await failedForGood(t, QueueName.Escalation, alertStepJobId(alertId, 1));

    await waitFor(() => attentionIs(t, 'overdue_escalation_steps', 1), { timeoutMs: REPUBLISH_AFTER_MS * 8, what: 'vigie_attention{kind="overdue_escalation_steps"} 1' });
    expect(logged.filter((line) => line.startsWith(`Step 1 of alert ${alertId} could not fire`))).not.toEqual([]);
    expect(smtp.messagesTo('astreinte@d92.test')).toHaveLength(0);

    await t.dataSource.query(`ALTER TABLE notifications DROP CONSTRAINT test_fails_step_1`);
    await waitFor(() => smtp.messagesTo('astreinte@d92.test').length === 1, { timeoutMs: REPUBLISH_AFTER_MS + SLACK_MS, what: 'step 1' });
    await waitFor(() => attentionIs(t, 'overdue_escalation_steps', 0), { what: 'the count to go back to 0' });
  }, 40_000);

  it('fires the due steps of the other alerts while the step of one keeps failing, their jobs lost', async () => {
    await makeReferent(t, { departmentCode: '95', role: 'police', channels: [{ type: 'email', address: 'police@d95.test' }] });
    await makeReferent(t, { departmentCode: '95', role: 'department_duty', channels: [{ type: 'email', address: 'astreinte@d95.test' }] });
    await putEscalationPolicy(t, '95', [
      { afterSeconds: 0, notify: ['police'] },
      { afterSeconds: 2, notify: ['department_duty'] },
    ]);
    const alertIds: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { foyerKey, youthId } = await makeFoyerWithYouth(t, '95');
      const { id: fugueId } = await declareFugue(t, foyerKey, youthId, { staffConcern: { worrying: true } });
      const [{ id }] = await waitFor(
        async () => {
          const rows: { id: string }[] = await t.dataSource.query(`SELECT id FROM alerts WHERE fugue_id = $1`, [fugueId]);
          return rows.length === 1 ? rows : null;
        },
        { what: 'the alert to open' },
      );
      alertIds.push(id);
    }
    const [poisoned, healthy] = alertIds;
    await t.dataSource.query(`ALTER TABLE notifications ADD CONSTRAINT test_fails_one_alert CHECK (alert_id <> '${poisoned}' OR step IS DISTINCT FROM 1) NOT VALID`);
    // The healthy alert's step 1 is left to the sweep, which meets the poisoned alert first.
    const queue = t.app.get(JobProducer).queue(QueueName.Escalation);
    const timer = await waitFor(() => queue.getJob(alertStepJobId(healthy, 1)), { what: 'the delayed job of step 1' });
    expect(await timer.getState()).toBe('delayed');
    await timer.remove();

    await waitFor(() => smtp.messagesTo('astreinte@d95.test').length === 1, { timeoutMs: REPUBLISH_AFTER_MS + 2000 + SLACK_MS, what: 'step 1 of the healthy alert' });
    const [{ next_step: healthyNext }]: { next_step: number }[] = await t.dataSource.query(`SELECT next_step FROM alerts WHERE id = $1`, [healthy]);
    const [{ next_step: poisonedNext }]: { next_step: number }[] = await t.dataSource.query(`SELECT next_step FROM alerts WHERE id = $1`, [poisoned]);
    expect({ healthyNext, poisonedNext }).toEqual({ healthyNext: 2, poisonedNext: 1 });

    // Once the cause is gone the held-back step fires too, and is sent before the next test
    // blocks every send.
    await t.dataSource.query(`ALTER TABLE notifications DROP CONSTRAINT test_fails_one_alert`);
    await waitFor(() => smtp.messagesTo('astreinte@d95.test').length === 2, { timeoutMs: REPUBLISH_AFTER_MS + SLACK_MS * 2, what: 'step 1 of the other alert' });
  }, 40_000);

  it('sends a notification whose delivery keeps failing once the cause is gone, counting it in vigie_attention meanwhile', async () => {
    await makeReferent(t, { departmentCode: '93', role: 'police', channels: [{ type: 'email', address: 'police@d93.test' }] });
    await putEscalationPolicy(t, '93', [{ afterSeconds: 0, notify: ['police'] }]);
    // The constraint below would hold back any notification still on its way from the tests above.
    // (An alert left with a due step by a test would add one more after this wait.)
    await waitFor(
      async () => {
        const [{ n }]: { n: number }[] = await t.dataSource.query(`SELECT count(*)::int AS n FROM notifications WHERE status IN ('pending', 'sending')`);
        return n === 0;
      },
      { what: 'the notifications of the tests above to be sent' },
    );
    await t.dataSource.query(`ALTER TABLE notifications ADD CONSTRAINT test_fails_sending CHECK (status <> 'sending') NOT VALID`);
    const { foyerKey, youthId } = await makeFoyerWithYouth(t, '93');
    const { id: fugueId } = await declareFugue(t, foyerKey, youthId, { staffConcern: { worrying: true } });
    const [{ id: notificationId }] = await waitFor(
      async () => {
        const rows: { id: string }[] = await t.dataSource.query(`SELECT id FROM notifications WHERE fugue_id = $1`, [fugueId]);
        return rows.length === 1 ? rows : null;
      },
      { what: 'the notification of step 0' },
    );
    await failedForGood(t, QueueName.Escalation, notificationJobId(notificationId, 0));

    await waitFor(() => attentionIs(t, 'overdue_notifications', 1), { timeoutMs: REPUBLISH_AFTER_MS * 8, what: 'vigie_attention{kind="overdue_notifications"} 1' });
    expect(logged.some((line) => line.includes(notificationId))).toBe(true);
    expect(smtp.messagesTo('police@d93.test')).toHaveLength(0);

    await t.dataSource.query(`ALTER TABLE notifications DROP CONSTRAINT test_fails_sending`);
    await waitFor(() => smtp.messagesTo('police@d93.test').length === 1, { timeoutMs: REPUBLISH_AFTER_MS + SLACK_MS, what: 'the notification' });
    await waitFor(() => attentionIs(t, 'overdue_notifications', 0), { what: 'the count to go back to 0' });
    expect(smtp.messagesTo('police@d93.test')).toHaveLength(1);
  }, 40_000);

  it('delivers a webhook whose delivery keeps failing once the cause is gone, counting it in vigie_attention meanwhile', async () => {
    await t.http.post('/v1/webhook-endpoints').set(bearer(t.adminKey)).send({ url: receiver.url('/hooks'), events: ['fugue.declared'] }).expect(201);
    await t.dataSource.query(`ALTER TABLE webhook_deliveries ADD CONSTRAINT test_fails_sending CHECK (status <> 'sending') NOT VALID`);
    const { foyerKey, youthId } = await makeFoyerWithYouth(t, '94');
    const { id: fugueId } = await declareFugue(t, foyerKey, youthId);
    const [{ id: deliveryId }]: { id: string }[] = await t.dataSource.query(
      `SELECT d.id FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE e.type = 'fugue.declared' AND e.data->>'fugueId' = $1`,
      [fugueId],
    );
    await failedForGood(t, QueueName.Webhooks, webhookDeliveryJobId(deliveryId, 1));

    await waitFor(() => attentionIs(t, 'overdue_webhook_deliveries', 1), { timeoutMs: REPUBLISH_AFTER_MS * 8, what: 'vigie_attention{kind="overdue_webhook_deliveries"} 1' });
    expect(logged.some((line) => line.includes(deliveryId))).toBe(true);
    expect(receiver.requests).toHaveLength(0);

    await t.dataSource.query(`ALTER TABLE webhook_deliveries DROP CONSTRAINT test_fails_sending`);
    await waitFor(() => receiver.requests.length === 1, { timeoutMs: REPUBLISH_AFTER_MS + SLACK_MS, what: 'the delivery' });
    await waitFor(() => attentionIs(t, 'overdue_webhook_deliveries', 0), { what: 'the count to go back to 0' });
    expect(JSON.parse(receiver.requests[0].rawBody)).toMatchObject({ type: 'fugue.declared', data: { fugueId } });
    expect(receiver.requests).toHaveLength(1);
  }, 40_000);
});
