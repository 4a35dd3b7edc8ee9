import { InterviewDeadlineService } from '@vigie/domain';
import { ReturnInterviewRepository } from '@vigie/persistence';
import { bearer, declareFugue, makeClient, makeFoyer, makeReferent, makeYouth, startTestApp, TestApp, testNow } from '@vigie/testing';

/**
 * The interview sweep reads overdue interviews, then reminders, in one transaction with one
 * `now`. An interview whose due time has come gets the overdue notice only, even when its row
 * changed between the two statements (its due and reminder times both moved into the past
 * after the first one read nothing): it is never reminded of a deadline already passed.
 *
 * The app runs without its worker: the test runs the sweep itself.
 */
describe('the interview sweep and a row changing under it', () => {
  let t: TestApp;
  let foyerId: string;
  let foyerKey: string;

  beforeAll(async () => {
    t = await startTestApp({ worker: false });
    foyerId = (await makeFoyer(t, { departmentCode: '75' })).id;
    foyerKey = (await makeClient(t, { role: 'foyer', foyerIds: [foyerId] })).key;
    await makeReferent(t, { departmentCode: '75', role: 'foyer_duty', foyerId, channels: [{ type: 'email', address: 'astreinte@foyer.test' }] });
    await makeReferent(t, { departmentCode: '75', role: 'child_protection', channels: [{ type: 'email', address: 'ase@departement75.test' }] });
  });
  afterAll(() => t?.close());

  it('does not remind of an interview that became due between the overdue and the reminder statements', async () => {
    const youth = await makeYouth(t, foyerKey, foyerId);
    const now = testNow();
    const { id: fugueId } = await declareFugue(t, foyerKey, youth.id, { noticedMissingAt: new Date(now.getTime() - 2 * 3600_000).toISOString() });
    await t.http.post(`/v1/fugues/${fugueId}/return`).set(bearer(foyerKey)).send({ returnedAt: new Date(now.getTime() - 60_000).toISOString(), foundBy: 'self' }).expect(200);

    const repository = t.app.get(ReturnInterviewRepository);
    const takeDueOverdue = repository.takeDueOverdue.bind(repository);
    const spy = jest.spyOn(repository, 'takeDueOverdue').mockImplementationOnce(async (...args) => {
      const found = await takeDueOverdue(...args);
      // Another transaction commits meanwhile: both deadlines are now past.
      await t.dataSource.query(`UPDATE return_interviews SET reminder_due_at = $2, due_at = $2 WHERE fugue_id = $1`, [fugueId, new Date(now.getTime() - 1000)]);
      return found;
    });
    const sweeps = t.app.get(InterviewDeadlineService);
    try {
      await sweeps.sweep(now);
    } finally {
      spy.mockRestore();
    }
    const remindedOrOverdue = async () =>
      (await t.dataSource.query(`SELECT reminded_at, overdue_at FROM return_interviews WHERE fugue_id = $1`, [fugueId]))[0] as { reminded_at: Date | null; overdue_at: Date | null };
    expect(await remindedOrOverdue()).toEqual({ reminded_at: null, overdue_at: null });

    // The next sweep sees it due: the overdue notice, and still no reminder.
    await sweeps.sweep(now);
    expect(await remindedOrOverdue()).toEqual({ reminded_at: null, overdue_at: expect.any(Date) });
    const kinds = await t.dataSource.query(`SELECT DISTINCT kind FROM notifications WHERE fugue_id = $1 AND kind LIKE 'interview.%'`, [fugueId]);
    expect(kinds).toEqual([{ kind: 'interview.overdue' }]);
  });
});
