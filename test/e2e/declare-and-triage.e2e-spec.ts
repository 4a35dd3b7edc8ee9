import { bearer, declareFugue, makeFoyerWithYouth, startTestApp, TestApp, waitFor } from '@vigie/testing';

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
});
