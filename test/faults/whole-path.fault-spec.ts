import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { YouthService } from '@vigie/domain';
import {
  birthDateForAge,
  buildDist,
  freePort,
  HttpReceiver,
  PrivatePostgres,
  PrivateRedis,
  SmtpCatcher,
  startTestApp,
  TcpProxy,
  TEST_IDENTITY,
  UnexpectedExit,
  VigieProcess,
  VigieProcessKind,
  waitFor,
} from '@vigie/testing';

/**
 * The whole path under faults (quality.md § Reliability). Two API and two worker processes on a private
 * PostgreSQL (reached through a TCP proxy that can stall) and a private Redis take a burst of
 * declarations while the schedule below kills and restarts what they depend on. Then every
 * accepted declaration is reconciled with what was stored, classified, alerted and sent, as the
 * test's own SMTP server and webhook receiver counted it.
 *
 * The client is a careful one: a request that failed (connection reset by a killed API, 503
 * during an outage, a timeout during the stall, 409 while an earlier attempt is in progress) is
 * retried with the same Idempotency-Key. Only a 201 the client received counts as accepted.
 */

const DEPARTMENT = '13';
const DECLARATIONS = 2000;
const CONNECTIONS = 32;
/** One declaration in WORRYING_EVERY is marked worrying by the staff. */
const WORRYING_EVERY = 20;
const FOYERS = 8;
/** Declarations are sent at this pace so that the schedule's faults land in the middle of the burst. */
const BURST_MS = 48_000;
/** A declaration not answered with a definitive status this long after its first attempt is left unanswered. */
const CLIENT_GIVES_UP_MS = 90_000;
/** A key still in progress this long after the first 409 IN_PROGRESS is given up for a fresh one. */
const STUCK_KEY_MS = 20_000;
const IDEMPOTENCY_LEASE_SECONDS = 8;
const REQUEST_TIMEOUT_MS = 15_000;
/** Long enough that a slow send on a loaded machine is not taken for an interrupted one (the sweep waits 4 × this). */
const DELIVERY_TIMEOUT_MS = 4000;
/** The test's own time limit; its waits stop REPORT_MS before it, so that a slow run still prints its summary and what was lost. */
const TEST_MS = 200_000;
const REPORT_MS = 20_000;
/** The least time kept after the burst for the work to settle. */
const SETTLE_MS = 30_000;

type FaultName = 'kill worker-1' | 'kill worker-2' | 'kill api-1' | 'kill redis' | 'restart postgres' | 'stall postgres';

interface Fault {
  name: FaultName;
  /** Milliseconds after the start of the burst. */
  at: number;
}

/** The fixed schedule. Restarts follow 2 s after a kill (3 s for Redis); the stall lasts 10 s. */
const SCHEDULE: Fault[] = [
  { name: 'kill worker-1', at: 4_000 },
  { name: 'kill api-1', at: 10_000 },
  { name: 'kill redis', at: 16_000 },
  { name: 'restart postgres', at: 24_000 },
  { name: 'stall postgres', at: 31_000 },
  { name: 'kill worker-2', at: 45_000 },
];
const STALL_MS = 10_000;

interface Declaration {
  youthId: string;
  foyerKey: string;
  idempotencyKey: string;
  worrying: boolean;
  body: string;
  outcome: 'accepted' | 'conflict' | 'unanswered' | 'refused';
  fugueId?: string;
  /** X-Correlation-Id of every 201 received (a replay has its own). */
  correlationIds: string[];
  attempts: number;
  /** Keys abandoned because they stayed in progress: the request that held them is gone. */
  stuckKeys: string[];
  lastProblem?: string;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  correlationId?: string;
}

/** One POST over a keep-alive agent; a network error or a timeout rejects. */
function post(agent: Agent, base: string, path: string, headers: Record<string, string>, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      timeout: REQUEST_TIMEOUT_MS,
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: Record<string, unknown> = {};
        try {
          parsed = text ? JSON.parse(text) : {};
        } catch {
          parsed = { raw: text.slice(0, 200) };
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, correlationId: res.headers['x-correlation-id'] as string | undefined });
      });
    });
    req.end(body);
  });
}

/** Runs `work` on every item with at most `concurrency` at once. */
async function inParallel<T>(items: T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i], i);
      }
    }),
  );
}

