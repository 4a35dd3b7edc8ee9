import { AutoCloseService, RetentionService } from '@vigie/domain';
import { bearer, declareFugue, makeClient, makeFoyer, makeYouth, startTestApp, TestApp, testNow } from '@vigie/testing';

const DAY = 24 * 3600_000;
const RETENTION_DAYS = 30;

/**
 * Episodes left `returned` or `located` are closed by the worker after VIGIE_AUTO_CLOSE_AFTER_DAYS
 * (30 by default), with a timeline entry and `fugue.closed`; retention then erases them as any
 * closed episode. The clock is given explicitly: nobody waits 30 days.
 */
describe('closing episodes left returned or located', () => {
  let t: TestApp;
  let autoClose: AutoCloseService;
  let foyerKey: string;
  let foyerId: string;
  const ids = { returned: '', located: '', closed: '', missing: '' };
  let returnedAt: Date;
  let locatedAt: Date;

  const statusOf = async (id: string) => (await t.dataSource.query(`SELECT status, ended_at, erased_at FROM fugues WHERE id = $1`, [id]))[0];
  const declared = async () => (await declareFugue(t, foyerKey, (await makeYouth(t, foyerKey, foyerId)).id, { staffConcern: { worrying: true } })).id;

  beforeAll(async () => {
    // No worker: the test runs the sweep itself, with its own clock.
    t = await startTestApp({ worker: false, env: { VIGIE_RETENTION_DAYS: String(RETENTION_DAYS) } });
    autoClose = t.app.get(AutoCloseService);
    foyerId = (await makeFoyer(t, { departmentCode: '75' })).id;
    foyerKey = (await makeClient(t, { role: 'foyer', foyerIds: [foyerId] })).key;
    const policeKey = (await makeClient(t, { role: 'police', departmentCodes: ['75'] })).key;

    ids.returned = await declared();
    returnedAt = new Date(testNow().getTime() - 30_000);
    await t.http.post(`/v1/fugues/${ids.returned}/return`).set(bearer(foyerKey)).send({ returnedAt: returnedAt.toISOString(), foundBy: 'self' }).expect(200);

    ids.located = await declared();
    locatedAt = new Date(testNow().getTime() - 30_000);
    await t.http.post(`/v1/fugues/${ids.located}/located`).set(bearer(policeKey)).send({ at: locatedAt.toISOString() }).expect(200);

    ids.closed = await declared();
    await t.http.post(`/v1/fugues/${ids.closed}/return`).set(bearer(foyerKey)).send({ returnedAt: new Date(testNow().getTime() - 30_000).toISOString(), foundBy: 'self' }).expect(200);
    await t.http.post(`/v1/fugues/${ids.closed}/close`).set(bearer(foyerKey)).send({ reason: 'Motif de test' }).expect(200);

    ids.missing = await declared();
  });
  afterAll(() => t.close());

  it('closes nothing before 30 days have passed since the return or the location', async () => {
    expect(await autoClose.closeLeftOpen(new Date(returnedAt.getTime() + 29 * DAY))).toBe(0);
    expect((await statusOf(ids.returned)).status).toBe('returned');
    expect((await statusOf(ids.located)).status).toBe('located');
  });

  describe('after 30 days', () => {
    let now: Date;

    beforeAll(async () => {
      now = new Date(Math.max(returnedAt.getTime(), locatedAt.getTime()) + 30 * DAY + 60_000);
      expect(await autoClose.closeLeftOpen(now)).toBe(2);
    });

    it('closes the returned and the located episodes at that instant, and nothing else', async () => {
      for (const id of [ids.returned, ids.located]) {
        const row = await statusOf(id);
        expect(row.status).toBe('closed');
        expect(row.ended_at.toISOString()).toBe(now.toISOString());
      }
      expect((await statusOf(ids.missing)).status).toBe('missing');
      expect((await statusOf(ids.closed)).status).toBe('closed');
      // A second sweep finds nothing left.
      expect(await autoClose.closeLeftOpen(new Date(now.getTime() + 60_000))).toBe(0);
    });

    it('writes the close in the timeline, says it was automatic, and leaves no alert running', async () => {
      for (const id of [ids.returned, ids.located]) {
        const timeline = (await t.http.get(`/v1/fugues/${id}/timeline`).set(bearer(foyerKey)).expect(200)).body.items as { type: string; at: string; data: unknown }[];
        const closed = timeline.filter((e) => e.type === 'closed');
        expect(closed).toHaveLength(1);
        expect(closed[0]).toMatchObject({ at: now.toISOString(), data: { status: 'closed', automatic: true, afterDays: 30 } });
        expect(await t.dataSource.query(`SELECT id FROM alerts WHERE fugue_id = $1 AND state <> 'resolved'`, [id])).toEqual([]);
      }
    });

    it('emits fugue.closed for each, as a close by hand does', async () => {
      const events: { fugue_id: string }[] = await t.dataSource.query(
        `SELECT data->>'fugueId' AS fugue_id FROM webhook_events WHERE type = 'fugue.closed' AND data->>'fugueId' = ANY($1::text[])`,
        [[ids.returned, ids.located]],
      );
      expect(events.map((e) => e.fugue_id).sort()).toEqual([ids.returned, ids.located].sort());
    });

    it('lets retention erase them once the retention period has passed after the automatic close', async () => {
      const retention = t.app.get(RetentionService);
      await retention.eraseExpired(new Date(now.getTime() + (RETENTION_DAYS - 1) * DAY));
      expect((await statusOf(ids.returned)).erased_at).toBeNull();
      await retention.eraseExpired(new Date(now.getTime() + (RETENTION_DAYS + 1) * DAY));
      for (const id of [ids.returned, ids.located]) expect((await statusOf(id)).erased_at).toBeInstanceOf(Date);
      expect((await statusOf(ids.missing)).erased_at).toBeNull();
    });
  });
});
