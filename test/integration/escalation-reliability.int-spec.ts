import { Webhook } from 'standardwebhooks';
import { alertStepJobId, JobProducer, QueueName } from '@vigie/queue';
import {
  bearer,
  buildDist,
  declareFugue,
  HttpReceiver,
  makeFoyerWithYouth,
  makeReferent,
  PrivateRedis,
  putEscalationPolicy,
  SmtpCatcher,
  startTestApp,
  startWorkerProcess,
  sweepsRun,
  TestApp,
  VigieProcess,
  waitFor,
} from '@vigie/testing';

/**
 * integrations.md § Escalation — deadlines live in PostgreSQL, Redis is only the fast path, and a
 * notification is sent at most once. Real processes only: a private redis-server flushed or
 * killed while an alert runs, a worker process killed with SIGKILL in the middle of a send.
 */

interface NotificationRow {
  id: string;
  step: number | null;
  channel: string;
  status: string;
  attempts: number;
  last_error: string | null;
}

/** Declares a worrying episode and waits for the worker to open its alert. */
async function openAlert(t: TestApp, departmentCode: string): Promise<{ fugueId: string; alertId: string; openedAt: number }> {
  const { foyerKey, youthId } = await makeFoyerWithYouth(t, departmentCode);
  const { id: fugueId } = await declareFugue(t, foyerKey, youthId, { indicators: ['SUICIDE_RISK'] });
  const row = await waitFor(
    async () => ((await t.dataSource.query(`SELECT id, opened_at FROM alerts WHERE fugue_id = $1`, [fugueId])) as { id: string; opened_at: Date }[])[0],
    { timeoutMs: 15_000, what: 'the alert to open' },
  );
  return { fugueId, alertId: row.id, openedAt: row.opened_at.getTime() };
}

async function notificationsOf(t: TestApp, alertId: string): Promise<NotificationRow[]> {
  return t.dataSource.query(`SELECT id, step, channel, status, attempts, last_error FROM notifications WHERE alert_id = $1 ORDER BY step, channel`, [alertId]);
}

/** When the 'alert.step' event of `step` was recorded, in ms. */
async function stepFiredAt(t: TestApp, fugueId: string, step: number): Promise<number> {
  const items: { type: string; at: string; data: { step?: number } }[] = (await t.http.get(`/v1/fugues/${fugueId}/timeline`).set(bearer(t.adminKey)).expect(200)).body.items;
  const event = items.find((e) => e.type === 'alert.step' && e.data.step === step);
  if (!event) throw new Error(`no alert.step event for step ${step}`);
  return new Date(event.at).getTime();
}

describe('Redis flushed while an alert is open, between step 0 and step 1', () => {
  const CODE = '75';
  const STEP_1_AFTER = 4;
  let redis: PrivateRedis;
  let smtp: SmtpCatcher;
  let t: TestApp;

  beforeAll(async () => {
    [redis, smtp] = await Promise.all([PrivateRedis.start(), SmtpCatcher.start()]);
    // Sweeps every second: a lost timer costs at most one sweep.
    t = await startTestApp({ env: { REDIS_URL: redis.url, SMTP_URL: smtp.url, VIGIE_SWEEP_INTERVAL_MS: '1000' } });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.dispose();
    await smtp?.close();
  });

  it('fires step 1 from PostgreSQL at its time (within 5 s) although its delayed job is gone, and delivers it', async () => {
    await makeReferent(t, { departmentCode: CODE, role: 'police', channels: [{ type: 'email', address: 'police@d75.test' }] });
    await makeReferent(t, { departmentCode: CODE, role: 'department_duty', channels: [{ type: 'email', address: 'astreinte@d75.test' }] });
    await putEscalationPolicy(t, CODE, [
      { afterSeconds: 0, notify: ['police'] },
      { afterSeconds: STEP_1_AFTER, notify: ['department_duty'] },
    ]);
    const { fugueId, alertId, openedAt } = await openAlert(t, CODE);
    await waitFor(() => smtp.messagesTo('police@d75.test').length === 1, { what: 'step 0' });

    const queue = t.app.get(JobProducer).queue(QueueName.Escalation);
    const timer = await waitFor(() => queue.getJob(alertStepJobId(alertId, 1)), { what: 'the delayed job of step 1' });
    expect(await timer.getState()).toBe('delayed');
    expect(Date.now()).toBeLessThan(openedAt + STEP_1_AFTER * 1000);

    await redis.flushAll();
    expect(await queue.getJob(alertStepJobId(alertId, 1))).toBeUndefined();

    await waitFor(() => smtp.messagesTo('astreinte@d75.test').length === 1, { timeoutMs: 15_000, what: 'step 1 by the sweep' });
    const firedAt = await stepFiredAt(t, fugueId, 1);
    expect(firedAt).toBeGreaterThanOrEqual(openedAt + STEP_1_AFTER * 1000);
    expect(firedAt).toBeLessThanOrEqual(openedAt + (STEP_1_AFTER + 5) * 1000);
    await waitFor(async () => (await notificationsOf(t, alertId)).every((n) => n.status === 'sent'), { what: 'every notification sent' });
    expect((await notificationsOf(t, alertId)).map((n) => [n.step, n.channel, n.status, n.attempts])).toEqual([
      [0, 'email', 'sent', 1],
      [1, 'email', 'sent', 1],
    ]);
    expect(smtp.messagesTo('police@d75.test')).toHaveLength(1);
  }, 30_000);
});

