import { EscalationService, FugueTriageService, InterviewDeadlineService } from '@vigie/domain';
import { bearer, declareFugue, makeClient, makeFoyer, makeReferent, makeYouth, startTestApp, TestApp, testNow } from '@vigie/testing';

/**
 * Whoever an alert may have reached hears how it ends, once, whatever the sends in flight do
 * meanwhile. A step notification claimed (`sending`) when the episode ends may have left already:
 * its referent is told of the end. And the return notice leaves out exactly the people the
 * alert's end told — read from those notices, not from the step notifications a second time, so
 * that a send settling between the two reads cannot leave the police told by neither.
 *
 * The app runs without its worker: the test fires the alert's step itself and sets a send in
 * flight by hand, so the rows stay where the test puts them.
 */
describe('the end of an alert and the sends in flight', () => {
  let t: TestApp;
  let foyerId: string;
  let foyerKey: string;
  let police: string;

  beforeAll(async () => {
    t = await startTestApp({ worker: false });
    foyerId = (await makeFoyer(t, { departmentCode: '75' })).id;
    foyerKey = (await makeClient(t, { role: 'foyer', foyerIds: [foyerId] })).key;
    police = (await makeReferent(t, { departmentCode: '75', role: 'police', channels: [{ type: 'email', address: 'brigade@police75.test' }] })).id;
    await makeReferent(t, { departmentCode: '75', role: 'child_protection', channels: [{ type: 'email', address: 'ase@departement75.test' }] });
  });
  afterAll(() => t?.close());

  /** A worrying episode whose alert fired its first step; the police's step notification is being sent. */
  async function alertWithPoliceSendInFlight(): Promise<{ fugueId: string; policeNotification: string }> {
    const youth = await makeYouth(t, foyerKey, foyerId);
    const { id: fugueId } = await declareFugue(t, foyerKey, youth.id, { staffConcern: { worrying: true } });
    const [outbox]: { id: string }[] = await t.dataSource.query(`SELECT id::text FROM outbox WHERE payload->>'fugueId' = $1`, [fugueId]);
    await t.app.get(FugueTriageService).triageTogether([{ fugueId, cause: 'declared', outboxId: outbox.id }]);
    const [alert]: { id: string }[] = await t.dataSource.query(`SELECT id FROM alerts WHERE fugue_id = $1`, [fugueId]);
    expect(await t.app.get(EscalationService).fireStep(alert.id, 0, testNow())).toBe(true);
    await t.dataSource.query(`UPDATE notifications SET status = 'sent', attempts = 1, sent_at = now() WHERE alert_id = $1 AND referent_id <> $2`, [alert.id, police]);
    const [[claimed]]: [{ id: string }[], number] = await t.dataSource.query(
      `UPDATE notifications SET status = 'sending', attempts = 1, sending_since = now() WHERE alert_id = $1 AND referent_id = $2 RETURNING id`,
      [alert.id, police],
    );
    return { fugueId, policeNotification: claimed.id };
  }

  /** What the police referent is told of the episode's end, by kind. */
  const toldToPolice = async (fugueId: string): Promise<string[]> =>
    (
      await t.dataSource.query(`SELECT kind FROM notifications WHERE fugue_id = $1 AND referent_id = $2 AND kind IN ('alert.resolved', 'fugue.returned') ORDER BY kind`, [
        fugueId,
        police,
      ])
    ).map((r: { kind: string }) => r.kind);

  it('tells of the location the referent whose alert message was leaving when the youth was found', async () => {
    const { fugueId } = await alertWithPoliceSendInFlight();
    await t.http.post(`/v1/fugues/${fugueId}/located`).set(bearer(foyerKey)).send({ at: new Date(testNow().getTime() - 60_000).toISOString() }).expect(200);
    expect(await toldToPolice(fugueId)).toEqual(['alert.resolved']);
  });

  it('tells the police of the return once when their alert message settles while the return is recorded', async () => {
    const { fugueId, policeNotification } = await alertWithPoliceSendInFlight();
    const deadlines = t.app.get(InterviewDeadlineService);
    const onReturned = deadlines.onReturned.bind(deadlines);
    // The send settles (another transaction commits) after the alert's end is decided and before the return notice is.
    const spy = jest.spyOn(deadlines, 'onReturned').mockImplementationOnce(async (...args) => {
      await t.dataSource.query(`UPDATE notifications SET status = 'sent', sent_at = now() WHERE id = $1 AND status = 'sending'`, [policeNotification]);
      return onReturned(...args);
    });
    try {
      await t.http.post(`/v1/fugues/${fugueId}/return`).set(bearer(foyerKey)).send({ returnedAt: new Date(testNow().getTime() - 60_000).toISOString(), foundBy: 'self' }).expect(200);
    } finally {
      spy.mockRestore();
    }
    const [{ status }] = await t.dataSource.query(`SELECT status FROM notifications WHERE id = $1`, [policeNotification]);
    expect(status).toBe('sent');
    expect(await toldToPolice(fugueId)).toEqual(['alert.resolved']);
  });

  it('tells the police of the return by the notice when their alert message never left', async () => {
    const { fugueId, policeNotification } = await alertWithPoliceSendInFlight();
    await t.dataSource.query(`UPDATE notifications SET status = 'pending', attempts = 0, sending_since = NULL WHERE id = $1`, [policeNotification]);
    await t.http.post(`/v1/fugues/${fugueId}/return`).set(bearer(foyerKey)).send({ returnedAt: new Date(testNow().getTime() - 60_000).toISOString(), foundBy: 'self' }).expect(200);
    const [{ status }] = await t.dataSource.query(`SELECT status FROM notifications WHERE id = $1`, [policeNotification]);
    expect(status).toBe('cancelled');
    expect(await toldToPolice(fugueId)).toEqual(['fugue.returned']);
  });
});
