import { bearer, birthDateForAge, makeClient, startTestApp, TestApp, testNow, daytimeAtOrBefore } from '@vigie/testing';

describe('reference data', () => {
  let t: TestApp;
  let key: string;

  beforeAll(async () => {
    t = await startTestApp({ worker: false });
    key = (await makeClient(t, { role: 'police', departmentCodes: ['93'] })).key;
  });
  afterAll(() => t.close());

  it('serves the 101 départements seeded by the migration, with their time zones', async () => {
    const res = await t.http.get('/v1/departments').set(bearer(key)).expect(200);
    expect(res.body.items).toHaveLength(101);
    const byCode = new Map(res.body.items.map((d: { code: string; timeZone: string }) => [d.code, d]));
    expect(byCode.get('2A')).toEqual({ code: '2A', name: 'Corse-du-Sud', timeZone: 'Europe/Paris' });
    expect(byCode.get('974')).toEqual({ code: '974', name: 'La Réunion', timeZone: 'Indian/Reunion' });
    expect(byCode.get('973')).toMatchObject({ timeZone: 'America/Cayenne' });
    expect(byCode.has('20')).toBe(false);
  });

  it('serves the vocabularies with French labels and the weights of ruleset 2026.1', async () => {
    const res = await t.http.get('/v1/vocabularies').set(bearer(key)).expect(200);
    expect(res.body.rulesetVersion).toBe('2026.1');
    expect(res.body.indicators).toHaveLength(18);
    expect(res.body.indicators).toContainEqual({
      code: 'VEHICLE_NEAR_FOYER',
      label: 'Véhicule aperçu à proximité du foyer',
      kind: 'aggravating',
      weight: 2,
    });
    expect(res.body.indicators).toContainEqual(expect.objectContaining({ code: 'SUICIDE_RISK', kind: 'critical', weight: null }));
    expect(res.body.vulnerabilities.map((v: { code: string }) => v.code).sort()).toEqual(
      ['DISABILITY', 'ERRANCE', 'HISTORY_FAMILY_VIOLENCE', 'HISTORY_SEXUAL_VIOLENCE', 'SCHOOL_DROPOUT', 'SUBSTANCE_USE', 'UNACCOMPANIED_MINOR'],
    );
    expect(res.body.departedWith.map((v: { code: string }) => v.code)).toEqual(['alone', 'peers', 'adult', 'vehicle', 'unknown']);
    expect(res.body.rules).toHaveLength(9 + 25);
  });

  it('serves the return interview vocabularies with French labels', async () => {
    const res = await t.http.get('/v1/vocabularies').set(bearer(key)).expect(200);
    expect(res.body.referrals.map((v: { code: string }) => v.code)).toEqual([
      'MEDICAL_CHECK',
      'PSYCHOLOGICAL_SUPPORT',
      'INFORMATION_PREOCCUPANTE',
      'SIGNALEMENT_PROCUREUR',
      'COMPLAINT_SUPPORT',
      'ADDICTION_SERVICE',
      'PLACEMENT_REVIEW',
    ]);
    expect(res.body.referrals).toContainEqual({ code: 'SIGNALEMENT_PROCUREUR', label: 'Signalement au procureur de la République' });
    expect(res.body.pushFactors.map((v: { code: string }) => v.code)).toEqual(expect.arrayContaining(['FAMILY_CONFLICT', 'PLACEMENT_CONFLICT', 'OTHER']));
    expect(res.body.pullFactors.map((v: { code: string }) => v.code)).toEqual(expect.arrayContaining(['PEERS', 'PARTNER', 'EXPLOITATION', 'FAMILY_VISIT', 'OTHER']));
    expect(res.body.pullFactors).toContainEqual({ code: 'FAMILY_VISIT', label: 'Voir sa famille' });
    // Exploitation indicators: the episode codes from PEER_EXPLOITED to PREGNANCY_OR_STI, plus EXPLOITATION_KNOWN (risk-model.md).
    expect(res.body.exploitationIndicators.map((v: { code: string }) => v.code)).toEqual([
      'PEER_EXPLOITED',
      'CLOTHING_LIFESTYLE_CHANGE',
      'UNEXPLAINED_MONEY_OR_GIFTS',
      'MULTIPLE_PHONES',
      'VEHICLE_NEAR_FOYER',
      'OLDER_PARTNER',
      'ONLINE_SOLICITATION',
      'HOTEL_OR_RENTAL',
      'VIOLENCE_SIGNS',
      'PREGNANCY_OR_STI',
      'EXPLOITATION_KNOWN',
    ]);
    for (const list of ['pushFactors', 'pullFactors', 'referrals', 'exploitationIndicators']) {
      for (const entry of res.body[list]) expect({ list, code: entry.code, label: entry.label }).toEqual({ list, code: entry.code, label: expect.stringMatching(/^\S.{2,}/) });
    }
  });

  it('requires an API key', async () => {
    const res = await t.http.get('/v1/departments').expect(401);
    expect(res.body).toEqual({ statusCode: 401, code: 'UNAUTHENTICATED', message: expect.any(String), correlationId: expect.any(String) });
  });

  it('previews a classification without storing anything', async () => {
    const before = await t.dataSource.query(`SELECT count(*)::int AS n FROM fugue_classifications`);
    // One reading of the clock for both instants: two could straddle a millisecond in the
    // daytime, when lastSeenAt is that very instant, and put lastSeenAt after noticedMissingAt.
    const now = testNow();
    const res = await t.http
      .post('/v1/triage/preview')
      .set(bearer(key))
      .send({
        youth: { birthDate: birthDateForAge(12) },
        departmentCode: '974',
        episode: { noticedMissingAt: now.toISOString(), lastSeenAt: daytimeAtOrBefore(now).toISOString(), indicators: ['MULTIPLE_PHONES'] },
      })
      .expect(200);
    expect(res.body).toMatchObject({
      level: 'worrying',
      score: 2,
      reasons: [
        { code: 'AGE_UNDER_13', kind: 'critical' },
        { code: 'MULTIPLE_PHONES', weight: 2 },
      ],
    });
    expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM fugue_classifications`)).toEqual(before);
  });
});
