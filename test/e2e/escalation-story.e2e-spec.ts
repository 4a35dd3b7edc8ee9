import { Webhook } from 'standardwebhooks';
import {
  bearer,
  declareFugue,
  HttpReceiver,
  makeClient,
  makeFoyer,
  makeReferent,
  makeYouth,
  putEscalationPolicy,
  SmtpCatcher,
  startTestApp,
  TestApp,
  waitFor,
  testNow,
} from '@vigie/testing';

/**
 * The story of integrations.md § Escalation, end to end with real servers: a worrying fugue reaches
 * foyer duty, child protection and police on the three channel types; nobody answers, step 1
 * fires; acknowledged through the signed link, step 2 never fires; the youth returns and everyone
 * notified is told the alert is resolved.
 */
describe('a worrying fugue escalates until someone acknowledges', () => {
  let t: TestApp;
  let smtp: SmtpCatcher;
  let sms: HttpReceiver;
  let hooks: HttpReceiver;
  let foyerKey: string;
  let youthId: string;
  const secrets: Record<string, string> = {};

  const STEP_1_AFTER = 3;
  const STEP_2_AFTER = 6;

  beforeAll(async () => {
    [smtp, sms, hooks] = await Promise.all([SmtpCatcher.start(), HttpReceiver.start(), HttpReceiver.start()]);
    t = await startTestApp({ env: { SMTP_URL: smtp.url, SMS_GATEWAY_URL: sms.url('/sms'), VIGIE_DELIVERY_TIMEOUT_MS: '2000' } });
    const foyer = await makeFoyer(t, { departmentCode: '75', name: 'Foyer des Tilleuls', phone: '+33 1 23 45 67 89' });
    foyerKey = (await makeClient(t, { role: 'foyer', foyerIds: [foyer.id] })).key;
    youthId = (await makeYouth(t, foyerKey, foyer.id)).id;

    await makeReferent(t, { departmentCode: '75', displayName: 'Astreinte foyer', role: 'foyer_duty', foyerId: foyer.id, channels: [{ type: 'email', address: 'astreinte@foyer.test' }] });
    await makeReferent(t, { departmentCode: '75', displayName: 'Référent ASE', role: 'child_protection', channels: [{ type: 'sms', phone: '+33600000001' }] });
    const police = await makeReferent(t, { departmentCode: '75', displayName: 'Brigade des mineurs', role: 'police', channels: [{ type: 'webhook', url: hooks.url('/police') }] });
    expect(police.webhookSecret).toMatch(/^whsec_/);
    secrets[hooks.url('/police')] = police.webhookSecret as string;
    await makeReferent(t, { departmentCode: '75', displayName: 'Astreinte départementale', role: 'department_duty', channels: [{ type: 'email', address: 'astreinte@departement.test' }] });
    await makeReferent(t, { departmentCode: '75', displayName: 'Parquet des mineurs', role: 'prosecutor', channels: [{ type: 'email', address: 'parquet@justice.test' }] });

    await putEscalationPolicy(t, '75', [
      { afterSeconds: 0, notify: ['foyer_duty', 'child_protection', 'police'] },
      { afterSeconds: STEP_1_AFTER, notify: ['department_duty', 'police'] },
      { afterSeconds: STEP_2_AFTER, notify: ['prosecutor'] },
    ]);
  });

  afterAll(async () => {
    await t?.close();
    await Promise.all([smtp?.close(), sms?.close(), hooks?.close()]);
  });

  const verified = (request: { headers: Record<string, unknown>; rawBody: string }) =>
    new Webhook(secrets[hooks.url('/police')]).verify(request.rawBody, request.headers as Record<string, string>) as { type: string; data: Record<string, unknown> };

  it('tells the story', async () => {
    const { id: fugueId } = await declareFugue(t, foyerKey, youthId, { indicators: ['SUICIDE_RISK'] });

    // Step 0: foyer duty by e-mail, child protection by SMS, police by signed webhook.
    await waitFor(() => smtp.messagesTo('astreinte@foyer.test').length === 1 && sms.requests.length === 1 && hooks.requests.length === 1, {
      what: 'step 0 on three channels',
    });
    const alerts = (await t.http.get('/v1/alerts?state=open').set(bearer(foyerKey)).expect(200)).body.items;
    expect(alerts).toHaveLength(1);
    const alert = alerts[0];
    expect(alert).toMatchObject({ fugueId, state: 'open', currentStep: 0 });

    const mail = await smtp.parse(smtp.messagesTo('astreinte@foyer.test')[0]);
    expect(mail.subject).not.toContain('Testnom');
    expect(mail.text).toContain('Risque suicidaire');
    expect(mail.text).toContain(`/episodes/${fugueId}`);
    // Who else step 0 reaches, by name and role, never by their contact.
    expect(mail.text).toMatch(/Autres personnes alertées : .*Brigade des mineurs \(police ou gendarmerie\)/);
    expect(mail.text).toMatch(/Autres personnes alertées : .*Référent ASE \(protection de l'enfance\)/);
    expect(mail.text).not.toContain('+33600000001');
    expect(mail.text).not.toContain(hooks.url('/police'));
    expect(mail.text).toContain('Accusé de réception : pas encore');
    expect(mail.text).toContain('Foyer : Foyer des Tilleuls, tél. +33 1 23 45 67 89');
    expect(mail.text).toMatch(/Absence constatée : \d{2}\/\d{2}\/\d{4} à \d{2}:\d{2}/);
    expect(mail.html).toContain('/a/');
    const text = JSON.parse(sms.requests[0].rawBody) as { to: string; text: string };
    expect(text.to).toBe('+33600000001');
    expect(text.text.length).toBeLessThanOrEqual(300);
    expect(text.text).not.toContain('Testprenom');
    expect(text.text).not.toContain('Testnom');
    expect(text.text).toMatch(/\/a\/\S+/);
    const step0 = verified(hooks.requests[0]);
    expect(step0).toMatchObject({ type: 'alert.notification', data: { alertId: alert.id, fugueId, departmentCode: '75', level: 'worrying', step: 0, reasonCodes: ['SUICIDE_RISK'] } });
    expect(JSON.stringify(step0)).not.toMatch(/Testprenom|Testnom/);

    // Nobody answers: step 1 (department duty, police again) fires at its time, not before, at most 5 s after.
    await waitFor(() => smtp.messagesTo('astreinte@departement.test').length === 1, { timeoutMs: 15_000, what: 'step 1' });
    const openedAt = new Date(alert.openedAt).getTime();
    const step1Event = (await t.http.get(`/v1/fugues/${fugueId}/timeline`).set(bearer(foyerKey))).body.items.find(
      (e: { type: string; data: { step?: number } }) => e.type === 'alert.step' && e.data.step === 1,
    );
    const firedAt = new Date(step1Event.at).getTime();
    expect(firedAt).toBeGreaterThanOrEqual(openedAt + STEP_1_AFTER * 1000);
    expect(firedAt).toBeLessThanOrEqual(openedAt + (STEP_1_AFTER + 5) * 1000);
    await waitFor(() => hooks.requests.length === 2, { what: 'police webhook of step 1' });
    expect(verified(hooks.requests[1]).data).toMatchObject({ step: 1 });

    // Department duty acknowledges through the signed link: GET only shows a page, POST acknowledges.
    const dutyMail = await smtp.parse(smtp.messagesTo('astreinte@departement.test')[0]);
    const link = /https?:\/\/[^\s"<]+\/a\/([A-Za-z0-9_.-]+)/.exec(dutyMail.text ?? '')?.[1];
    expect(link).toBeDefined();
    const page = await t.http.get(`/a/${link}`).expect(200);
    expect(page.text).toContain('<form method="post"');
    expect((await t.http.get(`/v1/alerts/${alert.id}`).set(bearer(foyerKey))).body.state).toBe('open');
    await t.http.post(`/a/${link}`).expect(200);
    const acknowledged = (await t.http.get(`/v1/alerts/${alert.id}`).set(bearer(foyerKey)).expect(200)).body;
    expect(acknowledged).toMatchObject({ state: 'acknowledged', acknowledgedBy: { via: 'link' }, currentStep: 1 });

    // Step 2 would have fired at 6 s: it does not. Wait until well past its time, then check nothing was sent.
    await waitFor(() => testNow().getTime() > openedAt + (STEP_2_AFTER + 3) * 1000, { timeoutMs: 15_000, what: 'step 2 time to pass' });
    expect(smtp.messagesTo('parquet@justice.test')).toHaveLength(0);
    const afterAck = (await t.http.get(`/v1/alerts/${alert.id}`).set(bearer(t.adminKey)).expect(200)).body;
    expect(afterAck.notifications.filter((n: { step: number }) => n.step === 2)).toEqual([]);

    // The youth comes back: the alert is resolved and everyone already notified is told.
    await t.http.post(`/v1/fugues/${fugueId}/return`).set(bearer(foyerKey)).send({ returnedAt: testNow().toISOString(), foundBy: 'self' }).expect(200);
    await waitFor(
      () =>
        smtp.messagesTo('astreinte@foyer.test').length === 2 &&
        smtp.messagesTo('astreinte@departement.test').length === 2 &&
        sms.requests.length === 2 &&
        hooks.requests.length === 3,
      { what: 'alert.resolved to everyone notified' },
    );
    expect(verified(hooks.requests[2])).toMatchObject({ type: 'alert.resolved', data: { alertId: alert.id, fugueId, resolution: 'returned' } });
    expect(smtp.messagesTo('parquet@justice.test')).toHaveLength(0);

    // A receiver has the request a moment before the worker records the send.
    const resolved = await waitFor(
      async () => {
        const body = (await t.http.get(`/v1/alerts/${alert.id}`).set(bearer(t.adminKey)).expect(200)).body;
        return body.notifications.every((n: { status: string }) => n.status !== 'sending') && body;
      },
      { what: 'every send recorded' },
    );
    expect(resolved).toMatchObject({ state: 'resolved', resolution: 'returned' });
    for (const n of resolved.notifications) {
      expect(n).toMatchObject({ status: 'sent', attempts: 1, lastError: null });
    }
    expect(resolved.notifications.map((n: { kind: string; step: number | null; channel: string }) => `${n.kind}:${n.step}:${n.channel}`).sort()).toEqual(
      [
        'alert.notification:0:email',
        'alert.notification:0:sms',
        'alert.notification:0:webhook',
        'alert.notification:1:email',
        'alert.notification:1:webhook',
        'alert.resolved:null:email',
        'alert.resolved:null:email',
        'alert.resolved:null:sms',
        'alert.resolved:null:webhook',
      ].sort(),
    );

    const timeline = (await t.http.get(`/v1/fugues/${fugueId}/timeline`).set(bearer(foyerKey))).body.items.map((e: { type: string }) => e.type);
    for (const type of ['alert.opened', 'alert.step', 'alert.acknowledged', 'alert.resolved', 'notification.sent']) expect(timeline).toContain(type);
    expect(timeline.filter((type: string) => type === 'alert.step')).toHaveLength(2);
  });

  it('a routine fugue informs foyer duty once and opens no alert', async () => {
    const foyer = await makeFoyer(t, { departmentCode: '75' });
    const key = (await makeClient(t, { role: 'foyer', foyerIds: [foyer.id] })).key;
    await makeReferent(t, { displayName: 'Astreinte', role: 'foyer_duty', departmentCode: '75', foyerId: foyer.id, channels: [{ type: 'email', address: 'routine@foyer.test' }] });
    const youth = await makeYouth(t, key, foyer.id);
    const { id } = await declareFugue(t, key, youth.id);
    await waitFor(() => smtp.messagesTo('routine@foyer.test').length === 1, { what: 'routine information' });
    const mail = await smtp.parse(smtp.messagesTo('routine@foyer.test')[0]);
    expect(mail.subject).toMatch(/classique/i);
    const alerts = (await t.http.get('/v1/alerts').set(bearer(key)).expect(200)).body.items;
    expect(alerts.filter((a: { fugueId: string }) => a.fugueId === id)).toEqual([]);
    // An update that changes nothing re-triages the episode without a second information.
    await t.http.post(`/v1/fugues/${id}/updates`).set(bearer(key)).send({ note: 'Rien de nouveau' }).expect(201);
    await waitFor(async () => {
      const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM fugue_classifications WHERE fugue_id = $1`, [id]);
      return n === 2;
    });
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM notifications WHERE fugue_id = $1`, [id]);
    expect(n).toBe(1);
  });

  it('a routine fugue informs the policy\'s routine roles: foyer duty of its foyer, the others of its département', async () => {
    const foyer = await makeFoyer(t, { departmentCode: '13' });
    const otherFoyer = await makeFoyer(t, { departmentCode: '13' });
    const key = (await makeClient(t, { role: 'foyer', foyerIds: [foyer.id] })).key;
    await t.http
      .put('/v1/departments/13/escalation-policy')
      .set(bearer(t.adminKey))
      .send({ worrying: { steps: [{ afterSeconds: 0, notify: ['police'] }], repeatLastStepEverySeconds: null }, routine: { notify: ['foyer_duty', 'child_protection'] } })
      .expect(200);
    const email = (address: string) => [{ type: 'email' as const, address }];
    const duty = await makeReferent(t, { role: 'foyer_duty', departmentCode: '13', foyerId: foyer.id, channels: email('duty13@foyer.test') });
    await makeReferent(t, { role: 'foyer_duty', departmentCode: '13', foyerId: otherFoyer.id, channels: email('other13@foyer.test') });
    const protection = await makeReferent(t, { role: 'child_protection', departmentCode: '13', channels: email('ase13@vigie.test') });
    await makeReferent(t, { role: 'child_protection', departmentCode: '69', channels: email('ase69@vigie.test') });
    await makeReferent(t, { role: 'police', departmentCode: '13', channels: email('police13@vigie.test') });
    const gone = await makeReferent(t, { role: 'child_protection', departmentCode: '13', channels: email('gone13@vigie.test') });
    await t.http.delete(`/v1/referents/${gone.id}`).set(bearer(t.adminKey)).expect(204);

    const youth = await makeYouth(t, key, foyer.id);
    const { id } = await declareFugue(t, key, youth.id);
    const event = await waitFor(
      async () => {
        const rows: { data: { referents: string[]; notifications: number } }[] = await t.dataSource.query(
          `SELECT data FROM fugue_events WHERE fugue_id = $1 AND type = 'routine.notified'`,
          [id],
        );
        return rows[0];
      },
      { what: 'the routine information' },
    );
    expect(event.data).toEqual({ referents: [duty.id, protection.id], notifications: 2 });
    const sent: { referent_id: string; target: string; kind: string }[] = await t.dataSource.query(
      `SELECT referent_id::text, target, kind FROM notifications WHERE fugue_id = $1 ORDER BY target`,
      [id],
    );
    expect(sent).toEqual([
      { referent_id: protection.id, target: 'ase13@vigie.test', kind: 'routine.information' },
      { referent_id: duty.id, target: 'duty13@foyer.test', kind: 'routine.information' },
    ]);
    await waitFor(() => smtp.messagesTo('ase13@vigie.test').length === 1 && smtp.messagesTo('duty13@foyer.test').length === 1, { what: 'both sent' });
    for (const other of ['other13@foyer.test', 'ase69@vigie.test', 'police13@vigie.test', 'gone13@vigie.test']) expect(smtp.messagesTo(other)).toEqual([]);
  });
});
