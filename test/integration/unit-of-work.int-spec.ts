import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { UnitOfWork, Work } from '@vigie/domain';
import { alertStepJobId, JOB_QUEUE, JobName, JobProducer, notificationJobId, outboxJobId, QueueName } from '@vigie/queue';
import { startTestApp, TestApp, testNow, waitFor } from '@vigie/testing';

/**
 * The one path for work after a commit, against real PostgreSQL and Redis: what a unit of work
 * wrote is published and scheduled once it commits, and nothing of it survives a rollback. No
 * worker runs, so the jobs stay where the unit of work put them and no sweep publishes for it.
 */
describe('the unit of work', () => {
  let t: TestApp;
  let uow: UnitOfWork;
  let producer: JobProducer;
  let db: DataSource;

  beforeAll(async () => {
    t = await startTestApp({ api: false, worker: false });
    uow = t.app.get(UnitOfWork);
    producer = t.app.get(JobProducer);
    db = t.dataSource;
  });
  afterAll(() => t?.close());

  const jobState = (queue: QueueName, jobId: string) => producer.queue(queue).getJobState(jobId);
  const outboxRows = (fugueId: string): Promise<{ id: string; published_at: Date | null }[]> =>
    db.query(`SELECT id::text, published_at FROM outbox WHERE payload->>'fugueId' = $1`, [fugueId]);
  const eventRows = (marker: string) => db.query(`SELECT id FROM webhook_events WHERE data->>'marker' = $1`, [marker]);
  const triageJobsOf = async (fugueId: string) =>
    (await producer.queue(QueueName.Triage).getJobs(['waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized'])).filter(
      (job) => (job.data as { fugueId?: string }).fugueId === fugueId,
    );

  /** What one unit of work does in these tests: a change, a triage request and two timers. */
  async function someWork(work: Work, ids: { fugueId: string; alertId: string; notificationId: string; marker: string }): Promise<void> {
    await work.manager.query(`INSERT INTO webhook_events (type, department_code, level, data) VALUES ('fugue.closed', '75', NULL, $1)`, [
      { marker: ids.marker },
    ]);
    await work.enqueue(JobName.FugueTriage, { fugueId: ids.fugueId, cause: 'updated' });
    work.schedule(
      { job: JobName.AlertStep, alertId: ids.alertId, step: 2, at: new Date(testNow().getTime() + 3600_000) },
      { job: JobName.NotificationSend, notificationId: ids.notificationId, attempt: 0, at: testNow() },
    );
  }

  const freshIds = () => ({ fugueId: randomUUID(), alertId: randomUUID(), notificationId: randomUUID(), marker: randomUUID() });

  it('publishes the outbox rows of a committed run and adds its timers under their ids', async () => {
    const ids = freshIds();
    const answer = await uow.run(async (work) => {
      await someWork(work, ids);
      return 'done';
    });
    expect(answer).toBe('done');

    expect(await eventRows(ids.marker)).toHaveLength(1);
    const [row] = await outboxRows(ids.fugueId);
    expect(row).toBeDefined();
    // The fast path marks the row published once its job is in BullMQ.
    await waitFor(async () => (await outboxRows(ids.fugueId))[0].published_at, { what: 'the outbox row marked published' });
    const job = await producer.queue(QueueName.Triage).getJob(outboxJobId(row.id));
    expect(job?.name).toBe(JobName.FugueTriage);
    expect(job?.data).toMatchObject({ fugueId: ids.fugueId, cause: 'updated', outboxId: row.id });

    await waitFor(async () => (await jobState(JOB_QUEUE[JobName.AlertStep], alertStepJobId(ids.alertId, 2))) === 'delayed', { what: 'the step timer' });
    const send = await producer.queue(JOB_QUEUE[JobName.NotificationSend]).getJob(notificationJobId(ids.notificationId, 0));
    expect(send?.data).toEqual({ notificationId: ids.notificationId, attempt: 0 });
  });

  it('publishes, schedules and writes nothing when the body throws', async () => {
    const ids = freshIds();
    await expect(
      uow.run(async (work) => {
        await someWork(work, ids);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');

    // A committed run after it: once its jobs are in Redis, any job of the rolled-back run,
    // added before them, would be there too.
    const later = freshIds();
    await uow.run((work) => someWork(work, later));
    await waitFor(async () => (await outboxRows(later.fugueId))[0]?.published_at, { what: 'the later run published' });
    await waitFor(async () => (await jobState(JOB_QUEUE[JobName.AlertStep], alertStepJobId(later.alertId, 2))) === 'delayed', { what: 'the later timer' });

    expect(await outboxRows(ids.fugueId)).toEqual([]);
    expect(await eventRows(ids.marker)).toEqual([]);
    expect(await triageJobsOf(ids.fugueId)).toEqual([]);
    expect(await jobState(JOB_QUEUE[JobName.AlertStep], alertStepJobId(ids.alertId, 2))).toBe('unknown');
    expect(await jobState(JOB_QUEUE[JobName.NotificationSend], notificationJobId(ids.notificationId, 0))).toBe('unknown');
  });

  it('leaves no outbox row for an enqueue in a run that rolls back', async () => {
    const fugueId = randomUUID();
    let seenInside = 0;
    await expect(
      uow.run(async (work) => {
        await work.enqueue(JobName.FugueTriage, { fugueId, cause: 'profile' });
        // The row is there inside the transaction…
        seenInside = (await work.manager.query(`SELECT 1 FROM outbox WHERE payload->>'fugueId' = $1`, [fugueId])).length;
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(seenInside).toBe(1);
    // …and gone with it.
    expect(await outboxRows(fugueId)).toEqual([]);
  });

  it('refuses what is said after the end of its run: it would be lost', async () => {
    let committed: Work | undefined;
    await uow.run(async (work) => {
      committed = work;
    });
    let rolledBack: Work | undefined;
    await expect(
      uow.run(async (work) => {
        rolledBack = work;
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    const timer = { job: JobName.AlertStep, alertId: randomUUID(), step: 0, at: testNow() } as const;
    expect(() => committed?.schedule(timer)).toThrow('This unit of work has ended');
    expect(() => rolledBack?.schedule(timer)).toThrow('This unit of work has ended');
    await expect(committed?.enqueue(JobName.FugueTriage, { fugueId: randomUUID(), cause: 'updated' })).rejects.toThrow('This unit of work has ended');
  });

  it('publishes what a single autocommitted statement wrote', async () => {
    const fugueId = randomUUID();
    await uow.statement((work) => work.enqueue(JobName.FugueTriage, { fugueId, cause: 'review' }));
    const [row] = await outboxRows(fugueId);
    await waitFor(async () => (await outboxRows(fugueId))[0].published_at, { what: 'the outbox row marked published' });
    expect(await jobState(QueueName.Triage, outboxJobId(row.id))).toBe('waiting');
  });
});