describe('Redis stopped while an alert is open', () => {
  const CODE = '92';
  let redis: PrivateRedis;
  let redisStopped = false;
  let smtp: SmtpCatcher;
  let t: TestApp;

  beforeAll(async () => {
    [redis, smtp] = await Promise.all([PrivateRedis.start(), SmtpCatcher.start()]);
    t = await startTestApp({ env: { REDIS_URL: redis.url, SMTP_URL: smtp.url, VIGIE_SWEEP_INTERVAL_MS: '1000' } });
  });
  afterAll(async () => {
    // The worker closes its queues gracefully, which waits for Redis: bring it back first.
    if (redisStopped) await redis.start();
    await t?.close();
    await redis?.dispose();
    await smtp?.close();
  });

  it('fires the step and delivers its e-mails from PostgreSQL alone, then sends nothing twice once Redis is back', async () => {
    await makeReferent(t, { departmentCode: CODE, role: 'police', channels: [{ type: 'email', address: 'police@d92.test' }] });
    await makeReferent(t, { departmentCode: CODE, role: 'department_duty', channels: [{ type: 'email', address: 'astreinte@d92.test' }] });
    await makeReferent(t, { departmentCode: CODE, role: 'prosecutor', channels: [{ type: 'email', address: 'parquet@d92.test' }] });
    await putEscalationPolicy(t, CODE, [
      { afterSeconds: 0, notify: ['police'] },
      { afterSeconds: 3, notify: ['department_duty'] },
      { afterSeconds: 9, notify: ['prosecutor'] },
    ]);
    const { fugueId, alertId, openedAt } = await openAlert(t, CODE);
    await waitFor(() => smtp.messagesTo('police@d92.test').length === 1, { what: 'step 0' });

    await redis.stop();
    redisStopped = true;
    expect(Date.now()).toBeLessThan(openedAt + 3000);

    await waitFor(() => smtp.messagesTo('astreinte@d92.test').length === 1, { timeoutMs: 15_000, what: 'step 1 with Redis down' });
    const firedAt = await stepFiredAt(t, fugueId, 1);
    expect(firedAt).toBeGreaterThanOrEqual(openedAt + 3000);
    expect(firedAt).toBeLessThanOrEqual(openedAt + 8000);
    await waitFor(async () => (await notificationsOf(t, alertId)).find((n) => n.step === 1)?.status === 'sent', { what: 'step 1 marked sent' });
    // Redis was down for the whole of step 1: nobody restarted it.
    await expect(t.app.get(JobProducer).queue(QueueName.Escalation).getJobCounts()).rejects.toThrow();

    await redis.start();
    redisStopped = false;

    // Step 2 fires after Redis is back; its timer job was never added (Redis was down), the sweep fires it.
    await waitFor(() => smtp.messagesTo('parquet@d92.test').length === 1, { timeoutMs: 15_000, what: 'step 2 with Redis back' });
    await waitFor(async () => (await notificationsOf(t, alertId)).every((n) => n.status === 'sent'), { what: 'every notification sent' });
    // Time for a duplicate to show: the queue answers again and two whole sweeps run since.
    await waitFor(() => t.app.get(JobProducer).queue(QueueName.Escalation).getJobCounts(), { what: 'the escalation queue to answer again' });
    await sweepsRun(t, 2);
    expect(smtp.messagesTo('police@d92.test')).toHaveLength(1);
    expect(smtp.messagesTo('astreinte@d92.test')).toHaveLength(1);
    expect(smtp.messagesTo('parquet@d92.test')).toHaveLength(1);
    expect(smtp.messages).toHaveLength(3);
    expect((await notificationsOf(t, alertId)).map((n) => [n.step, n.status, n.attempts])).toEqual([
      [0, 'sent', 1],
      [1, 'sent', 1],
      [2, 'sent', 1],
    ]);
  }, 40_000);
});

