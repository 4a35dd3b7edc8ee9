import { bearer, birthDateForAge, declareFugue, makeClient, makeFoyer, makeReferent, makeYouth, SmtpCatcher, startTestApp, TestApp, waitFor, testNow } from '@vigie/testing';

/**
 * What a return interview reveals acts at once (integrations.md § Return interview, risk-model.md
 * § PRIOR_EXPLOITATION_DISCLOSURE): the disclosure referents are notified, SIGNALEMENT_PROCUREUR
 * joins the referrals, and the youth's next episodes carry PRIOR_EXPLOITATION_DISCLOSURE
 * (weight 3). The youths are 14: AGE_13_14 (2) alone keeps an episode routine, and with the
 * disclosure the score reaches 5, worrying.
 */

const HOUR = 3600_000;
const ago = (ms: number) => new Date(testNow().getTime() - ms).toISOString();

interface Reason {
  code: string;
  kind: string;
  weight: number | null;
  source: string;
}

describe('a disclosure in a return interview weighs on the same youth’s next episodes', () => {
  let t: TestApp;
  let smtp: SmtpCatcher;
  let foyerId: string;
  let foyerKey: string;
  const disclosureReferents: string[] = [];

  beforeAll(async () => {
    smtp = await SmtpCatcher.start();
    t = await startTestApp({ env: { SMTP_URL: smtp.url, VIGIE_DELIVERY_TIMEOUT_MS: '2000' } });
    const foyer = await makeFoyer(t, { departmentCode: '75' });
    foyerId = foyer.id;
    foyerKey = (await makeClient(t, { role: 'foyer', foyerIds: [foyer.id] })).key;
    disclosureReferents.push(
      (await makeReferent(t, { departmentCode: '75', role: 'prosecutor', channels: [{ type: 'email', address: 'parquet@justice.test' }] })).id,
      (await makeReferent(t, { departmentCode: '75', role: 'police', channels: [{ type: 'email', address: 'brigade@police.test' }] })).id,
      (await makeReferent(t, { departmentCode: '75', role: 'child_protection', channels: [{ type: 'email', address: 'ase@departement.test' }] })).id,
    );
    await makeReferent(t, { departmentCode: '75', role: 'department_duty', channels: [{ type: 'email', address: 'astreinte@departement.test' }] });
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  const youth14 = async () => (await makeYouth(t, foyerKey, foyerId, { birthDate: birthDateForAge(14) })).id;

  async function classification(fugueId: string, times: number) {
    await waitFor(
      async () => {
        const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM fugue_classifications WHERE fugue_id = $1`, [fugueId]);
        return n >= times;
      },
      { what: `classification ${times} of ${fugueId}` },
    );
    return (await t.http.get(`/v1/fugues/${fugueId}`).set(bearer(foyerKey)).expect(200)).body.classification as { level: string; score: number; reasons: Reason[] };
  }

  /** An episode of the youth from `noticedAgo` to `returnedAgo`, and its return interview's id. */
  async function returnedEpisode(youthId: string, noticedAgo: number, returnedAgo: number) {
    const { id: fugueId } = await declareFugue(t, foyerKey, youthId, { noticedMissingAt: ago(noticedAgo) });
    await classification(fugueId, 1);
    await t.http.post(`/v1/fugues/${fugueId}/return`).set(bearer(foyerKey)).send({ returnedAt: ago(returnedAgo), foundBy: 'self' }).expect(200);
    const interview = (await t.http.get(`/v1/return-interviews?fugueId=${fugueId}`).set(bearer(foyerKey)).expect(200)).body.items[0];
    return { fugueId, interviewId: interview.id as string };
  }

  const completed = (conductedAgo: number, extra: Record<string, unknown>) => ({
    outcome: 'completed',
    conductedAt: ago(conductedAgo),
    conductedBy: 'Éducatrice de test',
    interviewerIndependent: true,
    referrals: ['MEDICAL_CHECK'],
    ...extra,
  });

  const disclosureNotices = (fugueId: string): Promise<{ referent_id: string; status: string }[]> =>
    t.dataSource.query(`SELECT referent_id, status FROM notifications WHERE fugue_id = $1 AND kind = 'interview.disclosure' ORDER BY referent_id`, [fugueId]);

  const PRIOR_DISCLOSURE: Reason = { code: 'PRIOR_EXPLOITATION_DISCLOSURE', kind: 'aggravating', weight: 3, source: 'history' };

  it('notifies the disclosure roles at once, adds the signalement, and makes the next episode worrying', async () => {
    const youthId = await youth14();
    const first = await returnedEpisode(youthId, 10 * HOUR, 8 * HOUR);
    expect((await classification(first.fugueId, 1)).level).toBe('routine');

    const recorded = await t.http
      .put(`/v1/return-interviews/${first.interviewId}`)
      .set(bearer(foyerKey))
      .send(completed(HOUR, { exploitationIndicators: ['HOTEL_OR_RENTAL'], disclosures: { sexualExploitation: true, violence: false, sexualViolence: false }, whereabouts: 'Zqxhotel zone nord' }))
      .expect(200);
    expect(recorded.body.referrals).toEqual(['MEDICAL_CHECK', 'SIGNALEMENT_PROCUREUR']);

    // The prosecutor, the police and child protection, at once (not department duty: the roles were reached).
    await waitFor(async () => (await disclosureNotices(first.fugueId)).filter((n) => n.status === 'sent').length === 3, { what: 'the disclosure notices' });
    expect((await disclosureNotices(first.fugueId)).map((n) => n.referent_id).sort()).toEqual([...disclosureReferents].sort());
    const mail = (await Promise.all(smtp.messagesTo('parquet@justice.test').map((m) => smtp.parse(m))))[0];
    expect(mail.subject).toBe("[Vigie] Révélation lors d'un entretien de retour – 75 Paris");
    expect(mail.text).toContain(['Révélé :', '- Exploitation sexuelle', '- Clés d’hôtel ou location de courte durée évoquée'].join('\n'));
    expect(mail.text).toContain('Jeune : Testprenom T., 14 ans');
    expect(mail.text).not.toMatch(/Testnom|Zqxhotel/);
    const timeline = (await t.http.get(`/v1/fugues/${first.fugueId}/timeline`).set(bearer(foyerKey)).expect(200)).body.items as { type: string; data: Record<string, unknown> }[];
    expect(timeline.find((e) => e.type === 'interview.disclosure')?.data).toMatchObject({
      roles: ['prosecutor', 'police', 'child_protection'],
      notifications: 3,
      signalementAdded: true,
      fallbackToDepartmentDuty: false,
    });

    await t.http.post(`/v1/fugues/${first.fugueId}/close`).set(bearer(foyerKey)).send({ reason: 'Retour au foyer' }).expect(200);
    const { id: second } = await declareFugue(t, foyerKey, youthId);
    const next = await classification(second, 1);
    expect(next).toMatchObject({ level: 'worrying', score: 5 });
    expect(next.reasons).toEqual([PRIOR_DISCLOSURE, { code: 'AGE_13_14', kind: 'aggravating', weight: 2, source: 'computed' }]);
  });

  it('leaves the next episode of a youth whose interview revealed nothing routine', async () => {
    const youthId = await youth14();
    const first = await returnedEpisode(youthId, 10 * HOUR, 8 * HOUR);
    const recorded = await t.http
      .put(`/v1/return-interviews/${first.interviewId}`)
      .set(bearer(foyerKey))
      .send(completed(HOUR, { exploitationIndicators: [], disclosures: { sexualExploitation: false, violence: false, sexualViolence: false } }))
      .expect(200);
    expect(recorded.body.referrals).toEqual(['MEDICAL_CHECK']);
    expect(await disclosureNotices(first.fugueId)).toEqual([]);
    await t.http.post(`/v1/fugues/${first.fugueId}/close`).set(bearer(foyerKey)).send({ reason: 'Retour au foyer' }).expect(200);
    const { id: second } = await declareFugue(t, foyerKey, youthId);
    expect(await classification(second, 1)).toMatchObject({ level: 'routine', score: 2, reasons: [{ code: 'AGE_13_14' }] });
  });

  it('re-triages the episode already open when an earlier interview is recorded late (cause history)', async () => {
    const youthId = await youth14();
    const first = await returnedEpisode(youthId, 10 * HOUR, 8 * HOUR);
    // The youth ran away again an hour ago, before the first interview was written down.
    const { id: open } = await declareFugue(t, foyerKey, youthId, { noticedMissingAt: ago(HOUR) });
    expect(await classification(open, 1)).toMatchObject({ level: 'routine', score: 2 });

    // Held two hours ago (before this episode began), recorded now: one exploitation indicator is enough.
    await t.http.put(`/v1/return-interviews/${first.interviewId}`).set(bearer(foyerKey)).send(completed(2 * HOUR, { exploitationIndicators: ['MULTIPLE_PHONES'] })).expect(200);
    const retriaged = await classification(open, 2);
    expect(retriaged).toMatchObject({ level: 'worrying', score: 5 });
    expect(retriaged.reasons).toContainEqual(PRIOR_DISCLOSURE);
    const [latest] = await t.dataSource.query(`SELECT cause FROM fugue_classifications WHERE fugue_id = $1 ORDER BY evaluated_at DESC LIMIT 1`, [open]);
    expect(latest.cause).toBe('history');
    // Worrying and still missing: its alert opens.
    await waitFor(async () => (await t.dataSource.query(`SELECT id FROM alerts WHERE fugue_id = $1`, [open])).length === 1, { what: 'the alert of the open episode' });
  });

  it('notifies a violence disclosed on a declined interview at once, without counting it as a completed one for the triage', async () => {
    const youthId = await youth14();
    const first = await returnedEpisode(youthId, 10 * HOUR, 8 * HOUR);
    const recorded = await t.http
      .put(`/v1/return-interviews/${first.interviewId}`)
      .set(bearer(foyerKey))
      .send({ outcome: 'declined', disclosures: { violence: true } })
      .expect(200);
    expect(recorded.body).toMatchObject({ status: 'declined', referrals: ['SIGNALEMENT_PROCUREUR'], disclosures: { sexualExploitation: false, violence: true, sexualViolence: false } });
    await waitFor(async () => (await disclosureNotices(first.fugueId)).length === 3, { what: 'the disclosure notices' });
    await t.http.post(`/v1/fugues/${first.fugueId}/close`).set(bearer(foyerKey)).send({ reason: 'Retour au foyer' }).expect(200);
    const { id: second } = await declareFugue(t, foyerKey, youthId);
    expect((await classification(second, 1)).reasons.map((r) => r.code)).toEqual(['AGE_13_14']);
  });
});
