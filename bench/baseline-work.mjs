// The work of one declaration in the baselines (bench/raw-baseline.mjs) and in the NestJS floor
// (bench/nest-floor.mjs): one pg INSERT into `baseline_fugues`, one BullMQ add. Every server calls
// the same code, so what differs between them is only what serves the request (bare node:http, or
// NestJS + Express + ValidationPipe) and whether a worker in the same process triages the jobs
// (`startTriageWorker`: the fair baseline B and the minimal service M).
// Settings (environment of the server process): DATABASE_URL, REDIS_URL, BENCH_QUEUE_PREFIX,
// BENCH_POOL_SIZE.
import { Queue, Worker } from 'bullmq';
import pg from 'pg';

// Same job options as the service, so that only the framework differs.
export const JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 10000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/**
 * Opens the pool (same size as the service's) and the queue, creates the table and waits until
 * Redis answers. `declare(body)` stores one episode, enqueues its triage job (deterministic job
 * id, as the service's outbox does) and returns the 201 body.
 */
export async function openBaselineWork(env = process.env) {
  const redisUrl = new URL(env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: Number(env.BENCH_POOL_SIZE ?? 20) });
  const queue = new Queue('triage', {
    connection: { host: redisUrl.hostname, port: Number(redisUrl.port || 6379), enableOfflineQueue: false, maxRetriesPerRequest: 1 },
    prefix: env.BENCH_QUEUE_PREFIX ?? 'vigie-bench-baseline',
  });
  queue.on('error', () => undefined);

  await pool.query(`
    CREATE TABLE IF NOT EXISTS baseline_fugues (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      youth_id uuid NOT NULL,
      status text NOT NULL,
      noticed_missing_at timestamptz NOT NULL,
      details jsonb,
      classification jsonb,
      classified_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
  await queue.waitUntilReady();

  async function declare(body) {
    const { rows } = await pool.query(
      `INSERT INTO baseline_fugues (youth_id, status, noticed_missing_at, details)
       VALUES ($1, 'missing', $2, $3) RETURNING id, created_at`,
      [body.youthId, body.noticedMissingAt, body],
    );
    const { id, created_at: createdAt } = rows[0];
    await queue.add('fugue.triage', { fugueId: id, cause: 'declared' }, { ...JOB_OPTIONS, jobId: `baseline-${id}` });
    return { id, youthId: body.youthId, status: 'missing', createdAt, classification: null };
  }

  return {
    pool,
    queue,
    declare,
    close: () => Promise.allSettled([queue.close(), pool.end()]),
  };
}

/** The service's worker concurrency (VIGIE_WORKER_CONCURRENCY's default), given to every in-process triage worker. */
export const TRIAGE_CONCURRENCY = 32;

/**
 * A BullMQ worker in the same process that triages each episode with one read and one write:
 * `SELECT` the episode, classify it, `UPDATE` its classification (`classified_at` is the write's
 * `clock_timestamp()`, as the service's `fugue_classifications.created_at`). No transaction,
 * outbox, audit, encryption, history, escalation or webhook event: the least a triage needs.
 */
export async function startTriageWorker(work, env = process.env) {
  const redisUrl = new URL(env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const worker = new Worker(
    'triage',
    async (job) => {
      const { rows } = await work.pool.query('SELECT id, noticed_missing_at, details FROM baseline_fugues WHERE id = $1', [job.data.fugueId]);
      const episode = rows[0];
      if (!episode) return;
      const indicators = episode.details?.indicators ?? [];
      const classification = { level: indicators.length >= 3 ? 'worrying' : 'routine', reasons: indicators, evaluatedAt: new Date().toISOString() };
      await work.pool.query('UPDATE baseline_fugues SET classification = $2, classified_at = clock_timestamp(), updated_at = now() WHERE id = $1', [
        episode.id,
        classification,
      ]);
    },
    {
      connection: { host: redisUrl.hostname, port: Number(redisUrl.port || 6379), maxRetriesPerRequest: null },
      prefix: env.BENCH_QUEUE_PREFIX ?? 'vigie-bench-baseline',
      concurrency: TRIAGE_CONCURRENCY,
    },
  );
  worker.on('error', () => undefined);
  await worker.waitUntilReady();
  return worker;
}
