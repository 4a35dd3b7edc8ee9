import { Clock } from '@vigie/domain';
import {
  bearer,
  daytimeAtOrBefore,
  declareFugue,
  makeClient,
  makeFoyer,
  makeReferent,
  makeYouth,
  putEscalationPolicy,
  SmtpCatcher,
  startTestApp,
  sweepsRun,
  TestApp,
  testClock,
  waitFor,
} from '@vigie/testing';

/**
 * Links between episodes as a story (spec/links.md), end to end with the worker, PostgreSQL,
 * Redis and a real SMTP server:
 *
 * 1. Youth A of a Paris foyer leaves, comes back six days later, and at the return interview the
 *    next day discloses sexual exploitation and gives the plate of the car that took her.
 * 2. A week after A left, youth B of the same foyer leaves; the foyer declares her (routine), then
 *    learns she got into that car. B is linked to A (SAME_VEHICLE), gains PEER_EXPLOITED with
 *    source `link`, and turns worrying: her alert reaches the police and child protection.
 * 3. Youth C leaves with B (peers, same foyer, 20 minutes after her): linked to B (LEFT_TOGETHER).
 *    That is three youths of one foyer linked: one foyer-cluster notice to each child_protection
 *    and department_duty referent, and none more when a fourth youth leaves with them. The people
 *    B's alert reached get the link as news (alert.news) once its 5-minute window has passed.
 * 4. A foyer of another département declares a youth seen in the same car: its episode is linked
 *    to A's and B's, and it reads the reasons of those links, never the other episodes.
 *
 * The week is between A's and B's departures: under the spec's windows (`[t0 − 24 h,
 * end + 24 h]`) B must leave within 48 h of A's return to be linked. Every instant is set from the
 * test clock; the service's clock is moved forward, never slept for, to close the news window.
 */

/** The test clock moved by an offset the test changes. */
class MovableClock extends Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(testClock().nowMs() + this.offsetMs);
  }
}

type Json = Record<string, any>;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const PLATE = 'GH-472-TK';
const NEWS_SUBJECT = "[Vigie] Du nouveau sur l'alerte – 75 Paris";
const CLUSTER_WORDS = 'sont liés par des fugues récentes : possible recrutement';
const LINKED_WORDS = "Épisode lié à un autre épisode (motifs sur la fiche de l'épisode)";
const FOYER_NAME = 'Foyer Testhistoire';

