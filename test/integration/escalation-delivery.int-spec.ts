import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import { EscalationService } from '@vigie/domain';
import { AlertRepository } from '@vigie/persistence';
import { JobName, JobProducer, QueueName } from '@vigie/queue';
import {
  bearer,
  declareFugue,
  EscalationStep,
  HttpReceiver,
  makeClient,
  makeFoyerWithYouth,
  makeReferent,
  makeYouth,
  putEscalationPolicy,
  SmtpCatcher,
  startTestApp,
  sweepsRun,
  TestApp,
  waitFor,
} from '@vigie/testing';

/**
 * integrations.md § Escalation — how notifications are delivered and how an alert runs: retries
 * with backoff, at most one message per (alert, step, referent, channel), one alert per episode,
 * policy snapshots, the department_duty fallback, acknowledgement through the API, and the
 * median time to acknowledge. One app with real SMTP and HTTP receivers; each block works in a
 * département of its own, so that policies and referents never meet.
 */

interface NotificationView {
  id: string;
  kind: string;
  referentId: string;
  channel: 'email' | 'sms' | 'webhook';
  step: number | null;
  fallback: boolean;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  sentAt: string | null;
  lastError: string | null;
}

interface AlertView {
  id: string;
  fugueId: string;
  state: string;
  openedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: { referentId: string | null; apiClientId: string | null; via: string } | null;
  currentStep: number | null;
  nextStepAt: string | null;
  policy: { worrying: { steps: EscalationStep[]; repeatLastStepEverySeconds: number | null; maxRepeats: number } };
  notifications: NotificationView[];
}

interface TimelineEvent {
  type: string;
  at: string;
  data: Record<string, unknown>;
}

