import { randomUUID } from 'node:crypto';
import { bearer, declareFugue, makeFoyerWithYouth, startTestApp, TestApp, testNow, waitFor } from '@vigie/testing';

describe('declare a fugue and read its classification', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('answers 201 at once, then the worker stores the classification with every reason', async () => {
    const { foyerKey, youthId } = await makeFoyerWithYouth(t, '75', { vulnerabilities: ['SCHOOL_DROPOUT'] });
    const declared = await declareFugue(t, foyerKey, youthId, { indicators: ['MULTIPLE_PHONES', 'SCHOOL_DROPOUT'], departedWith: 'vehicle' });
    expect(declared).toMatchObject({ status: 'missing', classification: null });

    const fugue = await waitFor(async () => {
      const res = await t.http.get(`/v1/fugues/${declared.id}`).set(bearer(foyerKey)).expect(200);
      return res.body.classification ? res.body : null;
    });
    expect(fugue.classification).toMatchObject({
      level: 'worrying',
      score: 5,
      rulesetVersion: '2026.1',
      reasons: [
        { code: 'MULTIPLE_PHONES', kind: 'aggravating', weight: 2, source: 'report' },
        { code: 'VEHICLE_NEAR_FOYER', kind: 'aggravating', weight: 2, source: 'report' },
        { code: 'SCHOOL_DROPOUT', kind: 'aggravating', weight: 1, source: 'report' },
      ],
      nextReviewAt: null,
    });
    expect(fugue.effectiveLevel).toBe('worrying');
    expect(fugue.youth.firstName).toBe('Testprenom');

    const timeline = await t.http.get(`/v1/fugues/${declared.id}/timeline`).set(bearer(foyerKey)).expect(200);
    expect(timeline.body.items.map((e: { type: string }) => e.type).slice(0, 2)).toEqual(['declared', 'classified']);
  });

  it('takes the foyer and département from the youth, for the episode and its fugue.declared event', async () => {
    const { foyer, youthId } = await makeFoyerWithYouth(t, '13');
    // The admin declares for any foyer; the youth decides where the episode belongs.
    const declared = await declareFugue(t, t.adminKey, youthId);
    expect(declared).toMatchObject({ youthId, foyerId: foyer.id, departmentCode: '13', status: 'missing' });
    const [event]: { department_code: string; level: string | null; data: Record<string, unknown> }[] = await t.dataSource.query(
      `SELECT department_code, level, data FROM webhook_events WHERE type = 'fugue.declared' AND data->>'fugueId' = $1`,
      [declared.id],
    );
    expect(event).toEqual({
      department_code: '13',
      level: null,
      data: { fugueId: declared.id, departmentCode: '13', foyerId: foyer.id, noticedMissingAt: expect.any(String), status: 'missing' },
    });
  });

  it('answers 404 for a youth that does not exist or is outside the foyer\'s scope, and writes nothing', async () => {
    const { foyerKey } = await makeFoyerWithYouth(t, '75');
    const other = await makeFoyerWithYouth(t, '75');
    const noticedMissingAt = new Date(testNow().getTime() - 60_000).toISOString();
    for (const youthId of [randomUUID(), other.youthId]) {
      const res = await t.http.post('/v1/fugues').set(bearer(foyerKey)).send({ youthId, noticedMissingAt }).expect(404);
      expect(res.body).toMatchObject({ code: 'NOT_FOUND', message: 'Youth not found' });
      const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM fugues WHERE youth_id = $1`, [youthId]);
      expect(n).toBe(0);
    }
    const unknown = await t.http.post('/v1/fugues').set(bearer(t.adminKey)).send({ youthId: randomUUID(), noticedMissingAt }).expect(404);
    expect(unknown.body).toMatchObject({ code: 'NOT_FOUND', message: 'Youth not found' });
  });
});
