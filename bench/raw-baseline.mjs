// The raw baseline of `npm run bench`: what declaring a fugue costs without the framework.
// A bare node:http handler doing one pg INSERT and one BullMQ add per request, answering 201 JSON.
// Started as a child process by bench/intake.bench.mjs with DATABASE_URL, REDIS_URL, BENCH_QUEUE_PREFIX,
// BENCH_POOL_SIZE and PORT; prints "ready <port>" on stdout once it listens.
import { createServer } from 'node:http';
import { Queue } from 'bullmq';
import pg from 'pg';

const port = Number(process.env.PORT);
const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

// Same pool size and job options as the service, so that only the framework differs.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.BENCH_POOL_SIZE ?? 20) });
const queue = new Queue('triage', {
  connection: { host: redisUrl.hostname, port: Number(redisUrl.port || 6379), enableOfflineQueue: false, maxRetriesPerRequest: 1 },
  prefix: process.env.BENCH_QUEUE_PREFIX ?? 'vigie-bench-baseline',
});
queue.on('error', () => undefined);
const JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 10000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

await pool.query(`
  CREATE TABLE IF NOT EXISTS baseline_fugues (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    youth_id uuid NOT NULL,
    status text NOT NULL,
    noticed_missing_at timestamptz NOT NULL,
    details jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`);
await queue.waitUntilReady();

function answer(res, status, body) {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

const server = createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/v1/fugues') return answer(res, 404, { statusCode: 404 });
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', async () => {
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const { rows } = await pool.query(
        `INSERT INTO baseline_fugues (youth_id, status, noticed_missing_at, details)
         VALUES ($1, 'missing', $2, $3) RETURNING id, created_at`,
        [body.youthId, body.noticedMissingAt, body],
      );
      const { id, created_at: createdAt } = rows[0];
      await queue.add('fugue.triage', { fugueId: id, cause: 'declared' }, { ...JOB_OPTIONS, jobId: `baseline-${id}` });
      answer(res, 201, { id, youthId: body.youthId, status: 'missing', createdAt, classification: null });
    } catch (error) {
      answer(res, 500, { statusCode: 500, message: error.message });
    }
  });
});

server.listen(port, '127.0.0.1', () => process.stdout.write(`ready ${port}\n`));

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections?.();
    void Promise.allSettled([queue.close(), pool.end()]).then(() => process.exit(0));
  });
}
