import IORedis from 'ioredis';
import {
  bearer,
  createTestDatabase,
  declareFugue,
  makeClient,
  makeFoyer,
  makeReferent,
  makeYouth,
  PrivateRedis,
  SmtpCatcher,
  startTestApp,
  sweepsRun,
  TestApp,
  TestDatabase,
  waitFor,
  testNow,
} from '@vigie/testing';

/**
 * integrations.md § Return interview, end to end: the return tells the police of the département
 * and schedules exactly one interview due 72 h later; foyer duty is reminded 24 h before; at the
 * due time an interview still scheduled becomes overdue and notifies the overdueInterview roles,
 * from PostgreSQL state (a restart with an emptied Redis loses nothing); the outcome is recorded
 * once, validated field by field, its free text encrypted at rest; every route keeps to its scope.
 *
 * Deadlines three days away are brought to now by moving the test row's due times in SQL: the
 * sweep reads nothing else.
 */

const HOUR = 3600_000;

/** Free-text answers: each one is searched for where it must never be. */
const FREE_TEXT = {
  conductedBy: 'Zqxeducatrice referente',
  whereabouts: 'Zqxappartement gare du nord',
  companions: 'Zqxdeux majeurs inconnus',
  transport: 'Zqxvoiture grise',
  resources: 'Zqxargent donne par un tiers',
  healthNeeds: 'Zqxbesoin de soins dentaires',
  youthWishes: 'Zqxchanger de foyer',
};
const markersIn = (text: string) => Object.values(FREE_TEXT).filter((marker) => text.toLowerCase().includes(marker.toLowerCase()));

interface InterviewSummary {
  id: string;
  fugueId: string;
  youthId: string;
  status: string;
  returnedAt: string;
  dueAt: string;
  reminderDueAt: string;
  overdue: boolean;
  overdueAt: string | null;
  remindedAt: string | null;
}

interface NotificationRow {
  kind: string;
  referent_id: string;
  channel: string;
  status: string;
}

