import { bearer, declareFugue, makeClient, makeFoyer, makeReferent, makeYouth, SmtpCatcher, startTestApp, TestApp, testNow, waitFor } from '@vigie/testing';

/**
 * What a link does (spec/links.md § What a link does): the `linked` timeline event on both
 * episodes, the `fugue.linked` webhook event (ids and codes only), PEER_EXPLOITED with source
 * `link` when the other youth is known to be exploited — at once, or later while the episode
 * is open — and the foyer-cluster notice, at most one per foyer per 7 days.
 */

type Json = Record<string, any>;
const MINUTE = 60_000;
const ago = (ms: number) => new Date(testNow().getTime() - ms).toISOString();

describe('links between episodes', () => {
  let t: TestApp;
  let smtp: SmtpCatcher;
  let foyerKey: string;
  let foyerId: string;
  let foyerName: string;
  let otherFoyerKey: string;
  let otherFoyerId: string;

  beforeAll(async () => {
    smtp = await SmtpCatcher.start();
    t = await startTestApp({ env: { SMTP_URL: smtp.url, VIGIE_DELIVERY_TIMEOUT_MS: '2000' } });
    const foyer = await makeFoyer(t, { departmentCode: '75' });
    foyerId = foyer.id;
    foyerName = 'Foyer Testgrappe';
    foyerKey = (await makeClient(t, { role: 'foyer', foyerIds: [foyerId] })).key;
    const other = await makeFoyer(t, { departmentCode: '75' });
    otherFoyerId = other.id;
    otherFoyerKey = (await makeClient(t, { role: 'foyer', foyerIds: [otherFoyerId] })).key;
    await makeReferent(t, { departmentCode: '75', role: 'child_protection', channels: [{ type: 'email', address: 'ase@links75.test' }] });
    await makeReferent(t, { departmentCode: '75', role: 'department_duty', channels: [{ type: 'email', address: 'astreinte@links75.test' }] });
    await makeReferent(t, { departmentCode: '75', role: 'police', channels: [{ type: 'email', address: 'police@links75.test' }] });
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  const settled = () =>
    waitFor(async () => (await t.dataSource.query(`SELECT 1 FROM outbox WHERE processed_at IS NULL`)).length === 0, { what: 'every triage' });
  const fugue = async (id: string): Promise<Json> => (await t.http.get(`/v1/fugues/${id}`).set(bearer(t.adminKey)).expect(200)).body;
  const timeline = async (id: string): Promise<Json[]> => (await t.http.get(`/v1/fugues/${id}/timeline`).set(bearer(t.adminKey)).expect(200)).body.items;
  const declare = async (key: string, foyer: string, body: Json) => (await declareFugue(t, key, (await makeYouth(t, key, foyer)).id, body)).id;
  const reasonOf = (f: Json, code: string) => f.classification?.reasons.find((r: Json) => r.code === code) ?? null;

  it('links two episodes of the same vehicle, tells both timelines and the webhooks, and marks the peer of an exploited youth', async () => {
    const exploited = await declare(otherFoyerKey, otherFoyerId, { indicators: ['EXPLOITATION_KNOWN'], connections: { vehicles: [{ plate: 'TL-123-KA' }] } });
    await settled();
    const peer = await declare(foyerKey, foyerId, { noticedMissingAt: ago(2 * MINUTE), connections: { vehicles: [{ plate: 'tl 123 ka' }] } });
    await settled();

    for (const [id, other] of [[exploited, peer], [peer, exploited]]) {
      const linked = (await timeline(id)).filter((e) => e.type === 'linked');
      expect(linked).toEqual([expect.objectContaining({ data: { linkedFugueId: other, reasons: ['SAME_VEHICLE'], newReasons: ['SAME_VEHICLE'] } })]);
    }
    const events = await t.dataSource.query(`SELECT data FROM webhook_events WHERE type = 'fugue.linked' ORDER BY occurred_at, data->>'fugueId'`);
    expect(events.map((e: Json) => e.data)).toEqual(
      expect.arrayContaining([
        { fugueId: peer, linkedFugueId: exploited, reasons: ['SAME_VEHICLE'] },
        { fugueId: exploited, linkedFugueId: peer, reasons: ['SAME_VEHICLE'] },
      ]),
    );
    expect(events).toHaveLength(2);

    const body = await fugue(peer);
    expect(reasonOf(body, 'PEER_EXPLOITED')).toEqual({ code: 'PEER_EXPLOITED', kind: 'aggravating', weight: 3, source: 'link' });
    const gained = (await timeline(peer)).filter((e) => e.type === 'link.indicator');
    expect(gained).toEqual([expect.objectContaining({ data: { indicator: 'PEER_EXPLOITED', source: 'link', linkedFugueId: exploited, reasons: ['SAME_VEHICLE'] } })]);
    // The exploited youth's own episode gains nothing from the link.
    expect(reasonOf(await fugue(exploited), 'PEER_EXPLOITED')).toBeNull();
  });

  it('adds PEER_EXPLOITED to an open linked episode when the other youth becomes known to be exploited later', async () => {
    const first = await declare(otherFoyerKey, otherFoyerId, { connections: { companions: [{ alias: 'Testsurnom Zoé' }] } });
    const second = await declare(foyerKey, foyerId, { connections: { companions: [{ alias: 'testsurnom  zoe' }] } });
    await settled();
    expect((await timeline(first)).filter((e) => e.type === 'linked')).toHaveLength(1);
    expect(reasonOf(await fugue(second), 'PEER_EXPLOITED')).toBeNull();

    await t.http.post(`/v1/fugues/${first}/updates`).set(bearer(otherFoyerKey)).send({ indicators: ['EXPLOITATION_KNOWN'] }).expect(201);
    await settled();
    const body = await fugue(second);
    expect(reasonOf(body, 'PEER_EXPLOITED')).toEqual(expect.objectContaining({ source: 'link' }));
    const classified = (await timeline(second)).filter((e) => e.type === 'classified');
    expect(classified[classified.length - 1].data.cause).toBe('linked');
  });

  it('sends one foyer-cluster notice when linked episodes of one foyer involve 3 youths, and no second one within 7 days', async () => {
    const cluster = await makeFoyer(t, { departmentCode: '75', name: foyerName });
    const key = (await makeClient(t, { role: 'foyer', foyerIds: [cluster.id] })).key;
    const a = await declare(key, cluster.id, { lastSeenAt: ago(30 * MINUTE), departedWith: 'peers' });
    const b = await declare(key, cluster.id, { lastSeenAt: ago(40 * MINUTE) });
    await settled();
    expect((await timeline(b)).filter((e) => e.type === 'linked').map((e) => e.data)).toEqual([{ linkedFugueId: a, reasons: ['LEFT_TOGETHER'], newReasons: ['LEFT_TOGETHER'] }]);
    // Two youths linked: no cluster yet.
    expect(await t.dataSource.query(`SELECT 1 FROM foyer_clusters WHERE foyer_id = $1`, [cluster.id])).toEqual([]);

    await declare(key, cluster.id, { lastSeenAt: ago(35 * MINUTE), departedWith: 'alone' });
    await settled();
    expect(await t.dataSource.query(`SELECT youth_count FROM foyer_clusters WHERE foyer_id = $1`, [cluster.id])).toEqual([{ youth_count: 3 }]);
    const notices = await t.dataSource.query(
      `SELECT r.role FROM notifications n JOIN referents r ON r.id = n.referent_id WHERE n.kind = 'foyer.cluster' ORDER BY r.role`,
    );
    expect(notices).toEqual([{ role: 'child_protection' }, { role: 'department_duty' }]);
    await waitFor(async () => (await t.dataSource.query(`SELECT 1 FROM notifications WHERE kind = 'foyer.cluster' AND status = 'sent'`)).length === 2, { what: 'the notices sent' });
    const mails = await Promise.all([...smtp.messagesTo('astreinte@links75.test'), ...smtp.messagesTo('ase@links75.test')].map((m) => smtp.parse(m)));
    const told = mails.filter((m) => (m.text ?? '').includes('sont liés par des fugues récentes'));
    expect(told).toHaveLength(2);
    for (const mail of told) {
      expect(mail.text).toContain(`Plusieurs jeunes du foyer ${foyerName} sont liés par des fugues récentes : possible recrutement`);
      expect(mail.text).not.toContain('Testprenom');
    }
    expect(smtp.messagesTo('police@links75.test').map((m) => m.raw).join('')).not.toContain('possible recrutement');

    // A fourth youth of the foyer leaves with them: still one notice in these 7 days.
    await declare(key, cluster.id, { lastSeenAt: ago(33 * MINUTE), departedWith: 'peers' });
    await settled();
    expect(await t.dataSource.query(`SELECT 1 FROM foyer_clusters WHERE foyer_id = $1`, [cluster.id])).toHaveLength(1);
    expect(await t.dataSource.query(`SELECT 1 FROM notifications WHERE kind = 'foyer.cluster'`)).toHaveLength(2);
    const stats = (await t.http.get('/v1/stats').set(bearer(t.adminKey)).expect(200)).body;
    expect(stats.foyerClusters).toEqual([{ foyerId: cluster.id, name: foyerName, departmentCode: '75', youths: 3, noticedAt: expect.any(String) }]);
    expect(stats.links.LEFT_TOGETHER).toBeGreaterThanOrEqual(3);
  });

  it('adds PEER_EXPLOITED to an open linked episode when a return interview of the other youth records exploitation', async () => {
    const returned = await declare(otherFoyerKey, otherFoyerId, { noticedMissingAt: ago(20 * MINUTE), connections: { places: [{ kind: 'short_let', communeCode: '75056', address: '5 rue Testloc' }] } });
    const open = await declare(foyerKey, foyerId, { connections: { places: [{ kind: 'short_let', communeCode: '75056', address: '5 Rue  Testloc' }] } });
    await settled();
    expect((await timeline(open)).filter((e) => e.type === 'linked').map((e) => e.data.reasons)).toEqual([['SAME_PLACE']]);
    await t.http.post(`/v1/fugues/${returned}/return`).set(bearer(otherFoyerKey)).send({ returnedAt: ago(10 * MINUTE), foundBy: 'self' }).expect(200);
    await settled();
    expect(reasonOf(await fugue(open), 'PEER_EXPLOITED')).toBeNull();
    const interview = (await t.http.get(`/v1/return-interviews?fugueId=${returned}`).set(bearer(otherFoyerKey)).expect(200)).body.items[0];
    await t.http
      .put(`/v1/return-interviews/${interview.id}`)
      .set(bearer(otherFoyerKey))
      .send({ outcome: 'completed', conductedAt: ago(MINUTE), conductedBy: 'Testeducateur', interviewerIndependent: true, exploitationIndicators: ['HOTEL_OR_RENTAL'] })
      .expect(200);
    await settled();
    expect(reasonOf(await fugue(open), 'PEER_EXPLOITED')).toEqual(expect.objectContaining({ source: 'link' }));
  });

  it("triages an open linked episode again when a later episode's triage reads the other youth's disclosure", async () => {
    // A disclosure the interview's own re-triage of the peers did not reach: recorded while the
    // link was being found by a triage that had already read the youth as not exploited. The
    // interview row is completed here in SQL to stand for that interleaving; the youth's next
    // episode is triaged, reads the disclosure with its facts, and the linked peer gains the indicator.
    const youthId = (await makeYouth(t, otherFoyerKey, otherFoyerId)).id;
    const returned = (await declareFugue(t, otherFoyerKey, youthId, { noticedMissingAt: ago(30 * MINUTE), connections: { vehicles: [{ plate: 'TD-456-LR' }] } })).id;
    const open = await declare(foyerKey, foyerId, { connections: { vehicles: [{ plate: 'td456lr' }] } });
    await settled();
    expect((await timeline(open)).filter((e) => e.type === 'linked').map((e) => e.data.reasons)).toEqual([['SAME_VEHICLE']]);
    await t.http.post(`/v1/fugues/${returned}/return`).set(bearer(otherFoyerKey)).send({ returnedAt: ago(20 * MINUTE), foundBy: 'self' }).expect(200);
    await settled();
    const [completed] = await t.dataSource.query(
      `UPDATE return_interviews SET status = 'completed', conducted_at = $2, recorded_at = $2, disclosed_sexual_exploitation = true
        WHERE fugue_id = $1 RETURNING id`,
      [returned, ago(10 * MINUTE)],
    );
    expect(completed).toHaveLength(1);
    expect(reasonOf(await fugue(open), 'PEER_EXPLOITED')).toBeNull();

    const next = (await declareFugue(t, otherFoyerKey, youthId, { noticedMissingAt: ago(2 * MINUTE) })).id;
    await settled();
    expect((await timeline(next)).filter((e) => e.type === 'linked')).toEqual([]);
    expect(reasonOf(await fugue(next), 'PRIOR_EXPLOITATION_DISCLOSURE')).not.toBeNull();
    expect(reasonOf(await fugue(open), 'PEER_EXPLOITED')).toEqual(expect.objectContaining({ source: 'link' }));
    const gained = (await timeline(open)).filter((e) => e.type === 'link.indicator');
    expect(gained).toEqual([expect.objectContaining({ data: expect.objectContaining({ linkedFugueId: returned }) })]);
    const classified = (await timeline(open)).filter((e) => e.type === 'classified');
    expect(classified[classified.length - 1].data.cause).toBe('linked');
  });
});
