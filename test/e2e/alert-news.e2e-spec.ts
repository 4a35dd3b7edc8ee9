import { randomUUID } from 'node:crypto';
import { Clock } from '@vigie/domain';
import {
  bearer,
  declareFugue,
  makeClient,
  makeFoyer,
  makeReferent,
  makeYouth,
  putEscalationPolicy,
  signedHeaders,
  SmtpCatcher,
  startTestApp,
  sweepsRun,
  TestApp,
  testClock,
  waitFor,
} from '@vigie/testing';

/**
 * New facts reach the people an alert already reached (docs/architecture.md § News of an alert),
 * end to end with a real SMTP server: facts within 5 minutes fold into one message per referent;
 * a fact after the window sends a second one, no earlier than 5 minutes after the first; a
 * referent the alert did not reach hears nothing. Time moves with the service's clock.
 */

/** The test clock moved by an offset the test changes. */
class MovableClock extends Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(testClock().nowMs() + this.offsetMs);
  }
}

const MINUTE = 60_000;
const NEWS_SUBJECT = "[Vigie] Du nouveau sur l'alerte – 75 Paris";

describe('news of an alert', () => {
  const clock = new MovableClock();
  let t: TestApp;
  let smtp: SmtpCatcher;
  let foyerKey: string;
  let policeKey: string;
  let protectionKey: string;
  let foyerId: string;
  let hotlineSecret: string;
  const referents: Record<'police' | 'protection' | 'prosecutor' | 'foyerDuty', string> = { police: '', protection: '', prosecutor: '', foyerDuty: '' };

  beforeAll(async () => {
    smtp = await SmtpCatcher.start();
    t = await startTestApp({ clock, env: { SMTP_URL: smtp.url, VIGIE_DELIVERY_TIMEOUT_MS: '2000' } });
    const foyer = await makeFoyer(t, { departmentCode: '75' });
    foyerId = foyer.id;
    foyerKey = (await makeClient(t, { role: 'foyer', foyerIds: [foyer.id] })).key;
    policeKey = (await makeClient(t, { role: 'police', departmentCodes: ['75'] })).key;
    protectionKey = (await makeClient(t, { role: 'child_protection', departmentCodes: ['75'] })).key;
    hotlineSecret = (await makeClient(t, { role: 'hotline', departmentCodes: ['75'] })).inboundWebhookSecret as string;
    referents.police = (await makeReferent(t, { departmentCode: '75', displayName: 'Brigade des mineurs', role: 'police', channels: [{ type: 'email', address: 'brigade@police.test' }] })).id;
    referents.protection = (await makeReferent(t, { departmentCode: '75', displayName: 'Cellule ASE', role: 'child_protection', channels: [{ type: 'email', address: 'ase@departement.test' }] })).id;
    referents.prosecutor = (await makeReferent(t, { departmentCode: '75', displayName: 'Parquet', role: 'prosecutor', channels: [{ type: 'email', address: 'parquet@justice.test' }] })).id;
    referents.foyerDuty = (await makeReferent(t, { departmentCode: '75', displayName: 'Astreinte', role: 'foyer_duty', foyerId, channels: [{ type: 'email', address: 'astreinte@foyer.test' }] })).id;
    // Step 0 reaches police and child protection; the prosecutor's step lies far beyond the test.
    await putEscalationPolicy(t, '75', [
      { afterSeconds: 0, notify: ['police', 'child_protection'] },
      { afterSeconds: 86_400, notify: ['prosecutor'] },
    ]);
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  const newsTo = async (address: string, fugueId: string) =>
    (await Promise.all(smtp.messagesTo(address).map((m) => smtp.parse(m)))).filter((m) => m.subject === NEWS_SUBJECT && m.text?.includes(`/episodes/${fugueId}`));

  const newsRows = (fugueId: string): Promise<{ referent_id: string; status: string; facts: { type: string }[] }[]> =>
    t.dataSource.query(`SELECT referent_id, status, facts FROM notifications WHERE fugue_id = $1 AND kind = 'alert.news' ORDER BY created_at, referent_id`, [fugueId]);

  const sighting = (fugueId: string, key: string) =>
    t.http
      .post(`/v1/fugues/${fugueId}/updates`)
      .set(bearer(key))
      .send({ sighting: { at: new Date(clock.nowMs() - 1000).toISOString(), place: 'Gare de Lyon' } })
      .expect(201);

  it('folds facts within 5 minutes into one message per referent, sends a later fact in a second one, and tells no one else', async () => {
    const youth = await makeYouth(t, foyerKey, foyerId);
    const { id: fugueId } = await declareFugue(t, foyerKey, youth.id, { indicators: ['SUICIDE_RISK'] });
    await waitFor(() => smtp.messagesTo('brigade@police.test').length >= 1 && smtp.messagesTo('ase@departement.test').length >= 1, { what: 'step 0 to police and child protection' });

    // Two facts two minutes apart: a sighting by the police, a note by child protection.
    await sighting(fugueId, policeKey);
    clock.offsetMs = 2 * MINUTE;
    await t.http.post(`/v1/fugues/${fugueId}/updates`).set(bearer(protectionKey)).send({ note: 'Appel de la famille' }).expect(201);
    await sweepsRun(t, 2);
    expect(await newsTo('brigade@police.test', fugueId)).toEqual([]); // the window is still open

    clock.offsetMs = 5 * MINUTE + 5000;
    await waitFor(async () => (await newsTo('brigade@police.test', fugueId)).length === 1 && (await newsTo('ase@departement.test', fugueId)).length === 1, {
      what: 'one news message to each referent the alert reached',
    });
    for (const address of ['brigade@police.test', 'ase@departement.test']) {
      const [mail] = await newsTo(address, fugueId);
      expect(mail.text).toContain('Nouvelle observation signalée');
      expect(mail.text).toContain("Nouvelles informations ajoutées à l'épisode");
      expect(mail.text).toContain(`/episodes/${fugueId}`);
      expect(mail.text).not.toContain('Gare de Lyon'); // the place of a sighting stays behind the sign-in
    }
    expect((await newsRows(fugueId)).map((n) => [n.referent_id, n.status, n.facts.map((f) => f.type)])).toEqual(
      expect.arrayContaining([
        [referents.police, 'sent', ['sighting', 'update']],
        [referents.protection, 'sent', ['sighting', 'update']],
      ]),
    );
    expect(await newsRows(fugueId)).toHaveLength(2);

    // A fact after the window: a second message, 5 minutes after the fact, not before.
    await sighting(fugueId, policeKey);
    await sweepsRun(t, 2);
    expect(await newsTo('brigade@police.test', fugueId)).toHaveLength(1);
    clock.offsetMs = 10 * MINUTE + 10_000;
    await waitFor(async () => (await newsTo('brigade@police.test', fugueId)).length === 2 && (await newsTo('ase@departement.test', fugueId)).length === 2, {
      what: 'the second news message',
    });
    await sweepsRun(t, 2);
    expect(await newsTo('brigade@police.test', fugueId)).toHaveLength(2);

    // Referents the alert did not reach hear nothing of it.
    expect(smtp.messagesTo('parquet@justice.test')).toEqual([]);
    const toFoyerDuty = await Promise.all(smtp.messagesTo('astreinte@foyer.test').map((m) => smtp.parse(m)));
    expect(toFoyerDuty.filter((m) => m.text?.includes(`/episodes/${fugueId}`))).toEqual([]);
    expect((await newsRows(fugueId)).map((n) => n.referent_id)).not.toContain(referents.prosecutor);
  });

  it('tells the return after a location: the location by the end of the alert, the return as news', async () => {
    clock.offsetMs = 0;
    const youth = await makeYouth(t, foyerKey, foyerId);
    const { id: fugueId } = await declareFugue(t, foyerKey, youth.id, { indicators: ['SUICIDE_RISK'] });
    await waitFor(async () => (await t.dataSource.query(`SELECT 1 FROM notifications WHERE fugue_id = $1 AND kind = 'alert.notification' AND status = 'sent'`, [fugueId])).length === 2, {
      what: 'step 0 sent',
    });
    await t.http.post(`/v1/fugues/${fugueId}/located`).set(bearer(policeKey)).send({ at: new Date(clock.nowMs() - 1000).toISOString(), place: 'Commissariat' }).expect(200);
    await t.http.post(`/v1/fugues/${fugueId}/return`).set(bearer(foyerKey)).send({ returnedAt: new Date(clock.nowMs() - 500).toISOString(), foundBy: 'police' }).expect(200);
    clock.offsetMs = 5 * MINUTE + 5000;
    await waitFor(async () => (await newsTo('ase@departement.test', fugueId)).length === 1, { what: 'the news of the return' });
    const [mail] = await newsTo('ase@departement.test', fugueId);
    expect(mail.text).toContain('De retour au foyer : fin de la fugue');
    expect(mail.text).not.toContain('Localisation signalée : le retour'); // told already, by the end of the alert
    expect((await newsRows(fugueId)).every((n) => n.facts.map((f) => f.type).join() === 'returned')).toBe(true);
  });

  it('tells of a call to the 116 000 about the episode', async () => {
    clock.offsetMs = 0;
    const youth = await makeYouth(t, foyerKey, foyerId);
    const { id: fugueId } = await declareFugue(t, foyerKey, youth.id, { indicators: ['SUICIDE_RISK'] });
    await waitFor(async () => (await t.dataSource.query(`SELECT 1 FROM notifications WHERE fugue_id = $1 AND kind = 'alert.notification' AND status = 'sent'`, [fugueId])).length === 2, {
      what: 'step 0 sent',
    });
    const raw = JSON.stringify({
      type: 'hotline.call_received',
      timestamp: new Date(clock.nowMs()).toISOString(),
      data: { fugueId, receivedAt: new Date(clock.nowMs() - 60_000).toISOString(), caller: 'witness', indicators: [], summary: 'Zqxappel' },
    });
    // The signature's timestamp is the machine's: the receiver checks it against its own clock.
    await t.http.post('/v1/integrations/116000/events').set(signedHeaders(hotlineSecret, `msg_${randomUUID()}`, raw)).send(raw).expect(202);
    clock.offsetMs = 5 * MINUTE + 5000;
    await waitFor(async () => (await newsTo('brigade@police.test', fugueId)).length === 1, { what: 'the news of the call' });
    const [mail] = await newsTo('brigade@police.test', fugueId);
    expect(mail.text).toContain('Signalement reçu du 116 000');
    expect(mail.text).not.toContain('Zqxappel');
  });
});
