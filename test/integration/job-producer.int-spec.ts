import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { JobName, JobProducer, outboxJobId, QueueName } from '@vigie/queue';
import { startTestApp, TestApp } from '@vigie/testing';

/**
 * Outbox jobs added while an earlier add of their queue is on its way share the next `addBulk`
 * (JobProducer.enqueue), on the real Redis. The app runs without its worker: the jobs stay
 * waiting where the test can read them.
 */
describe('JobProducer.enqueue', () => {
  let t: TestApp;
  let producer: JobProducer;

  beforeAll(async () => {
    t = await startTestApp({ worker: false });
    producer = t.app.get(JobProducer);
  });
  afterAll(() => t?.close());
  afterEach(() => jest.restoreAllMocks());

  const triageJob = () => ({ fugueId: randomUUID(), cause: 'declared' as const, outboxId: randomUUID() });

  it('adds every job of a burst, in fewer round trips than jobs, each once', async () => {
    const bulks = jest.spyOn(Queue.prototype, 'addBulk');
    const jobs = Array.from({ length: 40 }, triageJob);

    await Promise.all(jobs.map((job) => producer.enqueue(JobName.FugueTriage, job)));

    const queue = producer.queue(QueueName.Triage);
    const stored = await Promise.all(jobs.map((job) => queue.getJob(outboxJobId(job.outboxId))));
    expect(stored.map((job) => job?.data)).toEqual(jobs);
    expect(stored.every((job) => job?.name === JobName.FugueTriage && job.opts.attempts !== undefined)).toBe(true);
    // The first add leaves at once; the others gather behind it.
    expect(bulks.mock.calls.length).toBeGreaterThanOrEqual(1);
    expect(bulks.mock.calls.length).toBeLessThan(jobs.length);
    expect(bulks.mock.calls.flatMap(([added]) => added.map((job) => job.opts?.jobId))).toEqual(jobs.map((job) => outboxJobId(job.outboxId)));

    // The same rows published again (the outbox sweep) add nothing twice.
    const waiting = await queue.getWaitingCount();
    await Promise.all(jobs.slice(0, 10).map((job) => producer.enqueue(JobName.FugueTriage, job)));
    expect(await queue.getWaitingCount()).toBe(waiting);
  });

  it('adds a job on its own when nothing is on its way', async () => {
    const bulks = jest.spyOn(Queue.prototype, 'addBulk');
    const job = triageJob();

    await producer.enqueue(JobName.FugueTriage, job);

    expect(bulks.mock.calls.map(([added]) => added.length)).toEqual([1]);
    expect((await producer.queue(QueueName.Triage).getJob(outboxJobId(job.outboxId)))?.data).toEqual(job);
  });
});
