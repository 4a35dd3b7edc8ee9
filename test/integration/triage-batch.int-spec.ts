import { FugueTriageService, LINKING_PLACE_KINDS, MetricsService, TRIAGE_BATCH } from '@vigie/domain';
import { JOB_QUEUE, JobName, JobProducer, webhookDeliveryJobId } from '@vigie/queue';
import { FugueRepository, OutboxRepository } from '@vigie/persistence';
import type { EntityManager } from 'typeorm';
import { bearer, declareFugue, makeClient, makeFoyer, makeReferent, makeYouth, startTestApp, TestApp, testNow, waitFor } from '@vigie/testing';

/**
 * Triages that arrive together are stored together (FugueTriageService, Batcher): one claim
 * statement and one commit for the batch, each episode still classified exactly once, and a
 * batch that fails is run again job by job so that one episode's failure stays its own.
 * The app runs without its worker: the test hands the jobs to the service itself.
 */
describe('triage in batches', () => {
  let t: TestApp;
  let triage: FugueTriageService;
  let foyerKey: string;
  let foyerId: string;

  beforeAll(async () => {
    t = await startTestApp({ worker: false });
    triage = t.app.get(FugueTriageService);
    foyerId = (await makeFoyer(t)).id;
    foyerKey = (await makeClient(t, { role: 'foyer', foyerIds: [foyerId] })).key;
  });
  afterAll(() => t?.close());

  /** `n` declared episodes, one per youth (of the foyer of `key`), with the jobs their outbox rows ask for. */
  async function declaredJobs(n: number, overrides: Record<string, unknown> = {}, foyer = { key: foyerKey, id: foyerId }) {
    const jobs: { fugueId: string; cause: 'declared'; outboxId: string }[] = [];
    for (let i = 0; i < n; i++) {
      const fugue = await declareFugue(t, foyer.key, (await makeYouth(t, foyer.key, foyer.id)).id, overrides);
      const [row]: { id: string }[] = await t.dataSource.query(`SELECT id::text FROM outbox WHERE payload->>'fugueId' = $1`, [fugue.id]);
      jobs.push({ fugueId: fugue.id, cause: 'declared', outboxId: row.id });
    }
    return jobs;
  }

  /** Per episode: its declaration classifications, `classified` timeline events, `fugue.classified` webhook events and alerts. */
  async function effects(fugueIds: string[]) {
    const rows: { id: string; classifications: number; events: number; webhookEvents: number; alerts: number; pending: number }[] = await t.dataSource.query(
      `SELECT f.id,
              (SELECT count(*)::int FROM fugue_classifications c WHERE c.fugue_id = f.id AND c.cause = 'declared') AS classifications,
              (SELECT count(*)::int FROM fugue_events e WHERE e.fugue_id = f.id AND e.type = 'classified') AS events,
              (SELECT count(*)::int FROM webhook_events w WHERE w.type = 'fugue.classified' AND w.data->>'fugueId' = f.id::text) AS "webhookEvents",
              (SELECT count(*)::int FROM alerts a WHERE a.fugue_id = f.id) AS alerts,
              (SELECT count(*)::int FROM outbox o WHERE o.payload->>'fugueId' = f.id::text AND o.processed_at IS NULL) AS pending
         FROM unnest($1::uuid[]) AS f(id)`,
      [fugueIds],
    );
    return Object.fromEntries(rows.map(({ id, ...counts }) => [id, counts]));
  }

  /** Observations of vigie_triage_batch_size so far: how many batches, how many jobs in all. */
  async function batchSizes(): Promise<{ batches: number; jobs: number }> {
    const metric = await t.app.get(MetricsService).triageBatchSize.get();
    const value = (name: string) => metric.values.find((v) => v.metricName === name)?.value ?? 0;
    return { batches: value('vigie_triage_batch_size_count'), jobs: value('vigie_triage_batch_size_sum') };
  }

  /** Runs `body` in a transaction that is rolled back afterwards, with everything it wrote. */
  async function inRolledBackTransaction(body: (manager: EntityManager) => Promise<void>): Promise<void> {
    const runner = t.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await body(runner.manager);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  }

  /** What the transaction of `manager` has read of `table` so far: whole-table reads, and rows read by them and through indexes. */
  async function readsOf(manager: EntityManager, table: 'fugues' | 'outbox'): Promise<{ wholeTable: number; rows: number }> {
    const [row] = await manager.query(
      `SELECT seq_scan::int AS "wholeTable", (seq_tup_read + idx_tup_fetch)::int AS rows FROM pg_stat_xact_user_tables WHERE relid = $1::regclass`,
      [table],
    );
    return row;
  }

  /** Copies episode `fugueId` `times` times, closed, under new ids: other episodes of the same youth, foyer and times. */
  async function copyEpisode(manager: EntityManager, fugueId: string, times: number): Promise<void> {
    await manager.query(
      `INSERT INTO fugues SELECT (jsonb_populate_record(NULL::fugues, to_jsonb(f) || jsonb_build_object('id', gen_random_uuid(), 'status', 'closed'))).*
         FROM fugues f, generate_series(1, $2::int) WHERE f.id = $1`,
      [fugueId, times],
    );
  }

  it('stores the triages of distinct episodes together, each once, a worrying one with its alert', async () => {
    const routine = await declaredJobs(3);
    const [worrying] = await declaredJobs(1, { staffConcern: { worrying: true } });
    const jobs = [...routine, worrying];

    const outcomes = await triage.triageTogether(jobs);

    expect(outcomes.map((o) => [o.applied, o.effectiveLevel])).toEqual([
      [true, 'routine'],
      [true, 'routine'],
      [true, 'routine'],
      [true, 'worrying'],
    ]);
    expect(outcomes.every((o) => o.latencyMs !== null && o.latencyMs >= 0)).toBe(true);
    const once = { classifications: 1, events: 1, webhookEvents: 1, pending: 0 };
    expect(await effects(jobs.map((j) => j.fugueId))).toEqual({
      ...Object.fromEntries(routine.map((j) => [j.fugueId, { ...once, alerts: 0 }])),
      [worrying.fugueId]: { ...once, alerts: 1 },
    });

    // The same batch again: every row is processed already, nothing is written twice.
    const again = await triage.triageTogether(jobs);
    expect(again.map((o) => o.applied)).toEqual([false, false, false, false]);
    expect(Object.values(await effects(jobs.map((j) => j.fugueId))).map((e) => e.classifications)).toEqual([1, 1, 1, 1]);
  });

  it('refuses a claim that names one episode twice, writing nothing', async () => {
    const [job] = await declaredJobs(1);
    await expect(triage.triageTogether([job, { ...job, cause: 'declared' }])).rejects.toThrow('An episode appears twice in one triage claim');
    expect(await effects([job.fugueId])).toEqual({ [job.fugueId]: { classifications: 0, events: 0, webhookEvents: 0, alerts: 0, pending: 1 } });
  });

  it('gathers jobs that arrive while every slot is busy into batches, and classifies each once', async () => {
    const jobs = await declaredJobs(TRIAGE_BATCH.maxConcurrent + 12);
    const before = await batchSizes();

    await Promise.all(jobs.map((job) => triage.runTriageJob(job)));

    const after = await batchSizes();
    expect(after.jobs - before.jobs).toBe(jobs.length);
    // The first jobs take the free slots alone; the ones behind them share batches.
    expect(after.batches - before.batches).toBeLessThan(jobs.length);
    expect(new Set(Object.values(await effects(jobs.map((j) => j.fugueId))).map((e) => JSON.stringify(e)))).toEqual(
      new Set([JSON.stringify({ classifications: 1, events: 1, webhookEvents: 1, alerts: 0, pending: 0 })]),
    );
  });

  it('runs a failed batch job by job: the others are stored, the failing job fails alone and stays to be retried', async () => {
    // The free slots first, each taken by one job alone; the next four wait and form one batch.
    const fillers = await declaredJobs(TRIAGE_BATCH.maxConcurrent);
    const batch = await declaredJobs(4);
    const poison = batch[2];
    await t.dataSource.query(`ALTER TABLE fugue_classifications ADD CONSTRAINT test_poison_triage CHECK (fugue_id <> '${poison.fugueId}')`);
    try {
      const before = await batchSizes();
      const results = await Promise.allSettled([...fillers, ...batch].map((job) => triage.runTriageJob(job)));

      expect(results.map((r) => r.status)).toEqual([...fillers.map(() => 'fulfilled'), 'fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
      // The fillers alone, then the four together (whose jobs then ran alone, outside the batcher).
      const after = await batchSizes();
      expect({ batches: after.batches - before.batches, jobs: after.jobs - before.jobs }).toEqual({ batches: fillers.length + 1, jobs: fillers.length + batch.length });
      const stored = { classifications: 1, events: 1, webhookEvents: 1, alerts: 0, pending: 0 };
      expect(await effects([...fillers, ...batch].map((j) => j.fugueId))).toEqual({
        ...Object.fromEntries([...fillers, ...batch].map((j) => [j.fugueId, stored])),
        [poison.fugueId]: { classifications: 0, events: 0, webhookEvents: 0, alerts: 0, pending: 1 },
      });
    } finally {
      await t.dataSource.query('ALTER TABLE fugue_classifications DROP CONSTRAINT IF EXISTS test_poison_triage');
    }

    // Once the cause is gone, the job that failed goes through.
    await triage.runTriageJob(poison);
    expect((await effects([poison.fugueId]))[poison.fugueId]).toEqual({ classifications: 1, events: 1, webhookEvents: 1, alerts: 0, pending: 0 });
  });

  it('stores the triages before one that finds a link, so that it reads what they changed', async () => {
    /** The triage job the episode's unprocessed outbox row asks for. */
    const pendingJob = async (fugueId: string) => {
      const [row]: { id: string; cause: 'declared' }[] = await t.dataSource.query(
        `SELECT id::text, payload->>'cause' AS cause FROM outbox WHERE payload->>'fugueId' = $1 AND processed_at IS NULL`,
        [fugueId],
      );
      return { fugueId, cause: row.cause, outboxId: row.id };
    };
    const declare = async (plate: string) => (await declareFugue(t, foyerKey, (await makeYouth(t, foyerKey, foyerId)).id, { connections: { vehicles: [{ plate }] } })).id;
    // A and B left in one vehicle and are linked; C left in another.
    const a = await declare('TB-101-AA');
    const b = await declare('TB-101-AA');
    const c = await declare('TB-202-CC');
    await triage.triageTogether([await pendingJob(a), await pendingJob(b), await pendingJob(c)]);
    expect(await t.dataSource.query(`SELECT 1 FROM fugue_links WHERE $1 IN (fugue_a, fugue_b) AND $2 IN (fugue_a, fugue_b)`, [a, b])).toHaveLength(1);

    // A's youth becomes known to be exploited; B is seen in C's vehicle. One batch, A first.
    await t.http.post(`/v1/fugues/${a}/updates`).set(bearer(foyerKey)).send({ indicators: ['EXPLOITATION_KNOWN'] }).expect(201);
    await t.http.post(`/v1/fugues/${b}/updates`).set(bearer(foyerKey)).send({ connections: { vehicles: [{ plate: 'TB-202-CC' }] } }).expect(201);
    const [first, second] = await triage.triageTogether([await pendingJob(a), await pendingJob(b)]);

    expect(first.effectiveLevel).toBe('worrying');
    // B's triage found its link to C; it then read A as stored by the same batch, worrying with
    // EXPLOITATION_KNOWN, and gained PEER_EXPLOITED in this very classification.
    expect(await t.dataSource.query(`SELECT 1 FROM fugue_links WHERE $1 IN (fugue_a, fugue_b) AND $2 IN (fugue_a, fugue_b)`, [b, c])).toHaveLength(1);
    expect(second.classification?.reasons.map((r) => r.code)).toContain('PEER_EXPLOITED');
  });

  it("writes each triage of a batch with its own webhook deliveries and routine referents, and nothing for one already stored", async () => {
    // Two départements, each informing its own child-protection referent of a routine episode;
    // a hotline endpoint of 13 receives the worrying episodes of 13 only.
    const foyers: Record<string, { key: string; id: string }> = {};
    const referents: Record<string, string> = {};
    for (const code of ['13', '69']) {
      const id = (await makeFoyer(t, { departmentCode: code })).id;
      foyers[code] = { id, key: (await makeClient(t, { role: 'foyer', foyerIds: [id] })).key };
      await t.http
        .put(`/v1/departments/${code}/escalation-policy`)
        .set(bearer(t.adminKey))
        .send({ worrying: { steps: [{ afterSeconds: 0, notify: ['police'] }], repeatLastStepEverySeconds: null }, routine: { notify: ['child_protection'] } })
        .expect(200);
      referents[code] = (await makeReferent(t, { role: 'child_protection', departmentCode: code, channels: [{ type: 'email', address: `ase${code}@batch.test` }] })).id;
    }
    const hotline = await makeClient(t, { role: 'hotline', departmentCodes: ['13'] });
    const endpoint = (await t.http.post('/v1/webhook-endpoints').set(bearer(hotline.key)).send({ url: 'http://127.0.0.1:9/hooks', events: ['fugue.classified'] }).expect(201)).body as { id: string };
    const worrying = { staffConcern: { worrying: true } };
    const [routine69] = await declaredJobs(1, {}, foyers['69']);
    const [worrying13] = await declaredJobs(1, worrying, foyers['13']);
    const [already] = await declaredJobs(1, {}, foyers['13']);
    const [routine13] = await declaredJobs(1, {}, foyers['13']);
    const [worrying69] = await declaredJobs(1, worrying, foyers['69']);
    // The classification of this request is there already: its triage writes nothing.
    await t.dataSource.query(
      `INSERT INTO fugue_classifications (fugue_id, trigger_key, cause, ruleset_version, evaluated_at, level, score, reasons, next_review_at, created_at)
       VALUES ($1, $2, 'declared', '2026.1', now(), 'routine', 0, '[]', NULL, now())`,
      [already.fugueId, `outbox-${already.outboxId}`],
    );
    const jobs = [routine69, worrying13, already, routine13, worrying69];

    const outcomes = await triage.triageTogether(jobs);

    expect(outcomes.map((o) => [o.applied, o.effectiveLevel])).toEqual([
      [true, 'routine'],
      [true, 'worrying'],
      [false, null],
      [true, 'routine'],
      [true, 'worrying'],
    ]);
    const ids = jobs.map((j) => j.fugueId);
    const once = { classifications: 1, events: 1, webhookEvents: 1, pending: 0 };
    expect(await effects(ids)).toEqual({
      [routine69.fugueId]: { ...once, alerts: 0 },
      [worrying13.fugueId]: { ...once, alerts: 1 },
      [already.fugueId]: { classifications: 1, events: 0, webhookEvents: 0, alerts: 0, pending: 0 },
      [routine13.fugueId]: { ...once, alerts: 0 },
      [worrying69.fugueId]: { ...once, alerts: 1 },
    });
    const [{ level }]: { level: string | null }[] = await t.dataSource.query(`SELECT effective_level AS level FROM fugues WHERE id = $1`, [already.fugueId]);
    expect(level).toBeNull();
    const informed: { fugue_id: string; referent_id: string }[] = await t.dataSource.query(
      `SELECT fugue_id::text, referent_id::text FROM notifications WHERE kind = 'routine.information' AND fugue_id = ANY($1::uuid[]) ORDER BY fugue_id`,
      [ids],
    );
    expect(informed).toEqual(
      [
        { fugue_id: routine69.fugueId, referent_id: referents['69'] },
        { fugue_id: routine13.fugueId, referent_id: referents['13'] },
      ].sort((a, b) => a.fugue_id.localeCompare(b.fugue_id)),
    );
    const delivered: { id: string; fugue_id: string; endpoint_id: string }[] = await t.dataSource.query(
      `SELECT d.id::text, ev.data->>'fugueId' AS fugue_id, d.endpoint_id::text FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id
        WHERE ev.type = 'fugue.classified' AND ev.data->>'fugueId' = ANY($1::text[])`,
      [ids],
    );
    expect(delivered).toEqual([{ id: expect.any(String), fugue_id: worrying13.fugueId, endpoint_id: endpoint.id }]);
    // Its first attempt is scheduled once the batch has committed.
    const deliveries = t.app.get(JobProducer).queue(JOB_QUEUE[JobName.WebhookDeliver]);
    await waitFor(async () => (await deliveries.getJob(webhookDeliveryJobId(delivered[0].id, 1))) !== undefined, { what: 'the first attempt of the delivery' });
  });

  it("writes a batch's episodes through their primary key, however many others the table holds", async () => {
    const jobs = await declaredJobs(3);
    await inRolledBackTransaction(async (manager) => {
      // 3,000 other episodes, and statistics that know them: the planner counts 100 rows for the
      // batch's JSON, and without the primary key in the statement it scans the whole table.
      await copyEpisode(manager, jobs[0].fugueId, 3000);
      await manager.query('ANALYZE fugues');
      const repository = t.app.get(FugueRepository);
      const at = new Date('2026-03-14T02:30:00Z');
      const facts = await repository.claimTriageFacts(
        manager,
        jobs.map((j) => ({ outboxId: j.outboxId, fugueId: j.fugueId, at })),
        LINKING_PLACE_KINDS,
      );
      expect(facts.size).toBe(3);
      const before = (await readsOf(manager, 'fugues')).wholeTable;

      const stored = await repository.storeTriages(
        manager,
        [...facts.values()].map(({ fugue }, i) => ({
          fugue,
          classification: {
            triggerKey: `plan-test-${i}`,
            cause: 'declared',
            rulesetVersion: 'test',
            evaluatedAt: at,
            level: 'routine' as const,
            score: 0,
            reasons: [],
            nextReviewAt: null,
          },
          event: {},
          webhookEvent: null,
          recipientRoles: null,
        })),
      );

      expect(stored.map((s) => s.stored)).toEqual([true, true, true]);
      expect((await readsOf(manager, 'fugues')).wholeTable).toBe(before);
      const updated: { n: number }[] = await manager.query(
        `SELECT count(*)::int AS n FROM fugues WHERE id = ANY($1::uuid[]) AND updated_at = now()`,
        [jobs.map((j) => j.fugueId)],
      );
      expect(updated[0].n).toBe(3);
    });
  });

  it("claims a batch's facts without reading the whole episodes table, with statistics or without", async () => {
    // Two batches of three to claim, and a seventh episode copied 3,000 times: episodes of the
    // same foyer, in the batches' link window, that none of the link rules can match.
    const foyer = (await makeFoyer(t)).id;
    const key = (await makeClient(t, { role: 'foyer', foyerIds: [foyer] })).key;
    const jobs = await declaredJobs(7, {}, { key, id: foyer });
    const [first, second, [copied]] = [jobs.slice(0, 3), jobs.slice(3, 6), jobs.slice(6)];
    await inRolledBackTransaction(async (manager) => {
      await copyEpisode(manager, copied.fugueId, 3000);
      const repository = t.app.get(FugueRepository);
      const claim = async (batch: typeof jobs) => {
        const before = (await readsOf(manager, 'fugues')).wholeTable;
        const facts = await repository.claimTriageFacts(
          manager,
          batch.map((j) => ({ outboxId: j.outboxId, fugueId: j.fugueId, at: testNow() })),
          LINKING_PLACE_KINDS,
        );
        return { claimed: facts.size, candidates: [...facts.values()].map((f) => f.links.candidates.length), scans: (await readsOf(manager, 'fugues')).wholeTable - before };
      };

      // Statistics that have never seen the copies: PostgreSQL guesses how many pass the window.
      expect(await claim(first)).toEqual({ claimed: 3, candidates: [0, 0, 0], scans: 0 });
      await manager.query('ANALYZE fugues');
      expect(await claim(second)).toEqual({ claimed: 3, candidates: [0, 0, 0], scans: 0 });
    });
  });

  it('marks and claims outbox rows through their primary key, however many others are pending', async () => {
    const jobs = await declaredJobs(3);
    await inRolledBackTransaction(async (manager) => {
      // 3,000 other rows, which the statistics saw processed and which are pending again: the
      // statistics of a quiet moment, and then a backlog (a burst, or the worker stopped).
      await manager.query(
        `INSERT INTO outbox (job_name, payload, processed_at) SELECT 'fugue.triage', '{}'::jsonb, now() FROM generate_series(1, 3000)`,
      );
      await manager.query('ANALYZE outbox');
      await manager.query(`UPDATE outbox SET processed_at = NULL WHERE payload = '{}'::jsonb`);
      // The plans PostgreSQL keeps for the prepared statements once they have run a few times.
      await manager.query('SET LOCAL plan_cache_mode = force_generic_plan');
      const rowsRead = async () => (await readsOf(manager, 'outbox')).rows;

      let before = await rowsRead();
      await t.app.get(OutboxRepository).markPublished([jobs[0].outboxId], manager);
      expect((await rowsRead()) - before).toBeLessThanOrEqual(10);

      before = await rowsRead();
      const facts = await t.app.get(FugueRepository).claimTriageFacts(
        manager,
        jobs.map((j) => ({ outboxId: j.outboxId, fugueId: j.fugueId, at: testNow() })),
        LINKING_PLACE_KINDS,
      );
      expect(facts.size).toBe(3);
      expect((await rowsRead()) - before).toBeLessThanOrEqual(30);
    });
  });
});