describe('links between episodes, a story', () => {
  const clock = new MovableClock();
  let t: TestApp;
  let smtp: SmtpCatcher;
  let foyerId: string;
  let foyerKey: string;
  let foyer13Id: string;
  let foyer13Key: string;
  /** The episodes of the story, by youth. */
  const episode: Record<'a' | 'b' | 'c' | 'd' | 'e', string> = { a: '', b: '', c: '', d: '', e: '' };
  let departedB: Date;

  const at = (ms: number) => new Date(clock.nowMs() + ms).toISOString();

  beforeAll(async () => {
    smtp = await SmtpCatcher.start();
    t = await startTestApp({ clock, env: { SMTP_URL: smtp.url, VIGIE_DELIVERY_TIMEOUT_MS: '2000' } });
    foyerId = (await makeFoyer(t, { departmentCode: '75', name: FOYER_NAME })).id;
    foyerKey = (await makeClient(t, { role: 'foyer', foyerIds: [foyerId] })).key;
    foyer13Id = (await makeFoyer(t, { departmentCode: '13' })).id;
    foyer13Key = (await makeClient(t, { role: 'foyer', foyerIds: [foyer13Id] })).key;
    await makeReferent(t, { departmentCode: '75', displayName: 'Brigade des mineurs', role: 'police', channels: [{ type: 'email', address: 'brigade@story75.test' }] });
    await makeReferent(t, { departmentCode: '75', displayName: 'Cellule ASE', role: 'child_protection', channels: [{ type: 'email', address: 'ase@story75.test' }] });
    await makeReferent(t, { departmentCode: '75', displayName: 'Astreinte', role: 'department_duty', channels: [{ type: 'email', address: 'astreinte@story75.test' }] });
    await makeReferent(t, { departmentCode: '75', displayName: 'Parquet', role: 'prosecutor', channels: [{ type: 'email', address: 'parquet@story75.test' }] });
    // Step 0 of a worrying episode reaches the police and child protection; the next lies far beyond the test.
    await putEscalationPolicy(t, '75', [
      { afterSeconds: 0, notify: ['police', 'child_protection'] },
      { afterSeconds: 86_400, notify: ['prosecutor'] },
    ]);
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  const settled = () =>
    waitFor(async () => (await t.dataSource.query(`SELECT 1 FROM outbox WHERE processed_at IS NULL`)).length === 0, { what: 'every triage' });
  const fugue = async (id: string, key = t.adminKey): Promise<Json> => (await t.http.get(`/v1/fugues/${id}`).set(bearer(key)).expect(200)).body;
  const timeline = async (id: string): Promise<Json[]> => (await t.http.get(`/v1/fugues/${id}/timeline`).set(bearer(t.adminKey)).expect(200)).body.items;
  const codes = (f: Json) => f.classification.reasons.map((r: Json) => r.code);
  const reasonOf = (f: Json, code: string) => f.classification.reasons.find((r: Json) => r.code === code) ?? null;
  const mailsTo = async (address: string) => Promise.all(smtp.messagesTo(address).map((m) => smtp.parse(m)));
  const clusterMails = async (address: string) => (await mailsTo(address)).filter((m) => (m.text ?? '').includes(CLUSTER_WORDS));
  const newsOfB = async (address: string) => (await mailsTo(address)).filter((m) => m.subject === NEWS_SUBJECT && (m.text ?? '').includes(`/episodes/${episode.b}`));
  const alertMailsOfB = async (address: string) =>
    (await mailsTo(address)).filter((m) => m.subject !== NEWS_SUBJECT && (m.text ?? '').includes(`/episodes/${episode.b}`));
  const linkedEvents = async (id: string) => (await timeline(id)).filter((e) => e.type === 'linked').map((e) => e.data);

  it('A discloses exploitation at her return interview and names the car', async () => {
    const departedA = daytimeAtOrBefore(new Date(clock.nowMs() - 7 * DAY));
    const youthA = (await makeYouth(t, foyerKey, foyerId)).id;
    episode.a = (await declareFugue(t, foyerKey, youthA, { lastSeenAt: departedA.toISOString(), noticedMissingAt: new Date(departedA.getTime() + HOUR).toISOString() })).id;
    await settled();
    await t.http.post(`/v1/fugues/${episode.a}/return`).set(bearer(foyerKey)).send({ returnedAt: at(-20 * HOUR), foundBy: 'self' }).expect(200);
    const interview = (await t.http.get(`/v1/return-interviews?fugueId=${episode.a}`).set(bearer(foyerKey)).expect(200)).body.items[0];
    await t.http
      .put(`/v1/return-interviews/${interview.id}`)
      .set(bearer(foyerKey))
      .send({
        outcome: 'completed',
        conductedAt: at(-2 * HOUR),
        conductedBy: 'Testeducatrice',
        interviewerIndependent: true,
        referrals: ['MEDICAL_CHECK'],
        disclosures: { sexualExploitation: true, violence: false, sexualViolence: false },
        connections: { vehicles: [{ plate: PLATE, description: 'Berline grise' }] },
      })
      .expect(200);
    await settled();
    expect((await fugue(episode.a)).connections.vehicles).toEqual([{ plate: 'GH472TK', description: 'Berline grise' }]);
    expect(await linkedEvents(episode.a)).toEqual([]); // nobody else in that car yet
  });

  it('a week after A left, B leaves in that car: linked to A, PEER_EXPLOITED from the link, worrying, her alert sent', async () => {
    departedB = daytimeAtOrBefore(new Date(clock.nowMs() - 90 * MINUTE));
    const youthB = (await makeYouth(t, foyerKey, foyerId)).id;
    episode.b = (await declareFugue(t, foyerKey, youthB, { lastSeenAt: departedB.toISOString(), departedWith: 'alone', indicators: ['SCHOOL_DROPOUT'] })).id;
    await settled();
    const before = await fugue(episode.b);
    expect(before.effectiveLevel).toBe('routine');
    expect(codes(before)).not.toContain('PEER_EXPLOITED');
    expect(await linkedEvents(episode.b)).toEqual([]);

    // The foyer learns which car she got into.
    await t.http.post(`/v1/fugues/${episode.b}/updates`).set(bearer(foyerKey)).send({ connections: { vehicles: [{ plate: 'gh 472 tk' }] } }).expect(201);
    await settled();

    const after = await fugue(episode.b);
    expect(after.effectiveLevel).toBe('worrying');
    expect(after.classification.level).toBe('worrying');
    expect(reasonOf(after, 'PEER_EXPLOITED')).toEqual({ code: 'PEER_EXPLOITED', kind: 'aggravating', weight: 3, source: 'link' });
    expect(after.classification.score).toBe(before.classification.score + 3);
    expect(codes(after)).toEqual(expect.arrayContaining(codes(before)));
    expect(await linkedEvents(episode.b)).toEqual([{ linkedFugueId: episode.a, reasons: ['SAME_VEHICLE'], newReasons: ['SAME_VEHICLE'] }]);
    expect(await linkedEvents(episode.a)).toEqual([{ linkedFugueId: episode.b, reasons: ['SAME_VEHICLE'], newReasons: ['SAME_VEHICLE'] }]);
    expect((await timeline(episode.b)).filter((e) => e.type === 'link.indicator').map((e) => e.data)).toEqual([
      { indicator: 'PEER_EXPLOITED', source: 'link', linkedFugueId: episode.a, reasons: ['SAME_VEHICLE'] },
    ]);
    const links = (await t.http.get(`/v1/fugues/${episode.b}/links`).set(bearer(foyerKey)).expect(200)).body.items;
    expect(links).toEqual([{ fugueId: episode.a, reasons: ['SAME_VEHICLE'], foundAt: expect.any(String), sameFoyer: true, level: expect.any(String), cancelled: false }]);

    // The link made her worrying: her alert's first step reaches the police and child protection, with the new reason.
    await waitFor(async () => (await alertMailsOfB('brigade@story75.test')).length === 1 && (await alertMailsOfB('ase@story75.test')).length === 1, {
      what: "step 0 of B's alert",
    });
    for (const address of ['brigade@story75.test', 'ase@story75.test']) {
      const [mail] = await alertMailsOfB(address);
      expect(mail.text).toContain('Lien avec un jeune connu comme exploité');
      // The car and the other episode stay behind the sign-in.
      expect(mail.text).not.toContain('GH472TK');
      expect(mail.text).not.toContain(episode.a);
    }
    // Two youths of the foyer linked: no cluster yet.
    expect(await t.dataSource.query(`SELECT 1 FROM foyer_clusters WHERE foyer_id = $1`, [foyerId])).toEqual([]);
  });

  it('C leaves with B: three youths of the foyer linked, one cluster notice, and the link is news for those B’s alert reached', async () => {
    const youthC = (await makeYouth(t, foyerKey, foyerId)).id;
    episode.c = (await declareFugue(t, foyerKey, youthC, { lastSeenAt: new Date(departedB.getTime() + 20 * MINUTE).toISOString(), departedWith: 'peers' })).id;
    await settled();
    expect(await linkedEvents(episode.c)).toEqual([{ linkedFugueId: episode.b, reasons: ['LEFT_TOGETHER'], newReasons: ['LEFT_TOGETHER'] }]);
    // C left with B, whose youth is not known to be exploited: no PEER_EXPLOITED for C.
    expect(reasonOf(await fugue(episode.c), 'PEER_EXPLOITED')).toBeNull();

    expect(await t.dataSource.query(`SELECT youth_count FROM foyer_clusters WHERE foyer_id = $1`, [foyerId])).toEqual([{ youth_count: 3 }]);
    await waitFor(async () => (await clusterMails('ase@story75.test')).length === 1 && (await clusterMails('astreinte@story75.test')).length === 1, {
      what: 'the foyer-cluster notices',
    });
    for (const address of ['ase@story75.test', 'astreinte@story75.test']) {
      const [mail] = await clusterMails(address);
      expect(mail.text).toContain(`Plusieurs jeunes du foyer ${FOYER_NAME} ${CLUSTER_WORDS}`);
      expect(mail.text).not.toContain('Testprenom');
    }
    expect(await clusterMails('brigade@story75.test')).toEqual([]);
    expect(await clusterMails('parquet@story75.test')).toEqual([]);

    // The link is a new fact on B's alert: it waits for its 5-minute window, then reaches the police and child protection.
    await sweepsRun(t, 2);
    expect(await newsOfB('brigade@story75.test')).toEqual([]);
    clock.offsetMs = 5 * MINUTE + 5000;
    await waitFor(async () => (await newsOfB('brigade@story75.test')).length === 1 && (await newsOfB('ase@story75.test')).length === 1, {
      what: "the news of B's alert",
    });
    for (const address of ['brigade@story75.test', 'ase@story75.test']) {
      const [mail] = await newsOfB(address);
      expect(mail.text).toContain(LINKED_WORDS);
      expect(mail.text).not.toContain(episode.c); // the other episode, its reasons: behind the sign-in
      expect(mail.text).not.toContain('LEFT_TOGETHER');
    }
    const news = await t.dataSource.query(
      `SELECT r.role, n.status, n.facts FROM notifications n JOIN referents r ON r.id = n.referent_id WHERE n.fugue_id = $1 AND n.kind = 'alert.news' ORDER BY r.role`,
      [episode.b],
    );
    expect(news.map((n: Json) => [n.role, n.status, n.facts.map((f: Json) => f.type)])).toEqual([
      ['child_protection', 'sent', ['linked']],
      ['police', 'sent', ['linked']],
    ]);
    // Nobody B's alert did not reach hears of it.
    expect(await newsOfB('astreinte@story75.test')).toEqual([]);
    expect(await newsOfB('parquet@story75.test')).toEqual([]);
  });

  it('a fourth youth leaving with them is linked, and no second cluster notice goes out', async () => {
    const youthD = (await makeYouth(t, foyerKey, foyerId)).id;
    episode.d = (await declareFugue(t, foyerKey, youthD, { lastSeenAt: new Date(departedB.getTime() + 40 * MINUTE).toISOString(), departedWith: 'peers' })).id;
    await settled();
    expect((await linkedEvents(episode.d)).map((e) => e.linkedFugueId).sort()).toEqual([episode.b, episode.c].sort());
    await sweepsRun(t, 2);
    expect(await t.dataSource.query(`SELECT youth_count FROM foyer_clusters WHERE foyer_id = $1`, [foyerId])).toEqual([{ youth_count: 3 }]);
    expect(await t.dataSource.query(`SELECT 1 FROM notifications WHERE kind = 'foyer.cluster'`)).toHaveLength(2);
    expect(await clusterMails('ase@story75.test')).toHaveLength(1);
    expect(await clusterMails('astreinte@story75.test')).toHaveLength(1);
  });

  it('a foyer of another département in the same car sees the reasons of its links, not the other episodes', async () => {
    const youthE = (await makeYouth(t, foyer13Key, foyer13Id)).id;
    episode.e = (await declareFugue(t, foyer13Key, youthE, { connections: { vehicles: [{ plate: 'GH472TK' }] } })).id;
    await settled();
    const seen = (await t.http.get(`/v1/fugues/${episode.e}/links`).set(bearer(foyer13Key)).expect(200)).body;
    expect(seen.items).toEqual([
      { fugueId: null, reasons: ['SAME_VEHICLE'], foundAt: expect.any(String), sameFoyer: false, level: null, cancelled: false },
      { fugueId: null, reasons: ['SAME_VEHICLE'], foundAt: expect.any(String), sameFoyer: false, level: null, cancelled: false },
    ]);
    for (const other of [episode.a, episode.b]) expect(JSON.stringify(seen)).not.toContain(other);
    // The same links, as someone who may see every episode reads them.
    const all = (await t.http.get(`/v1/fugues/${episode.e}/links`).set(bearer(t.adminKey)).expect(200)).body.items;
    expect(all.map((l: Json) => l.fugueId).sort()).toEqual([episode.a, episode.b].sort());
    expect(all.map((l: Json) => l.level)).toEqual([expect.any(String), expect.any(String)]);
    // Linked to a youth known to be exploited: E gains PEER_EXPLOITED too; the other foyer's episodes stay out of reach.
    expect(reasonOf(await fugue(episode.e, foyer13Key), 'PEER_EXPLOITED')).toEqual(expect.objectContaining({ source: 'link' }));
    await t.http.get(`/v1/fugues/${episode.b}`).set(bearer(foyer13Key)).expect(404);
    // The Paris foyer sees the link from its side, without the episode of Marseille.
    const fromB = (await t.http.get(`/v1/fugues/${episode.b}/links`).set(bearer(foyerKey)).expect(200)).body.items;
    expect(fromB.filter((l: Json) => l.fugueId === null)).toEqual([
      { fugueId: null, reasons: ['SAME_VEHICLE'], foundAt: expect.any(String), sameFoyer: false, level: null, cancelled: false },
    ]);
  });
});