describe('escalation delivery and alert rules', () => {
  let t: TestApp;
  let smtp: SmtpCatcher;
  let hooks: HttpReceiver;

  beforeAll(async () => {
    [smtp, hooks] = await Promise.all([SmtpCatcher.start(), HttpReceiver.start()]);
    t = await startTestApp({ env: { SMTP_URL: smtp.url, VIGIE_DELIVERY_TIMEOUT_MS: '2000' } });
  });

  afterAll(async () => {
    await t?.close();
    await Promise.all([smtp?.close(), hooks?.close()]);
  });

  const hooksAt = (path: string) => hooks.requests.filter((r) => r.path === path);

  /** A worrying episode (suicide risk declared) of a new youth of the foyer. */
  async function worryingFugue(foyerKey: string, foyerId: string): Promise<string> {
    const youth = await makeYouth(t, foyerKey, foyerId);
    return (await declareFugue(t, foyerKey, youth.id, { indicators: ['SUICIDE_RISK'] })).id;
  }

  /** The id of the episode's alert, once the worker has triaged the episode and opened it. */
  async function alertOf(fugueId: string): Promise<string> {
    return waitFor(
      async () => {
        const rows: { id: string }[] = await t.dataSource.query(`SELECT id FROM alerts WHERE fugue_id = $1`, [fugueId]);
        return rows[0]?.id;
      },
      { what: `the alert of episode ${fugueId}` },
    );
  }

  async function alertView(alertId: string, key = t.adminKey): Promise<AlertView> {
    return (await t.http.get(`/v1/alerts/${alertId}`).set(bearer(key)).expect(200)).body;
  }

  async function timeline(fugueId: string): Promise<TimelineEvent[]> {
    return (await t.http.get(`/v1/fugues/${fugueId}/timeline`).set(bearer(t.adminKey)).expect(200)).body.items;
  }

  const stepEvents = async (fugueId: string) => (await timeline(fugueId)).filter((e) => e.type === 'alert.step');

  /**
   * The stored time between the failed attempt (the row's update, stamped at the start of its
   * transaction) and the next attempt: the retry delay, plus a few milliseconds at most.
   */
  async function expectRetryDelay(notificationId: string, delayMs: number): Promise<void> {
    const [row]: { ms: number }[] = await t.dataSource.query(
      `SELECT (EXTRACT(EPOCH FROM next_attempt_at - updated_at) * 1000)::float AS ms FROM notifications WHERE id = $1`,
      [notificationId],
    );
    expect(row.ms).toBeGreaterThanOrEqual(delayMs - 50);
    expect(row.ms).toBeLessThanOrEqual(delayMs + 250);
  }

  describe('failed sends are retried with backoff, each attempt visible on the alert', () => {
    const CODE = '13';
    const REJECTED = 'refus@ase13.test';

    it('retries a webhook answered 500 after 1 s then 5 s until it is sent, and a rejected e-mail after 1 s, 5 s, 30 s', async () => {
      const { foyer, foyerKey } = await makeFoyerWithYouth(t, CODE);
      await makeReferent(t, { departmentCode: CODE, role: 'police', channels: [{ type: 'webhook', url: hooks.url('/d13/police') }] });
      await makeReferent(t, { departmentCode: CODE, role: 'child_protection', channels: [{ type: 'email', address: REJECTED }] });
      await putEscalationPolicy(t, CODE, [{ afterSeconds: 0, notify: ['police', 'child_protection'] }]);
      smtp.rejectRecipient(REJECTED);
      const arrivals: number[] = [];
      hooks.answerWith((request) => {
        if (request.path !== '/d13/police') return { status: 200 };
        arrivals.push(Date.now());
        return arrivals.length <= 2 ? { status: 500 } : { status: 200 };
      });

      const fugueId = await worryingFugue(foyerKey, foyer.id);
      const alertId = await alertOf(fugueId);
      const seen = (channel: string, attempts: number, status: string) =>
        waitFor(
          async () => {
            const n = (await alertView(alertId)).notifications.find((x) => x.channel === channel);
            return n && n.attempts === attempts && n.status === status ? n : null;
          },
          { timeoutMs: 15_000, intervalMs: 25, what: `${channel} notification at attempt ${attempts}, ${status}` },
        );

      const webhookFirst = await seen('webhook', 1, 'pending');
      expect(webhookFirst).toMatchObject({ kind: 'alert.notification', step: 0, fallback: false, lastError: 'HTTP 500', sentAt: null });
      expect(webhookFirst.nextAttemptAt).not.toBeNull();
      await expectRetryDelay(webhookFirst.id, 1000);

      const emailFirst = await seen('email', 1, 'pending');
      expect(emailFirst.lastError).toMatch(/550/);
      await expectRetryDelay(emailFirst.id, 1000);

      const webhookSecond = await seen('webhook', 2, 'pending');
      expect(webhookSecond).toMatchObject({ lastError: 'HTTP 500', sentAt: null });
      await expectRetryDelay(webhookSecond.id, 5000);

      const emailSecond = await seen('email', 2, 'pending');
      expect(emailSecond.lastError).toMatch(/550/);
      await expectRetryDelay(emailSecond.id, 5000);

      const webhookSent = await seen('webhook', 3, 'sent');
      expect(webhookSent).toMatchObject({ id: webhookFirst.id, lastError: null, nextAttemptAt: null, sentAt: expect.any(String) });
      // The attempts came no earlier than their delays, and not much later.
      expect(arrivals).toHaveLength(3);
      expect(arrivals[1] - arrivals[0]).toBeGreaterThanOrEqual(950);
      expect(arrivals[1] - arrivals[0]).toBeLessThan(3500);
      expect(arrivals[2] - arrivals[1]).toBeGreaterThanOrEqual(4950);
      expect(arrivals[2] - arrivals[1]).toBeLessThan(7500);
      // One event (the same webhook-id) on every attempt.
      expect(new Set(hooksAt('/d13/police').map((r) => r.headers['webhook-id']))).toEqual(new Set([webhookFirst.id]));

      const emailThird = await seen('email', 3, 'pending');
      await expectRetryDelay(emailThird.id, 30_000);
      expect(smtp.messagesTo(REJECTED)).toHaveLength(0);

      const sentEvent = (await timeline(fugueId)).find((e) => e.type === 'notification.sent');
      expect(sentEvent?.data).toMatchObject({ notificationId: webhookFirst.id, channel: 'webhook', attempts: 3 });

      // Acknowledging stops the rest: the e-mail still waiting for its fourth attempt is cancelled.
      await t.http.post(`/v1/alerts/${alertId}/acknowledge`).set(bearer(t.adminKey)).send({}).expect(200);
      const email = (await alertView(alertId)).notifications.find((n) => n.channel === 'email');
      expect(email).toMatchObject({ status: 'cancelled', attempts: 3, nextAttemptAt: null });
    }, 30_000);
  });

  describe('sent at most once per (alert, step, referent, channel)', () => {
    const CODE = '33';

    it('fires the same step again, by direct call, by a replayed job and past the alert guard, without a new row or a second delivery', async () => {
      const { foyer, foyerKey } = await makeFoyerWithYouth(t, CODE);
      await makeReferent(t, { departmentCode: CODE, role: 'police', channels: [{ type: 'webhook', url: hooks.url('/d33/police') }] });
      await makeReferent(t, { departmentCode: CODE, role: 'department_duty', channels: [{ type: 'email', address: 'astreinte@d33.test' }] });
      await putEscalationPolicy(t, CODE, [
        { afterSeconds: 0, notify: ['police', 'department_duty'] },
        { afterSeconds: 600, notify: ['prosecutor'] },
      ]);
      const fugueId = await worryingFugue(foyerKey, foyer.id);
      const alertId = await alertOf(fugueId);
      await waitFor(async () => (await alertView(alertId)).notifications.filter((n) => n.status === 'sent').length === 2, { what: 'step 0 sent' });
      const before = await alertView(alertId);
      expect(hooksAt('/d33/police')).toHaveLength(1);
      expect(smtp.messagesTo('astreinte@d33.test')).toHaveLength(1);

      // A direct second call for the step already done, and one for any step: nothing is due.
      const escalation = t.app.get(EscalationService);
      expect(await escalation.fireStep(alertId, 0)).toBe(false);
      expect(await escalation.fireStep(alertId)).toBe(false);

      // The BullMQ jobs replayed by hand under new ids: the step job and each delivery job.
      const queue = t.app.get(JobProducer).queue(QueueName.Escalation);
      const replayed: Job[] = [await queue.add(JobName.AlertStep, { alertId, step: 0 }, { jobId: `replay-${randomUUID()}` })];
      for (const n of before.notifications) {
        replayed.push(await queue.add(JobName.NotificationSend, { notificationId: n.id, attempt: 0 }, { jobId: `replay-${randomUUID()}` }));
      }
      await waitFor(async () => (await Promise.all(replayed.map((j) => j.getState()))).every((s) => s === 'completed'), { what: 'the replayed jobs to complete' });

      // Past the alert guard: the alert rewound to step 0 as if a stale worker fired it again.
      await t.dataSource.query(`UPDATE alerts SET next_step = 0, last_step = NULL, next_step_at = opened_at WHERE id = $1`, [alertId]);
      expect(await escalation.fireStep(alertId, 0)).toBe(true);
      await waitFor(async () => (await stepEvents(fugueId)).length === 2, { what: 'step 0 fired a second time' });
      const [second] = (await stepEvents(fugueId)).slice(1);
      expect(second.data).toMatchObject({ alertId, step: 0, notifications: 0 });

      // Any duplicate would leave with the sweep, which delivers what is pending: two whole sweeps run first.
      await sweepsRun(t, 2);
      const after = await alertView(alertId);
      expect(after.notifications.map((n) => n.id).sort()).toEqual(before.notifications.map((n) => n.id).sort());
      for (const n of after.notifications) expect(n).toMatchObject({ status: 'sent', attempts: 1 });
      expect(hooksAt('/d33/police')).toHaveLength(1);
      expect(smtp.messagesTo('astreinte@d33.test')).toHaveLength(1);
      const [{ n }]: { n: number }[] = await t.dataSource.query(`SELECT count(*)::int AS n FROM notifications WHERE alert_id = $1`, [alertId]);
      expect(n).toBe(2);
    });
  });

  describe('one open alert per episode', () => {
    const CODE = '69';

    it('keeps one alert through several re-triages, before and after acknowledgement', async () => {
      const { foyer, foyerKey } = await makeFoyerWithYouth(t, CODE);
      const fugueId = await worryingFugue(foyerKey, foyer.id);
      const alertId = await alertOf(fugueId);
      const classifications = async () =>
        ((await t.dataSource.query(`SELECT count(*)::int AS n FROM fugue_classifications WHERE fugue_id = $1`, [fugueId])) as { n: number }[])[0].n;

      // Five updates at once, each triaged again: the episode stays worrying.
      await Promise.all(
        [1, 2, 3, 4, 5].map((i) => t.http.post(`/v1/fugues/${fugueId}/updates`).set(bearer(foyerKey)).send({ note: `Nouvelle information ${i}`, indicators: ['SUICIDE_RISK'] }).expect(201)),
      );
      await waitFor(async () => (await classifications()) === 6, { what: 'six triages' });
      await t.http.post(`/v1/alerts/${alertId}/acknowledge`).set(bearer(t.adminKey)).send({}).expect(200);
      await t.http.post(`/v1/fugues/${fugueId}/updates`).set(bearer(foyerKey)).send({ note: 'Après accusé de réception' }).expect(201);
      await waitFor(async () => (await classifications()) === 7, { what: 'a seventh triage' });

      const alerts: { id: string; state: string }[] = await t.dataSource.query(`SELECT id, state FROM alerts WHERE fugue_id = $1`, [fugueId]);
      expect(alerts).toEqual([{ id: alertId, state: 'acknowledged' }]);
      expect((await timeline(fugueId)).filter((e) => e.type === 'alert.opened')).toHaveLength(1);
      const levels: { level: string }[] = await t.dataSource.query(`SELECT level FROM fugue_classifications WHERE fugue_id = $1`, [fugueId]);
      expect(levels.map((l) => l.level)).toEqual(Array(7).fill('worrying'));
    });

    it('has a unique index that refuses a second unresolved alert for one episode, but not a resolved one', async () => {
      const { foyer, foyerKey } = await makeFoyerWithYouth(t, CODE);
      const alertId = await alertOf(await worryingFugue(foyerKey, foyer.id));
      const copy = (state: string) =>
        t.dataSource.query(
          `INSERT INTO alerts (fugue_id, department_code, foyer_id, state, policy, opened_at)
           SELECT fugue_id, department_code, foyer_id, $2, policy, now() FROM alerts WHERE id = $1`,
          [alertId, state],
        );
      for (const state of ['open', 'acknowledged']) {
        await expect(copy(state)).rejects.toMatchObject({ code: '23505', constraint: 'alerts_one_unresolved_per_fugue_key' });
      }
      const runner = t.dataSource.createQueryRunner();
      await runner.startTransaction();
      try {
        const inserted = await runner.query(
          `INSERT INTO alerts (fugue_id, department_code, foyer_id, state, policy, opened_at, resolved_at, resolution)
           SELECT fugue_id, department_code, foyer_id, 'resolved', policy, now(), now(), 'returned' FROM alerts WHERE id = $1 RETURNING id`,
          [alertId],
        );
        expect(inserted).toHaveLength(1);
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
    });
  });

  describe('the policy is snapshotted when the alert opens', () => {
    const CODE = '59';
    const POLICY_A: EscalationStep[] = [
      { afterSeconds: 0, notify: ['police'] },
      { afterSeconds: 4, notify: ['department_duty'] },
    ];
    const POLICY_B: EscalationStep[] = [
      { afterSeconds: 0, notify: ['child_protection'] },
      { afterSeconds: 60, notify: ['prosecutor'] },
    ];

    it('keeps the running alert on its policy when a new one is put, and opens the next alert on the new one', async () => {
      const { foyer, foyerKey } = await makeFoyerWithYouth(t, CODE);
      await makeReferent(t, { departmentCode: CODE, role: 'police', channels: [{ type: 'email', address: 'police@d59.test' }] });
      await makeReferent(t, { departmentCode: CODE, role: 'child_protection', channels: [{ type: 'email', address: 'ase@d59.test' }] });
      await makeReferent(t, { departmentCode: CODE, role: 'department_duty', channels: [{ type: 'email', address: 'astreinte@d59.test' }] });
      await makeReferent(t, { departmentCode: CODE, role: 'prosecutor', channels: [{ type: 'email', address: 'parquet@d59.test' }] });
      await putEscalationPolicy(t, CODE, POLICY_A);
      const firstFugue = await worryingFugue(foyerKey, foyer.id);
      const first = await alertOf(firstFugue);
      await waitFor(() => smtp.messagesTo('police@d59.test').length === 1, { what: 'step 0 of the first alert' });

      await putEscalationPolicy(t, CODE, POLICY_B);

      const running = await alertView(first);
      expect(running.policy.worrying).toEqual({ steps: POLICY_A, repeatLastStepEverySeconds: null, maxRepeats: 0 });
      const openedAt = new Date(running.openedAt).getTime();
      expect(new Date(running.nextStepAt as string).getTime()).toBe(openedAt + 4000);
      await waitFor(() => smtp.messagesTo('astreinte@d59.test').length === 1, { timeoutMs: 15_000, what: 'step 1 of the first alert, on policy A' });
      const step1 = (await stepEvents(firstFugue)).find((e) => e.data.step === 1);
      expect(step1?.data).toMatchObject({ roles: ['department_duty'] });
      expect(smtp.messagesTo('parquet@d59.test')).toHaveLength(0);
      expect(new Date(step1?.at as string).getTime()).toBeGreaterThanOrEqual(openedAt + 4000);
      expect(new Date(step1?.at as string).getTime()).toBeLessThanOrEqual(openedAt + 9000);

      const secondFugue = await worryingFugue(foyerKey, foyer.id);
      const second = await alertOf(secondFugue);
      await waitFor(() => smtp.messagesTo('ase@d59.test').length === 1, { what: 'step 0 of the second alert, on policy B' });
      const opened = await alertView(second);
      expect(opened.policy.worrying).toEqual({ steps: POLICY_B, repeatLastStepEverySeconds: null, maxRepeats: 0 });
      expect(new Date(opened.nextStepAt as string).getTime()).toBe(new Date(opened.openedAt).getTime() + 60_000);
      expect(opened.notifications.map((n) => n.step)).toEqual([0]);
      expect(smtp.messagesTo('police@d59.test')).toHaveLength(1);
    }, 30_000);
  });

  describe('a step that reaches nobody falls back to department duty', () => {
    const CODE = '67';

    it('notifies the department_duty referents with fallback: true, and records it on the step', async () => {
      const { foyer, foyerKey } = await makeFoyerWithYouth(t, CODE);
      const duty1 = await makeReferent(t, { departmentCode: CODE, role: 'department_duty', channels: [{ type: 'email', address: 'astreinte1@d67.test' }] });
      const duty2 = await makeReferent(t, { departmentCode: CODE, role: 'department_duty', channels: [{ type: 'webhook', url: hooks.url('/d67/duty') }] });
      const police = await makeReferent(t, { departmentCode: CODE, role: 'police', channels: [{ type: 'email', address: 'police@d67.test' }] });
      const put = await putEscalationPolicy(t, CODE, [
        { afterSeconds: 0, notify: ['prosecutor'] },
        { afterSeconds: 2, notify: ['police'] },
      ]);
      // The gap is accepted, and reported.
      expect(put.uncoveredRoles).toContain('prosecutor');
      expect(put.uncoveredRoles).not.toContain('police');

      const fugueId = await worryingFugue(foyerKey, foyer.id);
      const alertId = await alertOf(fugueId);
      await waitFor(() => smtp.messagesTo('astreinte1@d67.test').length === 1 && hooksAt('/d67/duty').length === 1 && smtp.messagesTo('police@d67.test').length === 1, {
        timeoutMs: 15_000,
        what: 'both steps delivered',
      });

      const view = await alertView(alertId);
      const byStep = (step: number) =>
        view.notifications
          .filter((n) => n.step === step)
          .map((n) => ({ referentId: n.referentId, channel: n.channel, fallback: n.fallback }))
          .sort((a, b) => a.channel.localeCompare(b.channel));
      expect(byStep(0)).toEqual([
        { referentId: duty1.id, channel: 'email', fallback: true },
        { referentId: duty2.id, channel: 'webhook', fallback: true },
      ]);
      expect(byStep(1)).toEqual([{ referentId: police.id, channel: 'email', fallback: false }]);

      const steps = await stepEvents(fugueId);
      expect(steps.map((e) => e.data)).toEqual([
        expect.objectContaining({ step: 0, roles: ['prosecutor'], fallbackToDepartmentDuty: true, referents: expect.arrayContaining([duty1.id, duty2.id]), notifications: 2 }),
        expect.objectContaining({ step: 1, roles: ['police'], fallbackToDepartmentDuty: false, referents: [police.id], notifications: 1 }),
      ]);
      expect(steps[0].data.referents).toHaveLength(2);
    }, 20_000);
  });

  describe('acknowledgement through the API', () => {
    const CODE = '31';
    const OTHER = '35';

    it('lets a police client of the département acknowledge, idempotently; another département gets 404, the hotline 403; later steps do not fire', async () => {
      const { foyer, foyerKey } = await makeFoyerWithYouth(t, CODE);
      const police = await makeClient(t, { role: 'police', departmentCodes: [CODE] });
      const otherPolice = await makeClient(t, { role: 'police', departmentCodes: [OTHER] });
      const hotline = await makeClient(t, { role: 'hotline', departmentCodes: [CODE] });
      const policeReferent = await makeReferent(t, { departmentCode: CODE, role: 'police', apiClientId: police.id, channels: [{ type: 'email', address: 'police@d31.test' }] });
      await makeReferent(t, { departmentCode: CODE, role: 'department_duty', channels: [{ type: 'email', address: 'astreinte@d31.test' }] });
      await putEscalationPolicy(t, CODE, [
        { afterSeconds: 0, notify: ['police'] },
        { afterSeconds: 3, notify: ['department_duty'] },
      ]);
      const fugueId = await worryingFugue(foyerKey, foyer.id);
      const alertId = await alertOf(fugueId);
      await waitFor(() => smtp.messagesTo('police@d31.test').length === 1, { what: 'step 0' });
      const acknowledge = (key: string) => t.http.post(`/v1/alerts/${alertId}/acknowledge`).set(bearer(key)).send({ note: 'Équipe en route' });

      const elsewhere = await acknowledge(otherPolice.key);
      expect(elsewhere.status).toBe(404);
      expect(elsewhere.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
      const byHotline = await acknowledge(hotline.key);
      expect(byHotline.status).toBe(403);
      expect(byHotline.body).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
      expect((await alertView(alertId)).state).toBe('open');

      const first = await acknowledge(police.key);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({
        id: alertId,
        state: 'acknowledged',
        acknowledgedAt: expect.any(String),
        acknowledgedBy: { referentId: policeReferent.id, apiClientId: police.id, via: 'api' },
        currentStep: 0,
        nextStepAt: null,
      });
      const again = await acknowledge(police.key);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);

      // Step 1 was due 3 s after opening: wait until well past it (sweeps run every 200 ms).
      const openedAt = new Date(first.body.openedAt).getTime();
      await waitFor(() => Date.now() > openedAt + 5000, { what: 'the time of step 1 to pass' });
      // And the sweeps that would fire it have run since.
      await sweepsRun(t, 2);
      expect(smtp.messagesTo('astreinte@d31.test')).toHaveLength(0);
      const view = await alertView(alertId, police.key);
      expect(view).toMatchObject({ state: 'acknowledged', currentStep: 0, nextStepAt: null, acknowledgedAt: first.body.acknowledgedAt });
      expect(view.notifications.map((n) => n.step)).toEqual([0]);
      const events = await timeline(fugueId);
      expect(events.filter((e) => e.type === 'alert.step')).toHaveLength(1);
      expect(events.filter((e) => e.type === 'alert.acknowledged')).toHaveLength(1);
    }, 20_000);
  });

  describe('median time to acknowledge per département', () => {
    const FROM = new Date('2025-03-01T00:00:00Z');
    const TO = new Date('2025-03-02T00:00:00Z');

    it('is the exact median of the acknowledged alerts opened in the period', async () => {
      /** Alerts of `code`, then rewritten to have opened at `openedAt` and been acknowledged `delay` seconds later (null: never). */
      const alertsIn = async (code: string, rows: { openedAt: string; delay: number | null }[]) => {
        const { foyer, foyerKey } = await makeFoyerWithYouth(t, code);
        for (const row of rows) {
          const alertId = await alertOf(await worryingFugue(foyerKey, foyer.id));
          await waitFor(async () => ((await alertView(alertId)).currentStep === 0 ? true : null), { what: 'step 0' });
          await t.dataSource.query(
            `UPDATE alerts SET opened_at = $2::timestamptz,
                    acknowledged_at = $2::timestamptz + make_interval(secs => $3::float),
                    state = CASE WHEN $3::float IS NULL THEN state ELSE 'acknowledged' END,
                    next_step_at = NULL
              WHERE id = $1`,
            [alertId, row.openedAt, row.delay],
          );
        }
      };
      // 44: delays 60, 300, 120, 900 s → median (120 + 300) / 2 = 210; one open alert does not count.
      await alertsIn('44', [
        { openedAt: '2025-03-01T08:00:00Z', delay: 60 },
        { openedAt: '2025-03-01T09:00:00Z', delay: 300 },
        { openedAt: '2025-03-01T10:00:00Z', delay: 120 },
        { openedAt: '2025-03-01T23:00:00Z', delay: 900 },
        { openedAt: '2025-03-01T12:00:00Z', delay: null },
      ]);
      // 49: delays 30, 45, 600 s → median 45; alerts opened before the period, or at its end, do not count.
      await alertsIn('49', [
        { openedAt: '2025-03-01T00:00:00Z', delay: 30 },
        { openedAt: '2025-03-01T11:30:00Z', delay: 600 },
        { openedAt: '2025-03-01T15:00:00Z', delay: 45 },
        { openedAt: '2025-02-28T23:59:59Z', delay: 5 },
        { openedAt: '2025-03-02T00:00:00Z', delay: 5 },
      ]);

      const alerts = t.app.get(AlertRepository);
      expect(await alerts.medianSecondsToAcknowledge(['44', '49'], FROM, TO)).toEqual([
        { departmentCode: '44', medianSeconds: 210, acknowledged: 4 },
        { departmentCode: '49', medianSeconds: 45, acknowledged: 3 },
      ]);
      expect(await alerts.medianSecondsToAcknowledge(['49'], FROM, TO)).toEqual([{ departmentCode: '49', medianSeconds: 45, acknowledged: 3 }]);
      expect(await alerts.medianSecondsToAcknowledge(null, FROM, TO)).toEqual([
        { departmentCode: '44', medianSeconds: 210, acknowledged: 4 },
        { departmentCode: '49', medianSeconds: 45, acknowledged: 3 },
      ]);
    }, 30_000);
  });
});