/**
 * A fixed pause, for timing that is itself under test: the fault schedule's instants, the burst's
 * pacing and a client's back-off between attempts. Never used to wait for the service.
 */
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * 409 codes that say the declaration is stored although this answer does not carry it: the youth
 * already has an open episode (an earlier attempt's), or the key's request was applied but its
 * response was not kept. The client then reads the episode instead.
 */
const STORED_CODES = ['FUGUE_ALREADY_OPEN', 'IDEMPOTENCY_RESPONSE_LOST'];

/** Whether a failed attempt is worth retrying with the same key. */
function retryable(answer: Answer): boolean {
  if (answer.status >= 500 || answer.status === 429) return true;
  return answer.status === 409 && answer.body.code === 'IDEMPOTENCY_KEY_IN_PROGRESS';
}

describe('the whole path under faults', () => {
  let pg: PrivatePostgres;
  let redis: PrivateRedis;
  let proxy: TcpProxy;
  let smtp: SmtpCatcher;
  let hooks: HttpReceiver;
  let db: Pool;
  const processes: VigieProcess[] = [];
  const crashes: UnexpectedExit[] = [];
  const adminKey = `vig_test_admin_${randomBytes(12).toString('hex')}`;
  const agents = [new Agent({ keepAlive: true, maxSockets: CONNECTIONS }), new Agent({ keepAlive: true, maxSockets: CONNECTIONS })];
  const declarations: Declaration[] = [];
  const faultsAt: { name: FaultName; at: Date }[] = [];
  let apis: VigieProcess[] = [];
  const logDir = mkdtempSync(join(tmpdir(), 'vigie-faults-'));
  /** The processes' logs are kept when the report points to them. */
  let keepLogs = true;
  let workers: VigieProcess[] = [];

  async function admin(method: 'POST' | 'PUT', path: string, body: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(`${apis[0].url}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  let setupSeconds = '';
  let jobsLostWithRedis = 0;

  beforeAll(async () => {
    const setupStarted = Date.now();
    await buildDist();
    [pg, redis, smtp, hooks] = await Promise.all([PrivatePostgres.start(), PrivateRedis.start(), SmtpCatcher.start(), HttpReceiver.start()]);
    const databaseUrl = await pg.createMigratedDatabase('vigie_test_faults');
    db = new Pool({ connectionString: databaseUrl, max: 4 });
    db.on('error', () => undefined);
    proxy = await TcpProxy.start(pg.port);
    const proxied = new URL(databaseUrl);
    proxied.port = String(proxy.port);

    const dataKey = randomBytes(32).toString('base64');
    const env = (extra: Record<string, string>) => ({
      NODE_ENV: 'test',
      DATABASE_URL: proxied.toString(),
      REDIS_URL: redis.url,
      SMTP_URL: smtp.url,
      VIGIE_QUEUE_PREFIX: 'vigie-faults',
      VIGIE_DATA_KEY: dataKey,
      VIGIE_BOOTSTRAP_ADMIN_KEY: adminKey,
      VIGIE_ALLOW_PRIVATE_WEBHOOK_TARGETS: 'true',
      VIGIE_SWEEP_INTERVAL_MS: '500',
      VIGIE_OUTBOX_REPUBLISH_AFTER_MS: '3000',
      VIGIE_JOB_LOCK_MS: '3000',
      VIGIE_DELIVERY_TIMEOUT_MS: String(DELIVERY_TIMEOUT_MS),
      VIGIE_RATE_LIMIT_PER_MINUTE: '1000000',
      // Shorter than the client's patience (STUCK_KEY_MS): a key whose holder was killed is taken
      // over by the client's own retry, so no client ever needs a fresh key.
      VIGIE_IDEMPOTENCY_LEASE_SECONDS: String(IDEMPOTENCY_LEASE_SECONDS),
      LOG_LEVEL: 'warn',
      // Each worker serves its probes on a free port: two on the default one, one fails to start.
      WORKER_PORT: '0',
      ...extra,
    });
    const make = async (kind: VigieProcessKind, n: number) =>
      new VigieProcess(kind, env(kind === 'api' ? { PORT: String(await freePort()) } : {}), {
        name: `${kind}-${n}`,
        restartOnExit: true,
        onUnexpectedExit: (exit) => crashes.push(exit),
        logFile: join(logDir, `${kind}-${n}.log`),
      });
    apis = [await make('api', 1), await make('api', 2)];
    workers = [await make('worker', 1), await make('worker', 2)];
    processes.push(...apis, ...workers);
    // The first process creates the bootstrap admin; the others find it.
    apis[0].start();
    await apis[0].live(60_000);
    for (const p of [apis[1], ...workers]) p.start();
    await apis[1].live(60_000);

    await admin('POST', '/v1/referents', {
      displayName: 'Police test 13',
      role: 'police',
      departmentCode: DEPARTMENT,
      channels: [{ type: 'email', address: 'police@d13.test' }],
    });
    await admin('POST', '/v1/referents', {
      displayName: 'Astreinte test 13',
      role: 'department_duty',
      departmentCode: DEPARTMENT,
      channels: [{ type: 'webhook', url: hooks.url('/d13/astreinte') }],
    });
    await admin('PUT', `/v1/departments/${DEPARTMENT}/escalation-policy`, {
      worrying: { steps: [{ afterSeconds: 0, notify: ['police', 'department_duty'] }], repeatLastStepEverySeconds: null },
    });

    const foyers: { id: string; key: string }[] = [];
    for (let i = 0; i < FOYERS; i++) {
      const foyer = await admin('POST', '/v1/foyers', { name: `Foyer test ${i + 1}`, departmentCode: DEPARTMENT, kind: 'ase' });
      const client = await admin('POST', '/v1/api-clients', { name: `foyer test ${i + 1}`, role: 'foyer', foyerIds: [foyer.id] });
      foyers.push({ id: foyer.id as string, key: client.key as string });
    }
    // The youths are registered in-process, through the service the API would call: only the
    // declarations are the burst under test, and 2,000 registrations over HTTP would double the run.
    const registrar = await startTestApp({
      api: false,
      worker: false,
      database: { name: 'vigie_test_faults', url: databaseUrl, drop: async () => undefined },
      env: { REDIS_URL: redis.url, VIGIE_QUEUE_PREFIX: 'vigie-faults', VIGIE_DATA_KEY: dataKey },
    });
    try {
      const youths = registrar.app.get(YouthService);
      const caller = { clientId: randomUUID(), role: 'admin' as const, foyerIds: [], departmentCodes: [] };
      const birthDate = birthDateForAge(15);
      await inParallel(
        Array.from({ length: DECLARATIONS }, (_, i) => i),
        8,
        async (i) => {
          const foyer = foyers[i % FOYERS];
          const { youth } = await youths.registerYouth(caller, { foyerId: foyer.id, ...TEST_IDENTITY, birthDate, sex: i % 2 ? 'F' : 'M' });
          declarations.push({
            youthId: youth.id,
            foyerKey: foyer.key,
            idempotencyKey: randomUUID(),
            worrying: i % WORRYING_EVERY === 0,
            body: '',
            outcome: 'unanswered',
            correlationIds: [],
            attempts: 0,
            stuckKeys: [],
          });
        },
      );
    } finally {
      await registrar.close({ keepDatabase: true });
    }
    setupSeconds = ((Date.now() - setupStarted) / 1000).toFixed(0);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.dispose()));
    for (const agent of agents) agent.destroy();
    await db?.end().catch(() => undefined);
    await proxy?.close();
    await Promise.all([redis?.dispose(), smtp?.close(), hooks?.close()]);
    pg?.dispose();
    if (!keepLogs) rmSync(logDir, { recursive: true, force: true });
  }, 30_000);

  /** Plays the schedule; resolves when every fault is over and every process is back. */
  async function runSchedule(start: number): Promise<void> {
    const [worker1, worker2] = workers;
    const api1 = apis[0];
    const at = async (ms: number) => {
      const wait = start + ms - Date.now();
      // The schedule is fixed in time: each fault strikes at its instant, whatever the service does.
      if (wait > 0) await pause(wait);
    };
    const record = (name: FaultName) => faultsAt.push({ name, at: new Date() });
    for (const fault of SCHEDULE) {
      await at(fault.at);
      record(fault.name);
      switch (fault.name) {
        case 'kill worker-1':
        case 'kill worker-2': {
          const worker = fault.name === 'kill worker-1' ? worker1 : worker2;
          await worker.kill();
          await at(fault.at + 2000);
          worker.start();
          break;
        }
        case 'kill api-1':
          await api1.kill();
          await at(fault.at + 2000);
          api1.start();
          break;
        case 'kill redis':
          // Jobs in Redis not yet done: what the wipe loses, and the outbox must publish again.
          jobsLostWithRedis = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NOT NULL AND processed_at IS NULL`)).rows[0].n;
          await redis.stop();
          await at(fault.at + 3000);
          await redis.start();
          break;
        case 'restart postgres':
          pg.restart();
          break;
        case 'stall postgres':
          proxy.stall();
          await at(fault.at + STALL_MS);
          proxy.resume();
          break;
      }
    }
  }

  /** Sends one declaration until it gets a definitive answer or the client gives up. */
  async function declare(d: Declaration, index: number, burstEndsBy: number): Promise<void> {
    const deadline = Math.min(Date.now() + CLIENT_GIVES_UP_MS, burstEndsBy);
    let inProgressSince: number | null = null;
    d.body = JSON.stringify({
      youthId: d.youthId,
      noticedMissingAt: new Date(Date.now() - 60_000).toISOString(),
      ...(d.worrying ? { staffConcern: { worrying: true } } : {}),
    });
    let target = index % 2;
    for (;;) {
      d.attempts += 1;
      let answer: Answer | null = null;
      try {
        answer = await post(agents[target], apis[target].url, '/v1/fugues', { authorization: `Bearer ${d.foyerKey}`, 'idempotency-key': d.idempotencyKey }, d.body);
      } catch (error) {
        d.lastProblem = (error as Error).message;
      }
      if (answer && answer.status === 201) {
        d.outcome = 'accepted';
        d.fugueId = answer.body.id as string;
        d.correlationIds.push(answer.correlationId ?? '');
        return;
      }
      if (answer && !retryable(answer)) {
        d.outcome = answer.status === 409 && STORED_CODES.includes(answer.body.code as string) ? 'conflict' : 'refused';
        d.lastProblem = `${answer.status} ${JSON.stringify(answer.body)}`;
        return;
      }
      if (answer) d.lastProblem = `${answer.status} ${String(answer.body.code)}`;
      if (Date.now() > deadline) return;
      if (answer?.body.code !== 'IDEMPOTENCY_KEY_IN_PROGRESS') inProgressSince = null;
      else if (inProgressSince === null) inProgressSince = Date.now();
      else if (Date.now() - inProgressSince > STUCK_KEY_MS) {
        // No request lasts that long: the one holding the key died. A fresh key is safe, since a
        // youth has one open episode at most: if the first attempt was stored, this one gets 409 FUGUE_ALREADY_OPEN.
        d.stuckKeys.push(d.idempotencyKey);
        d.idempotencyKey = randomUUID();
        inProgressSince = null;
      }
      // A failing process may be down: the next attempt goes to the other one.
      target = 1 - target;
      // A client's back-off between attempts, as a real one would wait: part of the load played.
      await pause(Math.min(2000, 100 * 2 ** Math.min(d.attempts, 5)));
    }
  }

  it('accepts a burst through worker, API, Redis and PostgreSQL faults and loses or duplicates no effect', async () => {
    const started = Date.now();
    // On a machine too slow for the burst, the declarations still unsent by then are counted as unanswered.
    const burstEndsBy = started + TEST_MS - REPORT_MS - SETTLE_MS;
    const schedule = runSchedule(started);
    const burst = inParallel(declarations, CONNECTIONS, async (d, i) => {
      // Paced: declaration i leaves no earlier than its slot in the burst.
      const slot = started + Math.floor((i * BURST_MS) / declarations.length);
      if (slot > Date.now()) await pause(slot - Date.now());
      if (Date.now() > burstEndsBy) {
        d.lastProblem = 'not sent: the burst outlasted its time';
        return;
      }
      await declare(d, i, burstEndsBy);
    });
    await Promise.all([schedule, burst]);
    const burstSeconds = ((Date.now() - started) / 1000).toFixed(0);
    // A wait never runs past the time kept for the report: what did not settle by then is counted as lost.
    const reportBy = started + TEST_MS - REPORT_MS;
    const within = (capMs: number) => Math.max(1000, Math.min(capMs, reportBy - Date.now()));

    // Reconcile: wait (bounded) until the work in PostgreSQL has settled.
    await waitFor(
      async () => {
        const { rows } = await db.query<{ pending: number; unclassified: number; unsettled: number; worrying_without_alert: number }>(
          `SELECT (SELECT count(*)::int FROM outbox WHERE processed_at IS NULL) AS pending,
                  (SELECT count(*)::int FROM fugues f WHERE NOT EXISTS
                     (SELECT 1 FROM fugue_classifications c WHERE c.fugue_id = f.id AND c.cause = 'declared')) AS unclassified,
                  (SELECT count(*)::int FROM notifications WHERE status IN ('pending', 'sending')) AS unsettled,
                  (SELECT count(*)::int FROM fugues f WHERE f.effective_level = 'worrying'
                     AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.fugue_id = f.id)) AS worrying_without_alert`,
        );
        const s = rows[0];
        return s.pending === 0 && s.unclassified === 0 && s.unsettled === 0 && s.worrying_without_alert === 0;
      },
      { timeoutMs: within(60_000), intervalMs: 500, what: 'every declaration to be classified, alerted and its notifications settled' },
    ).catch(() => undefined); // what did not settle is counted as lost below

    // The dead-letter list, as an administrator reads it; each entry is traced to a fault.
    const deadLetter: { id: string; lastError: string | null; step: number | null; alertId: string | null }[] = [];
    for (let cursor: string | null = null; ; ) {
      const res = await fetch(`${apis[1].url}/v1/notifications/dead-letter?limit=100${cursor ? `&cursor=${cursor}` : ''}`, { headers: { authorization: `Bearer ${adminKey}` } });
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: typeof deadLetter; nextCursor: string | null };
      deadLetter.push(...page.items);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    const interruptingFaults = faultsAt.filter((f) => f.name !== 'kill redis' && f.name !== 'kill api-1');
    const timesOf = new Map(
      (await db.query<{ id: string; created_at: Date; updated_at: Date }>(`SELECT id, created_at, updated_at FROM notifications WHERE status = 'failed'`)).rows.map((r) => [r.id, r]),
    );
    const causedByFault = (n: (typeof deadLetter)[number]) => {
      const times = timesOf.get(n.id);
      if (!times || !/^Interrupted while sending/.test(n.lastError ?? '')) return false;
      // The send was under way when a fault struck: after the notification was created, before the sweep failed it.
      return interruptingFaults.some((f) => f.at.getTime() >= times.created_at.getTime() - 2000 && f.at.getTime() <= times.updated_at.getTime());
    };
    const unexplained = deadLetter.filter((n) => !causedByFault(n));

    // What the test's SMTP server and webhook receiver got, per notification id.
    const received = () => {
      const counts = new Map<string, number>();
      const count = (id: string | undefined) => id && counts.set(id, (counts.get(id) ?? 0) + 1);
      for (const m of smtp.messages) count(/^Message-ID:\s*<([0-9a-f-]{36})@vigie>/im.exec(m.raw)?.[1]);
      for (const r of hooks.requests) count(r.headers['webhook-id'] as string | undefined);
      return counts;
    };

    // An administrator replays the interrupted sends that the recipients never got.
    const toReplay = deadLetter.filter((n) => causedByFault(n) && !received().has(n.id));
    for (const n of toReplay) {
      const res = await fetch(`${apis[1].url}/v1/notifications/${n.id}/replay`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}` } });
      expect(res.status).toBe(200);
    }
    await waitFor(() => toReplay.every((n) => received().has(n.id)), { timeoutMs: within(20_000), what: 'the replayed notifications to arrive' }).catch(() => undefined);

    const accepted = declarations.filter((d) => d.outcome === 'accepted');
    const fugues = (await db.query<{ id: string; youth_id: string; effective_level: string | null }>(`SELECT id, youth_id, effective_level FROM fugues`)).rows;
    const episodesOf = new Map<string, string[]>();
    for (const f of fugues) episodesOf.set(f.youth_id, [...(episodesOf.get(f.youth_id) ?? []), f.id]);
    const classifications = new Map(
      (await db.query<{ fugue_id: string; n: number }>(`SELECT fugue_id, count(*)::int AS n FROM fugue_classifications WHERE cause = 'declared' GROUP BY fugue_id`)).rows.map((r) => [r.fugue_id, r.n]),
    );
    const { rows: repeatedCauses } = await db.query<{ fugue_id: string; cause: string; n: number }>(
      `SELECT fugue_id, cause, count(*)::int AS n FROM fugue_classifications GROUP BY fugue_id, cause HAVING count(*) > 1`,
    );
    const { rows: eventMismatch } = await db.query<{ id: string }>(
      `SELECT f.id FROM fugues f
        WHERE (SELECT count(*) FROM fugue_classifications c WHERE c.fugue_id = f.id)
           <> (SELECT count(*) FROM fugue_events e WHERE e.fugue_id = f.id AND e.type = 'classified')`,
    );
    const alertsOf = new Map(
      (await db.query<{ fugue_id: string; n: number }>(`SELECT fugue_id, count(*)::int AS n FROM alerts GROUP BY fugue_id`)).rows.map((r) => [r.fugue_id, r.n]),
    );
    const stepZero = (
      await db.query<{ id: string; alert_id: string; channel: string; status: string }>(
        `SELECT n.id, n.alert_id, n.channel, n.status FROM notifications n WHERE n.kind = 'alert.notification' AND n.step = 0`,
      )
    ).rows;
    const stepZeroOf = new Map<string, string[]>();
    for (const n of stepZero) stepZeroOf.set(n.alert_id, [...(stepZeroOf.get(n.alert_id) ?? []), n.channel]);
    const { rows: alertRows } = await db.query<{ id: string; fugue_id: string }>(`SELECT id, fugue_id FROM alerts`);
    const audited = new Set(
      (await db.query<{ correlation_id: string }>(`SELECT correlation_id FROM audit_log WHERE method = 'POST' AND route = '/v1/fugues' AND status_code = 201`)).rows.map(
        (r) => r.correlation_id,
      ),
    );
    const counts = received();

    const worryingFugues = fugues.filter((f) => f.effective_level === 'worrying');
    const lost = {
      unanswered: declarations.filter((d) => d.outcome === 'unanswered').map((d) => `${d.youthId} ${d.lastProblem}`),
      conflictNotStored: declarations.filter((d) => d.outcome === 'conflict' && !episodesOf.has(d.youthId)).map((d) => d.youthId),
      acceptedNotStored: accepted.filter((d) => !episodesOf.get(d.youthId)?.includes(d.fugueId as string)).map((d) => d.fugueId),
      unclassified: fugues.filter((f) => !classifications.has(f.id)).map((f) => f.id),
      staffWorryingNotWorrying: accepted.filter((d) => d.worrying && fugues.find((f) => f.id === d.fugueId)?.effective_level !== 'worrying').map((d) => d.fugueId),
      worryingWithoutAlert: worryingFugues.filter((f) => !alertsOf.has(f.id)).map((f) => f.id),
      alertsMissingStepZero: alertRows.filter((a) => (stepZeroOf.get(a.id) ?? []).sort().join() !== 'email,webhook').map((a) => a.id),
      notificationsNeverReceived: stepZero.filter((n) => !counts.has(n.id)).map((n) => `${n.id} ${n.channel} ${n.status}`),
      deadLettersNotCausedByFaults: unexplained.map((n) => `${n.id} ${n.lastError}`),
      acceptedWithoutAudit: accepted.flatMap((d) => d.correlationIds.filter((c) => !audited.has(c))),
    };
    const duplicates = {
      episodesPerYouth: [...episodesOf.entries()].filter(([, ids]) => ids.length > 1).map(([youth]) => youth),
      declaredClassifications: [...classifications.entries()].filter(([, n]) => n > 1).map(([id]) => id),
      classificationsPerCause: repeatedCauses.map((r) => `${r.fugue_id} ${r.cause} ×${r.n}`),
      classifiedEvents: eventMismatch.map((r) => r.id),
      alertsPerEpisode: [...alertsOf.entries()].filter(([, n]) => n > 1).map(([id]) => id),
      sends: [...counts.entries()].filter(([, n]) => n > 1).map(([id, n]) => `${id} ×${n}`),
      unknownSends: [...counts.keys()].filter((id) => !stepZero.some((n) => n.id === id)),
    };
    const size = (o: Record<string, unknown[]>) => Object.values(o).reduce((sum, list) => sum + list.length, 0);
    const sends = [...counts.values()].reduce((a, b) => a + b, 0);
    const conflict = declarations.filter((d) => d.outcome === 'conflict').length;
    const stuckKeys = declarations.reduce((n, d) => n + d.stuckKeys.length, 0);
    const retried = declarations.filter((d) => d.attempts > 1).length;

    process.stdout.write(
      `faults: accepted=${accepted.length}/${DECLARATIONS} classified=${classifications.size}/${fugues.length} alerts=${alertRows.length}/${worryingFugues.length} ` +
        `sends=${sends} (email=${smtp.messages.length} webhook=${hooks.requests.length}) duplicates=${size(duplicates)} lost=${size(lost)} ` +
        `| retried=${retried} conflict=${conflict} refused=${declarations.filter((d) => d.outcome === 'refused').length} stuck-keys=${stuckKeys} jobs-lost-with-redis=${jobsLostWithRedis} dead-letters=${deadLetter.length} replayed=${toReplay.length} ` +
        `unexpected-exits=${crashes.length} setup=${setupSeconds}s burst=${burstSeconds}s total=${((Date.now() - started) / 1000).toFixed(0)}s\n`,
    );
    keepLogs = size(lost) + size(duplicates) + crashes.length + stuckKeys > 0;
    if (keepLogs) {
      const since = (d: Date) => `+${((d.getTime() - started) / 1000).toFixed(1)}s`;
      const counted = (o: Record<string, unknown[]>) => Object.entries(o).filter(([, list]) => list.length > 0).map(([name, list]) => `${name}=${list.length}`).join(' ');
      process.stdout.write(`faults: lost ${counted(lost) || 'none'}; duplicates ${counted(duplicates) || 'none'}\n`);
      process.stdout.write(`faults: schedule ${faultsAt.map((f) => `${f.name} ${since(f.at)}`).join(', ')}; process logs in ${logDir}\n`);
      for (const n of unexplained.slice(0, 10)) {
        const times = timesOf.get(n.id);
        const mentions = processes.flatMap((p) => {
          // A process that wrote nothing at LOG_LEVEL=warn has no file.
          const file = join(logDir, `${p.name}.log`);
          const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
          return text.split('\n').filter((line) => line.includes(n.id)).map((line) => `${p.name}: ${line.slice(0, 300)}`);
        });
        process.stdout.write(`faults: unexplained dead letter ${n.id} created ${times ? since(times.created_at) : '?'} failed ${times ? since(times.updated_at) : '?'}\n  ${mentions.join('\n  ')}\n`);
      }
      for (const d of declarations.filter((x) => x.outcome !== 'accepted' || x.stuckKeys.length > 0).slice(0, 10)) {
        process.stdout.write(`faults: ${d.outcome} after ${d.attempts} attempts and ${d.stuckKeys.length} stuck keys: ${d.lastProblem}\n`);
      }
      for (const c of crashes) process.stdout.write(`faults: ${c.name} exited (${c.code ?? c.signal}) at ${since(c.at)}:\n${c.output}\n`);
    }

    expect(faultsAt.map((f) => f.name)).toEqual(SCHEDULE.map((f) => f.name));
    // Every refusal other than the documented ones is a fault of the test's own requests.
    expect(declarations.filter((d) => d.outcome === 'refused').map((d) => d.lastProblem)).toEqual([]);
    expect(accepted.length).toBeGreaterThan(DECLARATIONS * 0.9);
    expect(lost).toEqual({
      unanswered: [],
      conflictNotStored: [],
      acceptedNotStored: [],
      unclassified: [],
      staffWorryingNotWorrying: [],
      worryingWithoutAlert: [],
      alertsMissingStepZero: [],
      notificationsNeverReceived: [],
      deadLettersNotCausedByFaults: [],
      acceptedWithoutAudit: [],
    });
    expect(duplicates).toEqual({
      episodesPerYouth: [],
      declaredClassifications: [],
      classificationsPerCause: [],
      classifiedEvents: [],
      alertsPerEpisode: [],
      sends: [],
      unknownSends: [],
    });
    // A key left in progress by a killed API is taken over by the client's retry after its lease:
    // no client had to give its key up for a fresh one.
    expect(declarations.filter((d) => d.stuckKeys.length > 0).map((d) => d.lastProblem)).toEqual([]);
  }, TEST_MS);
});
