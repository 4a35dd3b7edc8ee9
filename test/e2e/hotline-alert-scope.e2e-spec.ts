import { bearer, declareFugue, makeClient, makeFoyerWithYouth, startTestApp, TestApp, waitFor } from '@vigie/testing';

/**
 * The hotline reads worrying episodes only, and alerts follow their episode: an alert of an episode
 * brought back to routine is as invisible to it as the episode. Notification errors name no address
 * for anyone but an administrator.
 */
describe('alerts as the hotline and a foyer see them', () => {
  let t: TestApp;
  let foyerKey: string;
  let protectionKey: string;
  let hotlineKey: string;
  let alertId: string;
  let fugueId: string;

  beforeAll(async () => {
    t = await startTestApp();
    const made = await makeFoyerWithYouth(t);
    foyerKey = made.foyerKey;
    protectionKey = (await makeClient(t, { role: 'child_protection', departmentCodes: ['75'] })).key;
    hotlineKey = (await makeClient(t, { role: 'hotline', departmentCodes: ['75'] })).key;
    await t.http
      .post('/v1/referents')
      .set(bearer(t.adminKey))
      .send({
        displayName: 'Astreinte de test',
        role: 'foyer_duty',
        departmentCode: '75',
        foyerId: made.foyer.id,
        channels: [{ type: 'email', address: 'astreinte.test@example.org' }, { type: 'sms', phone: '+33600000000' }],
      })
      .expect(201);
    fugueId = (await declareFugue(t, foyerKey, made.youthId, { staffConcern: { worrying: true } })).id;
    alertId = await waitFor(async () => (await t.dataSource.query(`SELECT id FROM alerts WHERE fugue_id = $1`, [fugueId]))[0]?.id as string, {
      what: 'the alert of the worrying episode',
    });
    await waitFor(async () => (await t.dataSource.query(`SELECT 1 FROM notifications WHERE alert_id = $1`, [alertId])).length >= 2, {
      what: 'the step-0 notifications',
    });
  });
  afterAll(() => t.close());

  it('lastError names no e-mail address, phone number or URL for a foyer; an administrator sees it whole', async () => {
    await t.dataSource.query(
      // Failed for good, so that no send attempt writes its own error over this one.
      `UPDATE notifications SET status = 'failed', last_error = $2 WHERE alert_id = $1`,
      [alertId, '550 5.1.1 <astreinte.test@example.org>: mailbox unavailable; gateway https://sms.example.org/send?to=+33600000000 refused +33 6 00 00 00 00'],
    );
    const asFoyer = await t.http.get(`/v1/alerts/${alertId}`).set(bearer(foyerKey)).expect(200);
    const errors: string[] = asFoyer.body.notifications.map((n: { lastError: string }) => n.lastError);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    for (const error of errors) {
      expect(error).toContain('mailbox unavailable');
      expect(error).not.toMatch(/astreinte|example\.org|https?:|33600000000|00 00 00/);
    }
    const asAdmin = await t.http.get(`/v1/alerts/${alertId}`).set(bearer(t.adminKey)).expect(200);
    expect(asAdmin.body.notifications[0].lastError).toContain('astreinte.test@example.org');
  });

  it('the timeline’s notification.failed entries name no address for a foyer either', async () => {
    await t.dataSource.query(`INSERT INTO fugue_events (fugue_id, type, at, data) VALUES ($1, 'notification.failed', now(), $2)`, [
      fugueId,
      { alertId, channel: 'email', error: '550 5.1.1 <astreinte.test@example.org>: mailbox unavailable' },
    ]);
    const failed = (body: { items: { type: string; data: { error?: string } }[] }) =>
      body.items.filter((e) => e.type === 'notification.failed').map((e) => e.data.error ?? '');
    const asFoyer = failed((await t.http.get(`/v1/fugues/${fugueId}/timeline`).set(bearer(foyerKey)).expect(200)).body);
    expect(asFoyer.length).toBeGreaterThanOrEqual(1);
    for (const error of asFoyer) expect(error).not.toMatch(/astreinte|example\.org/);
    expect(asFoyer).toContain('550 5.1.1 <[address]>: mailbox unavailable');
    const asAdmin = failed((await t.http.get(`/v1/fugues/${fugueId}/timeline`).set(bearer(t.adminKey)).expect(200)).body);
    expect(asAdmin).toContain('550 5.1.1 <astreinte.test@example.org>: mailbox unavailable');
  });

  it('the hotline reads the alert of a worrying episode, and neither the alert nor the episode once it is overridden to routine', async () => {
    await t.http.get(`/v1/alerts/${alertId}`).set(bearer(hotlineKey)).expect(200);
    expect((await t.http.get('/v1/alerts').set(bearer(hotlineKey)).expect(200)).body.items.map((a: { id: string }) => a.id)).toContain(alertId);

    await t.http.post(`/v1/fugues/${fugueId}/override`).set(bearer(protectionKey)).send({ level: 'routine', reason: 'Motif de test' }).expect(200);
    await t.http.get(`/v1/fugues/${fugueId}`).set(bearer(hotlineKey)).expect(404);
    const alert = await t.http.get(`/v1/alerts/${alertId}`).set(bearer(hotlineKey));
    expect(alert.status).toBe(404);
    expect(alert.body.code).toBe('NOT_FOUND');
    expect((await t.http.get('/v1/alerts').set(bearer(hotlineKey)).expect(200)).body.items.map((a: { id: string }) => a.id)).not.toContain(alertId);
    // Its own scope is unchanged for the others.
    await t.http.get(`/v1/alerts/${alertId}`).set(bearer(protectionKey)).expect(200);
  });
});
