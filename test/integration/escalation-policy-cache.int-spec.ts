import { randomUUID } from 'node:crypto';
import { EscalationPolicyRepository, StoredEscalationPolicy } from '@vigie/persistence';
import { startTestApp, TestApp } from '@vigie/testing';

/**
 * The policy a triage applies is kept per process for a few seconds (docs/decisions.md § The
 * escalation policy cache): a write through the process empties the entry, a write by another
 * process shows after the expiry, and a read that started before a write never keeps the old one.
 */
describe('escalation policy cache', () => {
  let t: TestApp;
  let policies: EscalationPolicyRepository;

  beforeAll(async () => {
    t = await startTestApp();
    policies = t.app.get(EscalationPolicyRepository);
  });
  afterAll(() => t.close());

  const policy = (notify: string[]): StoredEscalationPolicy =>
    ({
      worrying: { steps: [{ afterSeconds: 0, notify: ['police'] }], repeatLastStepEverySeconds: null, maxRepeats: 0 },
      routine: { notify },
      disclosure: { notify: ['police'] },
      overdueInterview: { notify: ['child_protection'] },
    }) as unknown as StoredEscalationPolicy;
  const routineOf = async (code: string) => ((await policies.findInForce(code))?.policy as { routine: { notify: string[] } } | undefined)?.routine.notify ?? null;
  const writeElsewhere = (code: string, notify: string[]) =>
    t.dataSource.query(
      `INSERT INTO escalation_policies (department_code, policy, updated_by) VALUES ($1, $2, $3)
       ON CONFLICT (department_code) DO UPDATE SET policy = EXCLUDED.policy`,
      [code, policy(notify), randomUUID()],
    );

  it('keeps what it read, absence included, until this process writes', async () => {
    expect(await routineOf('13')).toBeNull();
    // Written by another process: this one keeps the absence it read.
    await writeElsewhere('13', ['department_duty']);
    expect(await routineOf('13')).toBeNull();
    expect((await policies.find('13'))?.policy).toEqual(policy(['department_duty']));
    // Written through this process: applied at once.
    await policies.upsert('13', policy(['child_protection']), randomUUID());
    expect(await routineOf('13')).toEqual(['child_protection']);
  });

  it('does not keep the old policy read by a request that started before a write', async () => {
    await policies.upsert('75', policy(['foyer_duty']), randomUUID());
    const runner = t.dataSource.createQueryRunner();
    await runner.connect();
    try {
      // A snapshot taken before the write, and the cache read queued behind a pause on that connection.
      await runner.startTransaction('REPEATABLE READ');
      const pause = runner.query('SELECT pg_sleep(0.5)');
      await new Promise((resolve) => setTimeout(resolve, 100)); // the pause is running on the server
      const stale = policies.findInForce('75', runner.manager);
      await policies.upsert('75', policy(['police']), randomUUID());
      await pause;
      expect((await stale)?.policy).toEqual(policy(['foyer_duty']));
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
    expect(await routineOf('75')).toEqual(['police']);
  });
});