describe('return interviews', () => {
  let t: TestApp;
  let smtp: SmtpCatcher;
  let foyerId: string;
  let foyerKey: string;
  let otherFoyerKey: string;
  let protection75Key: string;
  let protection93Key: string;
  let police75Key: string;
  let hotlineKey: string;
  const referents: Record<'foyerDuty' | 'protection75' | 'police75' | 'police93' | 'prosecutor75', string> = {
    foyerDuty: '',
    protection75: '',
    police75: '',
    police93: '',
    prosecutor75: '',
  };

  beforeAll(async () => {
    smtp = await SmtpCatcher.start();
    t = await startTestApp({ env: { SMTP_URL: smtp.url, VIGIE_DELIVERY_TIMEOUT_MS: '2000' } });
    const foyer = await makeFoyer(t, { departmentCode: '75' });
    foyerId = foyer.id;
    foyerKey = (await makeClient(t, { role: 'foyer', foyerIds: [foyer.id] })).key;
    const otherFoyer = await makeFoyer(t, { departmentCode: '75' });
    otherFoyerKey = (await makeClient(t, { role: 'foyer', foyerIds: [otherFoyer.id] })).key;
    protection75Key = (await makeClient(t, { role: 'child_protection', departmentCodes: ['75'] })).key;
    protection93Key = (await makeClient(t, { role: 'child_protection', departmentCodes: ['93'] })).key;
    police75Key = (await makeClient(t, { role: 'police', departmentCodes: ['75'] })).key;
    hotlineKey = (await makeClient(t, { role: 'hotline', departmentCodes: [] })).key;

    referents.foyerDuty = (await makeReferent(t, { departmentCode: '75', role: 'foyer_duty', foyerId, channels: [{ type: 'email', address: 'astreinte@foyer.test' }] })).id;
    referents.protection75 = (await makeReferent(t, { departmentCode: '75', role: 'child_protection', channels: [{ type: 'email', address: 'ase@departement75.test' }] })).id;
    referents.police75 = (await makeReferent(t, { departmentCode: '75', role: 'police', channels: [{ type: 'email', address: 'brigade@police75.test' }] })).id;
    referents.prosecutor75 = (await makeReferent(t, { departmentCode: '75', role: 'prosecutor', channels: [{ type: 'email', address: 'parquet@justice75.test' }] })).id;
    referents.police93 = (await makeReferent(t, { departmentCode: '93', role: 'police', channels: [{ type: 'email', address: 'brigade@police93.test' }] })).id;
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  /** A new youth of the foyer, declared missing `noticedAgoMs` ago and back `returnedAgoMs` ago. */
  async function returnedEpisode({
    returnedAgoMs = 30_000,
    noticedAgoMs = returnedAgoMs + HOUR,
    key = foyerKey,
    foundBy = 'police',
    declaration = {},
    beforeReturn,
  }: {
    returnedAgoMs?: number;
    noticedAgoMs?: number;
    key?: string;
    foundBy?: string;
    declaration?: Record<string, unknown>;
    beforeReturn?: (fugueId: string) => Promise<void>;
  } = {}) {
    const youth = await makeYouth(t, key, foyerId);
    const { id: fugueId } = await declareFugue(t, key, youth.id, { noticedMissingAt: new Date(testNow().getTime() - noticedAgoMs).toISOString(), ...declaration });
    await beforeReturn?.(fugueId);
    const returnedAt = new Date(testNow().getTime() - returnedAgoMs);
    await t.http.post(`/v1/fugues/${fugueId}/return`).set(bearer(key)).send({ returnedAt: returnedAt.toISOString(), foundBy }).expect(200);
    return { fugueId, youthId: youth.id, returnedAt, interview: await interviewOf(fugueId) };
  }

  async function interviewOf(fugueId: string, key = foyerKey): Promise<InterviewSummary> {
    const res = await t.http.get(`/v1/return-interviews?fugueId=${fugueId}`).set(bearer(key)).expect(200);
    expect(res.body.items).toHaveLength(1);
    return res.body.items[0];
  }

  const notifications = (fugueId: string, kind: string): Promise<NotificationRow[]> =>
    t.dataSource.query(`SELECT kind, referent_id, channel, status FROM notifications WHERE fugue_id = $1 AND kind = $2 ORDER BY referent_id`, [fugueId, kind]);

  const timeline = async (fugueId: string): Promise<{ type: string; data: Record<string, unknown> }[]> =>
    (await t.http.get(`/v1/fugues/${fugueId}/timeline`).set(bearer(t.adminKey)).expect(200)).body.items;

  async function mailsTo(address: string, subject: string) {
    const parsed = await Promise.all(smtp.messagesTo(address).map((m) => smtp.parse(m)));
    return parsed.filter((m) => m.subject === subject);
  }

  describe('the return closes the loop', () => {
    it('schedules exactly one interview, due 72 h after the return, reminded 24 h before', async () => {
      const { fugueId, youthId, returnedAt, interview } = await returnedEpisode();
      expect(interview).toMatchObject({
        fugueId,
        youthId,
        status: 'scheduled',
        returnedAt: returnedAt.toISOString(),
        dueAt: new Date(returnedAt.getTime() + 72 * HOUR).toISOString(),
        reminderDueAt: new Date(returnedAt.getTime() + 48 * HOUR).toISOString(),
        overdue: false,
        overdueAt: null,
        remindedAt: null,
      });
      // A second return is refused and schedules nothing more.
      await t.http.post(`/v1/fugues/${fugueId}/return`).set(bearer(foyerKey)).send({ returnedAt: testNow().toISOString(), foundBy: 'self' }).expect(409);
      const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM return_interviews WHERE fugue_id = $1`, [fugueId]);
      expect(n).toBe(1);
      expect((await timeline(fugueId)).map((e) => e.type)).toEqual(expect.arrayContaining(['returned', 'return.notified', 'interview.scheduled']));
    });

    it("tells the police referents of the episode's département, and only them, that the youth they found is back", async () => {
      const { fugueId } = await returnedEpisode();
      await waitFor(async () => (await notifications(fugueId, 'fugue.returned')).every((n) => n.status === 'sent'), { what: 'the return notice to be sent' });
      expect(await notifications(fugueId, 'fugue.returned')).toEqual([{ kind: 'fugue.returned', referent_id: referents.police75, channel: 'email', status: 'sent' }]);
      const mails = await mailsTo('brigade@police75.test', '[Vigie] Retour au foyer – 75 Paris');
      const mail = mails.find((m) => m.text?.includes(`/episodes/${fugueId}`));
      expect(mail?.text).toContain('Testprenom est de retour au foyer : fin de la fugue.');
      expect(mail?.text).toContain('Jeune : Testprenom T., 16 ans');
      expect(mail?.text).toContain('Circonstances : retour avec la police ou la gendarmerie');
      expect(mail?.text).not.toContain('Testnom');
      expect(smtp.messagesTo('brigade@police93.test')).toEqual([]);
    });
  });

  describe('who hears of the return', () => {
    const toPolice = async (fugueId: string) => {
      const mails = await Promise.all(smtp.messagesTo('brigade@police75.test').map((m) => smtp.parse(m)));
      return mails.filter((m) => m.text?.includes(`/episodes/${fugueId}`));
    };

    it('tells the police nothing of a routine return they took no part in; the foyer still gets its interview', async () => {
      const { fugueId, interview } = await returnedEpisode({ foundBy: 'self' });
      expect(interview.status).toBe('scheduled');
      await sweepsRun(t, 2);
      expect(await notifications(fugueId, 'fugue.returned')).toEqual([]);
      expect(await toPolice(fugueId)).toEqual([]);
      expect((await timeline(fugueId)).map((e) => e.type)).not.toContain('return.notified');
    });

    it('tells the police of a routine return when they took part in the episode (an update by police)', async () => {
      const { fugueId } = await returnedEpisode({
        foundBy: 'family',
        beforeReturn: async (id) => {
          await t.http.post(`/v1/fugues/${id}/updates`).set(bearer(police75Key)).send({ note: 'Passage au commissariat' }).expect(201);
        },
      });
      await waitFor(async () => (await notifications(fugueId, 'fugue.returned'))[0]?.status === 'sent', { what: 'the return notice to the police' });
      expect(await notifications(fugueId, 'fugue.returned')).toEqual([{ kind: 'fugue.returned', referent_id: referents.police75, channel: 'email', status: 'sent' }]);
      await waitFor(async () => (await toPolice(fugueId)).length === 1, { what: 'the return e-mail' });
    });

    it('tells the police of the return of a worrying episode, though the foyer brought the youth back', async () => {
      const { fugueId } = await returnedEpisode({
        foundBy: 'self',
        declaration: { indicators: ['SUICIDE_RISK'] },
        beforeReturn: async (id) => {
          await waitFor(async () => (await t.dataSource.query(`SELECT 1 FROM alerts WHERE fugue_id = $1`, [id])).length === 1, { what: 'the alert to open' });
        },
      });
      // The police the alert reached hear of the return by the alert's end; any other police referent by the return notice.
      await waitFor(async () => (await toPolice(fugueId)).some((m) => /de retour au foyer/i.test(m.text ?? '')), { what: 'the police to hear of the return' });
    });
  });

  describe('deadlines that hold', () => {
    it('reminds foyer duty once when the reminder time comes', async () => {
      const { fugueId, interview } = await returnedEpisode();
      await t.dataSource.query(`UPDATE return_interviews SET reminder_due_at = now() WHERE id = $1`, [interview.id]);
      await waitFor(async () => (await notifications(fugueId, 'interview.reminder'))[0]?.status === 'sent', { what: 'the reminder' });
      const reminded = await interviewOf(fugueId);
      expect(reminded).toMatchObject({ status: 'scheduled', overdue: false, remindedAt: expect.any(String) });
      const mails = await mailsTo('astreinte@foyer.test', '[Vigie] Entretien de retour à tenir – 75 Paris');
      expect(mails.some((m) => m.text?.includes('Échéance :'))).toBe(true);
      // Several whole sweeps run since: the reminder is not sent again.
      await sweepsRun(t, 3);
      expect(await notifications(fugueId, 'interview.reminder')).toEqual([{ kind: 'interview.reminder', referent_id: referents.foyerDuty, channel: 'email', status: 'sent' }]);
      expect((await timeline(fugueId)).filter((e) => e.type === 'interview.reminder')).toHaveLength(1);
    });

    it('marks an interview still scheduled overdue at its due time and notifies the overdueInterview roles', async () => {
      const { fugueId, interview } = await returnedEpisode();
      // Due and reminder time both past (a long outage): only the overdue notice goes out.
      await t.dataSource.query(`UPDATE return_interviews SET reminder_due_at = now(), due_at = now() WHERE id = $1`, [interview.id]);
      await waitFor(async () => (await interviewOf(fugueId)).overdue, { what: 'the interview to be overdue' });
      const overdue = await interviewOf(fugueId);
      expect(overdue).toMatchObject({ status: 'scheduled', overdue: true, overdueAt: expect.any(String), remindedAt: null });

      await waitFor(async () => (await notifications(fugueId, 'interview.overdue')).filter((n) => n.status === 'sent').length === 2, { what: 'the overdue notices' });
      expect((await notifications(fugueId, 'interview.overdue')).map((n) => n.referent_id).sort()).toEqual([referents.foyerDuty, referents.protection75].sort());
      expect(await notifications(fugueId, 'interview.reminder')).toEqual([]);
      const [mail] = await mailsTo('ase@departement75.test', '[Vigie] Entretien de retour en retard – 75 Paris');
      expect(mail.text).toContain("L'entretien de retour de fugue n'a pas été enregistré dans les 72 heures suivant le retour.");

      const event = (await timeline(fugueId)).find((e) => e.type === 'interview.overdue');
      expect(event?.data).toMatchObject({ interviewId: interview.id, roles: ['child_protection', 'foyer_duty'], fallbackToDepartmentDuty: false, notifications: 2 });
      // The outbound event, thin: ids and the due time.
      const [webhookEvent] = await t.dataSource.query(`SELECT data FROM webhook_events WHERE type = 'return_interview.overdue' AND data->>'interviewId' = $1`, [interview.id]);
      expect(webhookEvent.data).toEqual({ interviewId: interview.id, fugueId, dueAt: expect.any(String) });

      const overdueList = (await t.http.get('/v1/return-interviews?overdue=true').set(bearer(foyerKey)).expect(200)).body.items.map((i: InterviewSummary) => i.id);
      const onTimeList = (await t.http.get('/v1/return-interviews?overdue=false').set(bearer(foyerKey)).expect(200)).body.items.map((i: InterviewSummary) => i.id);
      expect(overdueList).toContain(interview.id);
      expect(onTimeList).not.toContain(interview.id);
    });

    it('makes a return declared 73 hours after the fact overdue at once, without a reminder', async () => {
      const { fugueId, returnedAt } = await returnedEpisode({ returnedAgoMs: 73 * HOUR, noticedAgoMs: 80 * HOUR });
      // Read right after the return's response: no sweep was needed.
      const interview = await interviewOf(fugueId);
      expect(interview).toMatchObject({ status: 'scheduled', overdue: true, remindedAt: null, dueAt: new Date(returnedAt.getTime() + 72 * HOUR).toISOString() });
      expect((await notifications(fugueId, 'interview.overdue')).map((n) => n.referent_id).sort()).toEqual([referents.foyerDuty, referents.protection75].sort());
      expect(await notifications(fugueId, 'interview.reminder')).toEqual([]);
    });

    it('reminds at once a return declared 50 hours after the fact', async () => {
      const { fugueId } = await returnedEpisode({ returnedAgoMs: 50 * HOUR, noticedAgoMs: 60 * HOUR });
      expect(await interviewOf(fugueId)).toMatchObject({ overdue: false, remindedAt: expect.any(String) });
      expect(await notifications(fugueId, 'interview.reminder')).toHaveLength(1);
    });

    it('does not send a reminder for an interview recorded before the notice went out', async () => {
      const { fugueId, interview } = await returnedEpisode();
      await t.http.put(`/v1/return-interviews/${interview.id}`).set(bearer(foyerKey)).send({ outcome: 'declined' }).expect(200);
      await t.dataSource.query(`UPDATE return_interviews SET reminder_due_at = now(), due_at = now() WHERE id = $1`, [interview.id]);
      // Only scheduled interviews are swept: the recorded one never becomes overdue, whatever sweeps run since.
      await sweepsRun(t, 3);
      expect(await interviewOf(fugueId)).toMatchObject({ status: 'declined', overdue: false, remindedAt: null });
      expect(await notifications(fugueId, 'interview.overdue')).toEqual([]);
    });
  });

  describe('the interview record', () => {
    const full = (conductedAt: Date) => ({
      outcome: 'completed',
      conductedAt: conductedAt.toISOString(),
      interviewerIndependent: true,
      pushFactors: ['PLACEMENT_CONFLICT', 'FAMILY_CONFLICT'],
      pullFactors: ['PEERS'],
      exploitationIndicators: [],
      disclosures: { sexualExploitation: false, violence: false, sexualViolence: false },
      substanceUse: true,
      safetyAdviceGiven: true,
      referrals: ['MEDICAL_CHECK', 'ADDICTION_SERVICE'],
      ...FREE_TEXT,
    });

    it('records a completed interview once, with its answers, the free text encrypted at rest', async () => {
      const { fugueId, youthId, interview } = await returnedEpisode();
      const conductedAt = new Date(testNow().getTime() - 10_000);
      const res = await t.http.put(`/v1/return-interviews/${interview.id}`).set(bearer(foyerKey)).send(full(conductedAt)).expect(200);
      expect(res.body).toMatchObject({
        id: interview.id,
        fugueId,
        youthId,
        status: 'completed',
        overdue: false,
        recordedAt: expect.any(String),
        conductedAt: conductedAt.toISOString(),
        interviewerIndependent: true,
        pushFactors: ['PLACEMENT_CONFLICT', 'FAMILY_CONFLICT'],
        pullFactors: ['PEERS'],
        exploitationIndicators: [],
        disclosures: { sexualExploitation: false, violence: false, sexualViolence: false },
        substanceUse: true,
        safetyAdviceGiven: true,
        referrals: ['MEDICAL_CHECK', 'ADDICTION_SERVICE'],
        reason: null,
        ...FREE_TEXT,
      });
      expect((await t.http.get(`/v1/return-interviews/${interview.id}`).set(bearer(protection75Key)).expect(200)).body).toEqual(res.body);

      const again = await t.http.put(`/v1/return-interviews/${interview.id}`).set(bearer(foyerKey)).send(full(conductedAt)).expect(409);
      expect(again.body).toMatchObject({ code: 'INVALID_TRANSITION' });

      // Encrypted at rest, and nowhere in plain text: not in the row, the timeline, notifications, webhook events or the outbox.
      const [row] = await t.dataSource.query(`SELECT answers_enc, row_to_json(i)::text AS json FROM return_interviews i WHERE id = $1`, [interview.id]);
      expect(row.answers_enc).toMatch(/^v2\./);
      expect(markersIn(row.json)).toEqual([]);
      for (const table of ['fugue_events', 'notifications', 'webhook_events', 'outbox', 'audit_log']) {
        const rows: { json: string }[] = await t.dataSource.query(`SELECT row_to_json(x)::text AS json FROM ${table} x`);
        expect({ table, markers: markersIn(rows.map((r) => r.json).join('\n')) }).toEqual({ table, markers: [] });
      }
      // Job payloads in Redis carry ids only.
      const redis = new IORedis(t.env.REDIS_URL, { maxRetriesPerRequest: 1 });
      try {
        const keys = await redis.keys(`${t.env.VIGIE_QUEUE_PREFIX}:*`);
        const values = await Promise.all(keys.map(async (key) => ((await redis.type(key)) === 'hash' ? JSON.stringify(await redis.hgetall(key)) : key)));
        expect(markersIn(values.join('\n'))).toEqual([]);
      } finally {
        redis.disconnect();
      }

      const recorded = (await timeline(fugueId)).find((e) => e.type === 'interview.recorded');
      expect(recorded?.data).toEqual({ interviewId: interview.id, outcome: 'completed', conductedAt: conductedAt.toISOString(), late: false });
      // Responses carrying the free text are audited, with the episode and the youth.
      const audit: { action: string; method: string; youth_id: string }[] = await t.dataSource.query(
        `SELECT action, method, youth_id FROM audit_log WHERE fugue_id = $1 AND route = '/v1/return-interviews/:id' ORDER BY id`,
        [fugueId],
      );
      expect(audit).toEqual([
        { action: 'change', method: 'PUT', youth_id: youthId },
        { action: 'read_identity', method: 'GET', youth_id: youthId },
      ]);
    });

    it('records an interview the youth declined, with what carers know, and one not held with its reason', async () => {
      const declined = (await returnedEpisode()).interview;
      const res = await t.http.put(`/v1/return-interviews/${declined.id}`).set(bearer(protection75Key)).send({ outcome: 'declined', pushFactors: ['PLACEMENT_RULES'] }).expect(200);
      expect(res.body).toMatchObject({ status: 'declined', conductedAt: null, pushFactors: ['PLACEMENT_RULES'], reason: null });

      const notHeld = (await returnedEpisode()).interview;
      const held = await t.http.put(`/v1/return-interviews/${notHeld.id}`).set(bearer(foyerKey)).send({ outcome: 'not_held', reason: 'Jeune hospitalisé' }).expect(200);
      expect(held.body).toMatchObject({ status: 'not_held', reason: 'Jeune hospitalisé', conductedAt: null });
    });

    it('marks a completed interview held after its due time as late in the timeline', async () => {
      const { fugueId, returnedAt, interview } = await returnedEpisode({ returnedAgoMs: 80 * HOUR, noticedAgoMs: 90 * HOUR });
      const conductedAt = new Date(returnedAt.getTime() + 75 * HOUR);
      await t.http.put(`/v1/return-interviews/${interview.id}`).set(bearer(foyerKey)).send(full(conductedAt)).expect(200);
      expect((await interviewOf(fugueId)).overdue).toBe(true);
      expect((await timeline(fugueId)).find((e) => e.type === 'interview.recorded')?.data).toMatchObject({ late: true });
    });

    describe('refuses an invalid record with a 400 naming the field, and records nothing', () => {
      let interview: InterviewSummary;
      let returnedAt: Date;
      const ok = () => ({ outcome: 'completed', conductedAt: new Date(testNow().getTime() - 1000).toISOString(), conductedBy: 'Éducatrice', interviewerIndependent: false });

      beforeAll(async () => {
        ({ interview, returnedAt } = await returnedEpisode({ returnedAgoMs: HOUR }));
      });

      const CASES: [string, () => Record<string, unknown>, string][] = [
        ['no outcome', () => ({ conductedAt: testNow().toISOString() }), 'outcome'],
        ['an unknown outcome', () => ({ ...ok(), outcome: 'postponed' }), 'outcome'],
        ['completed without conductedAt', () => ({ ...ok(), conductedAt: undefined }), 'conductedAt'],
        ['completed without conductedBy', () => ({ ...ok(), conductedBy: undefined }), 'conductedBy'],
        ['completed without interviewerIndependent', () => ({ ...ok(), interviewerIndependent: undefined }), 'interviewerIndependent'],
        ['not held without a reason', () => ({ outcome: 'not_held' }), 'reason'],
        ['not held with an empty reason', () => ({ outcome: 'not_held', reason: '' }), 'reason'],
        ['not held with a conductedAt', () => ({ outcome: 'not_held', reason: 'Absent', conductedAt: testNow().toISOString() }), 'conductedAt'],
        ['a reason with another outcome', () => ({ outcome: 'declined', reason: 'Refus' }), 'reason'],
        ['conductedAt not a time', () => ({ ...ok(), conductedAt: '2026-13-01T10:00:00Z' }), 'conductedAt'],
        ['conductedAt without an offset', () => ({ ...ok(), conductedAt: '2026-01-01T10:00:00' }), 'conductedAt'],
        ['conductedAt in the future', () => ({ ...ok(), conductedAt: new Date(testNow().getTime() + HOUR).toISOString() }), 'conductedAt'],
        ['conductedAt before the return', () => ({ ...ok(), conductedAt: new Date(returnedAt.getTime() - 60_000).toISOString() }), 'conductedAt'],
        ['an empty conductedBy', () => ({ ...ok(), conductedBy: '' }), 'conductedBy'],
        ['interviewerIndependent as a string', () => ({ ...ok(), interviewerIndependent: 'true' }), 'interviewerIndependent'],
        ['an unknown push factor', () => ({ ...ok(), pushFactors: ['BAD_WEATHER'] }), 'pushFactors'],
        ['push factors not a list', () => ({ ...ok(), pushFactors: 'FAMILY_CONFLICT' }), 'pushFactors'],
        ['an unknown pull factor', () => ({ ...ok(), pullFactors: ['CONCERT'] }), 'pullFactors'],
        ['an episode indicator that is not an exploitation indicator', () => ({ ...ok(), exploitationIndicators: ['SUICIDE_RISK'] }), 'exploitationIndicators'],
        ['an unknown referral', () => ({ ...ok(), referrals: ['POLICE_CUSTODY'] }), 'referrals'],
        ['a referral that is not a string', () => ({ ...ok(), referrals: [42] }), 'referrals'],
        ['disclosures not an object', () => ({ ...ok(), disclosures: true }), 'disclosures'],
        ['a disclosure that is not a boolean', () => ({ ...ok(), disclosures: { violence: 'oui' } }), 'disclosures.violence'],
        ['an unknown disclosure', () => ({ ...ok(), disclosures: { drugs: true } }), 'disclosures.drugs'],
        ['substanceUse as a string', () => ({ ...ok(), substanceUse: 'yes' }), 'substanceUse'],
        ['safetyAdviceGiven as a number', () => ({ ...ok(), safetyAdviceGiven: 1 }), 'safetyAdviceGiven'],
        ['whereabouts over 2000 characters', () => ({ ...ok(), whereabouts: 'x'.repeat(2001) }), 'whereabouts'],
        ['companions as an object', () => ({ ...ok(), companions: { name: 'x' } }), 'companions'],
        ['transport as a number', () => ({ ...ok(), transport: 3 }), 'transport'],
        ['resources as a list', () => ({ ...ok(), resources: ['x'] }), 'resources'],
        ['healthNeeds as a boolean', () => ({ ...ok(), healthNeeds: true }), 'healthNeeds'],
        ['youthWishes over 2000 characters', () => ({ ...ok(), youthWishes: 'y'.repeat(2001) }), 'youthWishes'],
        ['an unknown field', () => ({ ...ok(), nickname: 'Zqxsurnom' }), 'nickname'],
      ];

      it.each(CASES)('%s', async (_name, body, field) => {
        const res = await t.http.put(`/v1/return-interviews/${interview.id}`).set(bearer(foyerKey)).send(body()).expect(400);
        expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', correlationId: expect.any(String) });
        expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
        expect(res.text).not.toContain('Zqxsurnom');
      });

      it('left the interview scheduled after every refusal', async () => {
        expect(CASES.length).toBeGreaterThanOrEqual(30);
        const [row] = await t.dataSource.query(`SELECT status, recorded_at, answers_enc FROM return_interviews WHERE id = $1`, [interview.id]);
        expect(row).toEqual({ status: 'scheduled', recorded_at: null, answers_enc: null });
      });
    });
  });

  describe('scope', () => {
    let interview: InterviewSummary;
    const get = (key: string) => t.http.get(`/v1/return-interviews/${interview.id}`).set(bearer(key));
    const put = (key: string) => t.http.put(`/v1/return-interviews/${interview.id}`).set(bearer(key)).send({ outcome: 'declined' });
    const listed = async (key: string) => (await t.http.get('/v1/return-interviews?limit=200').set(bearer(key)).expect(200)).body.items.map((i: InterviewSummary) => i.id);

    beforeAll(async () => {
      ({ interview } = await returnedEpisode());
    });

    it('hides the interview from a foyer and a child protection referent outside its scope (404, as for an unknown id)', async () => {
      for (const key of [otherFoyerKey, protection93Key]) {
        expect((await get(key).expect(404)).body.code).toBe('NOT_FOUND');
        await put(key).expect(404);
        expect(await listed(key)).not.toContain(interview.id);
      }
      await t.http.get('/v1/return-interviews/00000000-0000-4000-8000-000000000000').set(bearer(foyerKey)).expect(404);
    });

    it('refuses the police and the hotline on every interview route (403): they are told through notifications', async () => {
      for (const key of [police75Key, hotlineKey]) {
        expect((await get(key).expect(403)).body.code).toBe('FORBIDDEN');
        await put(key).expect(403);
        await t.http.get('/v1/return-interviews').set(bearer(key)).expect(403);
      }
    });

    it('lets the administrator read but not record', async () => {
      await get(t.adminKey).expect(200);
      expect(await listed(t.adminKey)).toContain(interview.id);
      await put(t.adminKey).expect(403);
    });

    it("lets the foyer and the département's child protection read it", async () => {
      await get(foyerKey).expect(200);
      await get(protection75Key).expect(200);
      expect(await listed(foyerKey)).toContain(interview.id);
      expect(await listed(protection75Key)).toContain(interview.id);
    });

    it('filters by status and refuses unknown filter values', async () => {
      const scheduled = (await t.http.get('/v1/return-interviews?status=scheduled&limit=200').set(bearer(foyerKey)).expect(200)).body.items;
      expect(scheduled.map((i: InterviewSummary) => i.id)).toContain(interview.id);
      expect(scheduled.every((i: InterviewSummary) => i.status === 'scheduled')).toBe(true);
      await t.http.get('/v1/return-interviews?status=postponed').set(bearer(foyerKey)).expect(400);
      await t.http.get('/v1/return-interviews?overdue=maybe').set(bearer(foyerKey)).expect(400);
      await t.http.get('/v1/return-interviews?fugueId=not-a-uuid').set(bearer(foyerKey)).expect(400);
    });
  });
});

describe('interview deadlines survive a restart with an emptied Redis', () => {
  let database: TestDatabase;
  let redis: PrivateRedis;
  let api: TestApp | undefined;
  let worker: TestApp | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = await PrivateRedis.start();
  });

  afterAll(async () => {
    await api?.close();
    await worker?.close();
    await redis?.dispose();
    await database?.drop();
  });

  it('marks the interview overdue once a worker runs again, from PostgreSQL alone', async () => {
    // The API alone: nothing sweeps while the due time passes.
    api = await startTestApp({ database, worker: false, env: { REDIS_URL: redis.url } });
    const foyer = await makeFoyer(api, { departmentCode: '75' });
    const key = (await makeClient(api, { role: 'foyer', foyerIds: [foyer.id] })).key;
    await makeReferent(api, { displayName: 'ASE', role: 'child_protection', departmentCode: '75', channels: [{ type: 'email', address: 'ase@restart.test' }] });
    const youth = await makeYouth(api, key, foyer.id);
    const { id: fugueId } = await declareFugue(api, key, youth.id);
    await api.http.post(`/v1/fugues/${fugueId}/return`).set(bearer(key)).send({ returnedAt: testNow().toISOString(), foundBy: 'self' }).expect(200);
    await api.dataSource.query(`UPDATE return_interviews SET due_at = now() WHERE fugue_id = $1`, [fugueId]);
    await api.close();
    api = undefined;

    // Redis restarts empty; a worker starts on the same database.
    await redis.stop();
    await redis.start();
    worker = await startTestApp({ database, api: false, env: { REDIS_URL: redis.url } });
    const ds = worker.dataSource;
    await waitFor(
      async () => {
        const [row] = await ds.query(`SELECT overdue_at FROM return_interviews WHERE fugue_id = $1`, [fugueId]);
        return row?.overdue_at;
      },
      { what: 'the interview to be marked overdue' },
    );
    const rows: { kind: string }[] = await ds.query(`SELECT kind FROM notifications WHERE fugue_id = $1 AND kind = 'interview.overdue'`, [fugueId]);
    expect(rows).toHaveLength(1);
    const events: { type: string }[] = await ds.query(`SELECT type FROM fugue_events WHERE fugue_id = $1 AND type = 'interview.overdue'`, [fugueId]);
    expect(events).toHaveLength(1);
  });
});