describe('worker killed with SIGKILL while sending a notification', () => {
  const CODE = '93';
  let api: TestApp;
  let hooks: HttpReceiver;
  const workers: VigieProcess[] = [];

  /** A short delivery timeout and job lock: the interrupted send is noticed within seconds. */
  const WORKER_ENV = { VIGIE_DELIVERY_TIMEOUT_MS: '1000', VIGIE_JOB_LOCK_MS: '1500' };

  beforeAll(async () => {
    await buildDist();
    hooks = await HttpReceiver.start();
    api = await startTestApp({ worker: false });
  }, 60_000);
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.dispose()));
    await api?.close();
    await hooks?.close();
  });

  it('fails the interrupted send into the dead-letter list instead of sending it again; an admin replay delivers it once', async () => {
    const police = await makeReferent(api, { departmentCode: CODE, role: 'police', channels: [{ type: 'webhook', url: hooks.url('/d93/police') }] });
    await putEscalationPolicy(api, CODE, [{ afterSeconds: 0, notify: ['police'] }]);

    // The receiver never answers, and the worker is killed the moment the request reaches it.
    const first = startWorkerProcess(api, WORKER_ENV);
    workers.push(first);
    let killed: Promise<NodeJS.Signals | null> | undefined;
    hooks.answerWith(() => {
      killed = first.kill();
      return 'hang';
    });
    const { fugueId, alertId } = await openAlert(api, CODE);
    await waitFor(() => hooks.requests.length === 1, { timeoutMs: 15_000, what: 'the webhook request' });
    expect(await killed).toBe('SIGKILL');

    const [sending] = await notificationsOf(api, alertId);
    expect(sending).toMatchObject({ channel: 'webhook', status: 'sending', attempts: 1 });
    const id = sending.id;
    const requestsFor = () => hooks.requests.filter((r) => r.headers['webhook-id'] === id);
    expect(requestsFor()).toHaveLength(1);

    // A new worker: its BullMQ lock check re-runs the stalled send job, and its sweep finds the
    // send unfinished after 4 × VIGIE_DELIVERY_TIMEOUT_MS.
    workers.push(startWorkerProcess(api, WORKER_ENV));
    const failed = await waitFor(
      async () => {
        const [n] = await notificationsOf(api, alertId);
        return n.status === 'failed' ? n : null;
      },
      { timeoutMs: 20_000, what: 'the interrupted send to fail' },
    );
    expect(failed).toMatchObject({ id, attempts: 1, last_error: expect.stringMatching(/^Interrupted while sending/) });
    expect(requestsFor()).toHaveLength(1);

    const deadLetter = (await api.http.get('/v1/notifications/dead-letter').set(bearer(api.adminKey)).expect(200)).body.items;
    expect(deadLetter).toEqual([
      expect.objectContaining({ id, alertId, channel: 'webhook', step: 0, status: 'failed', attempts: 1, lastError: expect.stringMatching(/^Interrupted while sending/) }),
    ]);
    const timeline: { type: string; data: Record<string, unknown> }[] = (await api.http.get(`/v1/fugues/${fugueId}/timeline`).set(bearer(api.adminKey)).expect(200)).body.items;
    expect(timeline.filter((e) => e.type === 'notification.failed').map((e) => e.data)).toEqual([expect.objectContaining({ notificationId: id, channel: 'webhook' })]);
    expect(timeline.filter((e) => e.type === 'notification.sent')).toEqual([]);

    // The receiver works again; an administrator replays the notification.
    hooks.answerWith({ status: 200 });
    const replay = await api.http.post(`/v1/notifications/${id}/replay`).set(bearer(api.adminKey)).expect(200);
    expect(replay.body).toMatchObject({ id, status: 'pending', attempts: 1 });
    const sent = await waitFor(
      async () => {
        const [n] = await notificationsOf(api, alertId);
        return n.status === 'sent' ? n : null;
      },
      { timeoutMs: 15_000, what: 'the replayed notification to be sent' },
    );
    expect(sent).toMatchObject({ id, attempts: 2, last_error: null });
    expect(requestsFor()).toHaveLength(2);
    const delivered = new Webhook(police.webhookSecret as string).verify(requestsFor()[1].rawBody, requestsFor()[1].headers as Record<string, string>);
    expect(delivered).toMatchObject({ type: 'alert.notification', data: { alertId, fugueId, step: 0, departmentCode: CODE } });

    // A sent notification cannot be replayed: it is never sent twice.
    const again = await api.http.post(`/v1/notifications/${id}/replay`).set(bearer(api.adminKey));
    expect(again.status).toBe(409);
    expect((await api.http.get('/v1/notifications/dead-letter').set(bearer(api.adminKey)).expect(200)).body.items).toEqual([]);
    expect(requestsFor()).toHaveLength(2);
    expect(hooks.requests).toHaveLength(2);
  }, 60_000);
});
