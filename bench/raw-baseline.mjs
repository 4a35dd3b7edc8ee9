// The baselines of `npm run bench:intake`: what declaring a fugue costs without the framework.
// A bare node:http handler doing one pg INSERT and one BullMQ add per request (bench/baseline-work.mjs,
// shared with the NestJS floor), answering 201 JSON.
// With BENCH_BASELINE_WORKER=1 (phase B, the fair baseline) a BullMQ worker in the same process
// (concurrency 32, as the service) also triages every episode: it reads the row and writes its
// classification (startTriageWorker). Without it (phase R, informational) the jobs are only enqueued.
// Started as a child process by bench/intake.bench.mjs with DATABASE_URL, REDIS_URL, BENCH_QUEUE_PREFIX,
// BENCH_POOL_SIZE and PORT; prints "ready <port>" on stdout once it listens.
import { createServer } from 'node:http';
import { openBaselineWork, startTriageWorker } from './baseline-work.mjs';

const port = Number(process.env.PORT);
const work = await openBaselineWork();
const worker = process.env.BENCH_BASELINE_WORKER === '1' ? await startTriageWorker(work) : null;

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
      answer(res, 201, await work.declare(body));
    } catch (error) {
      answer(res, 500, { statusCode: 500, message: error.message });
    }
  });
});

server.listen(port, '127.0.0.1', () => process.stdout.write(`ready ${port}${worker ? ' (with the triage worker)' : ''}\n`));

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    server.close();
    server.closeAllConnections?.();
    void Promise.allSettled([worker?.close()])
      .then(() => work.close())
      .then(() => process.exit(0));
  });
}
