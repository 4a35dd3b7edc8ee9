import { EscalationPolicyRepository, FugueRepository, ReferentRepository } from '@vigie/persistence';
import { bearer, declareFugue, makeFoyerWithYouth, makeYouth, startTestApp, TestApp, waitFor } from '@vigie/testing';

/**
 * The intake and triage statements are prepared once per connection. A migration that adds a
 * column while the process runs must not break them: their select lists name the columns they
 * read instead of `*`, so the prepared result type does not change ("cached plan must not change
 * result type" otherwise).
 */
describe('prepared statements of the intake and triage path', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const classification = (key: string, fugueId: string) =>
    waitFor(async () => (await t.http.get(`/v1/fugues/${fugueId}`).set(bearer(key)).expect(200)).body.classification, { what: 'the triage' });

  it('keeps running on a connection that prepared them before columns were added', async () => {
    const { foyer, foyerKey, youthId } = await makeFoyerWithYouth(t, '75');
    const declared = await declareFugue(t, foyerKey, youthId, { indicators: ['SCHOOL_DROPOUT'] });
    expect((await classification(foyerKey, declared.id)).level).toBe('routine');
    const [outbox]: { id: string }[] = await t.dataSource.query(`SELECT id::text FROM outbox WHERE payload->>'fugueId' = $1`, [declared.id]);

    const fugues = t.app.get(FugueRepository);
    const referents = t.app.get(ReferentRepository);
    const policies = t.app.get(EscalationPolicyRepository);
    const runner = t.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const readAll = async () => {
        // The outbox row is processed already: the claim finds nothing, but the statement runs.
        expect((await fugues.claimTriageFacts(runner.manager, [{ outboxId: outbox.id, fugueId: declared.id, at: new Date('2026-03-01T12:00:00Z') }], ['hotel'])).size).toBe(0);
        expect(await referents.findRecipients(runner.manager, '75', foyer.id, ['foyer_duty'])).toEqual([]);
        expect(await policies.find('75', runner.manager)).toBeNull();
      };
      await readAll();
      for (const table of ['fugues', 'referents', 'escalation_policies']) {
        await t.dataSource.query(`ALTER TABLE ${table} ADD COLUMN added_later integer`);
      }
      await readAll();
    } finally {
      await runner.release();
    }

    // And end to end, on whatever connections the pool hands out.
    const other = await makeYouth(t, foyerKey, foyer.id);
    const second = await declareFugue(t, foyerKey, other.id, { indicators: ['SUICIDE_RISK'] });
    expect((await classification(foyerKey, second.id)).level).toBe('worrying');
  });
});
