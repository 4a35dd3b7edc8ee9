// `npm run bench:links`: "Link evaluation stays flat as history grows" (docs/performance.md § Links
// stay flat). New declarations with a plate and a place (a hotel) go through the real path — POST
// /v1/fugues on the service as `npm start` runs it (API and worker in one process), the triage job
// evaluating the links in its transaction (spec/links.md) — on a history of 10,000 past episodes,
// then on the same history grown to 1,000,000. Triage latency = POST → stored classification
// (cause `declared`), read in SQL as bench/intake.bench.mjs does; p99 ratio large / small ≤ 1.5,
// with no failed job attempt in the service, passes. Each measured declaration is interleaved
// with a control declaration without connections (printed beside, not in the goal): what the
// table's size costs the triage with no link to look for. After each phase, the candidate statement
// alone runs under EXPLAIN ANALYZE once per measured episode (the database's part).
// The history is measurement data written in SQL (bench/history-data.mjs, generate_series), with
// structured connections as the service stores them: a share of the episodes name a vehicle with a
// plate, a place, a companion alias or a companion youth, each with its blind index computed under
// the service's own key (the bench starts the service with a data key it knows). Plates, addresses
// and aliases are drawn from fixed pools, so that a value comes back more often as history grows —
// as a car waiting near foyers does — and the candidates of the link query grow with history.
// Each measured declaration names a plate and an address of those pools that no other measured
// declaration names; they are spread over 200 bench foyers. The history grows into the past: the
// episodes added for the large size are all ended (BENCH_LINK_GROW_OPEN=1: 3 % open, as in the
// small one). The youths of open past episodes get
// an identity encrypted for their own row (a link re-triages the other episode), and returns
// older than the auto-close period are written closed (else the worker closes them meanwhile).
// Settings (environment): BENCH_LINK_DECLARATIONS (2000, measured per phase), BENCH_LINK_WARMUP
// (100 declarations before each phase, not counted), BENCH_LINK_RATE (20 declarations per second),
// BENCH_LINK_SMALL (10000), BENCH_LINK_LARGE (1000000), BENCH_LINK_GROW_OPEN (unset; 1: the grown
// history also holds 3 % open episodes, as if the population grew rather than time), BENCH_LINK_LOG_SLOW_MS (unset; for a
// diagnosis, PostgreSQL logs the bench database's statements slower than this), BENCH_PG_URL,
// REDIS_URL, BENCH_KEEP_DB=1.
// Exit code: 0 when the goal passes, 1 when it fails, 2 when the bench itself failed.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import pg from 'pg';
import {
  KEEP_DB,
  PG_ADMIN_URL,
  REDIS_URL,
  ROOT,
  api,
  createYouths,
  cpuSeconds,
  databaseUrl,
  deleteRedisPrefix,
  identitiesFor,
  machineJiffies,
  openRun,
  pad,
  positiveInt,
  recreateDatabase,
  runMain,
  startService,
  stopChild,
  waitFor,
} from './bench-common.mjs';
import { insertEpisodes, insertFoyers, insertYouths } from './history-data.mjs';

const DECLARATIONS = positiveInt('BENCH_LINK_DECLARATIONS', 2000);
const WARMUP = positiveInt('BENCH_LINK_WARMUP', 100);
const RATE = positiveInt('BENCH_LINK_RATE', 20);
/** The grown history also holds open episodes in proportion (3 %), as if the population grew rather than time. */
const GROW_OPEN = process.env.BENCH_LINK_GROW_OPEN === '1';
/** For a diagnosis: PostgreSQL logs the statements of the bench database slower than this (its server log). */
const LOG_SLOW_MS = process.env.BENCH_LINK_LOG_SLOW_MS ? positiveInt('BENCH_LINK_LOG_SLOW_MS', 0) : null;
const SMALL = positiveInt('BENCH_LINK_SMALL', 10_000);
const LARGE = positiveInt('BENCH_LINK_LARGE', 1_000_000);
const EPISODES_PER_YOUTH = 5;
/** Pool sizes: how many distinct plates, addresses and aliases the history draws from. */
const PLATES = 20_000;
const ADDRESSES = 20_000;
const ALIASES = 5_000;
/** Shares of the past episodes naming each kind of fact (one of each at most). */
const SHARES = { plate: 0.25, place: 0.3, alias: 0.15, companionYouth: 0.05, peers: 0.1 };
const COMMUNES = ['75056', '13055', '69123', '31555', '33063', '59350', '93066', '67482', '44109', '06088'];
const PLACE_KINDS = ['hotel', 'hotel', 'hotel', 'short_let', 'short_let', 'private_home', 'private_home', 'station', 'street', 'other'];

/** Foyers the measured declarations are spread over (the most foyers one API client may have). */
const CLIENT_FOYERS = 200;

const DATABASE = 'vigie_bench_links';
const QUEUE_PREFIX = 'vigie-bench-links';
const GOAL_RATIO = 1.5;
const CLASSIFY_TIMEOUT_MS = 120_000;
/** VIGIE_AUTO_CLOSE_AFTER_DAYS of the service (its default): older returns are written closed. */
const AUTO_CLOSE_DAYS = 30;
const short = (n) => (n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n));
const S = short(SMALL);
const L = short(LARGE);

// ---------------------------------------------------------------------------------------------
// The values of the pools, and their blind indexes under the service's key (code of dist/).

/** Plate i of the pool, in the SIV format (`AB-123-CD`). */
function plate(i) {
  const letter = (n) => String.fromCharCode(65 + (n % 26));
  return `${letter(i)}${letter(Math.floor(i / 26))}-${String(i % 1000).padStart(3, '0')}-${letter(Math.floor(i / 676))}${letter(Math.floor(i / 17576) + 1)}`;
}
const address = (i) => ({ address: `${1 + (i % 180)} rue Testbench ${Math.floor(i / 180)}`, communeCode: COMMUNES[i % COMMUNES.length] });
const alias = (i) => `Testsurnom ${i}`;

function pools(dataKey) {
  const require = createRequire(import.meta.url);
  const { BlindIndex } = require(join(ROOT, 'dist', 'libs', 'persistence', 'src', 'crypto', 'blind-index.js'));
  const { normalisePlate, normaliseAddress, normaliseAlias } = require(join(ROOT, 'dist', 'libs', 'domain', 'src', 'links', 'connections.js'));
  const index = BlindIndex.withKey(dataKey);
  const range = (n, f) => Array.from({ length: n }, (_, i) => f(i));
  const plates = range(PLATES, (i) => index.of('plate', normalisePlate(plate(i))));
  if (new Set(plates).size !== PLATES) throw new Error('The plate pool has duplicates');
  return {
    plates,
    addresses: range(ADDRESSES, (i) => index.of('address', normaliseAddress(address(i).address, address(i).communeCode))),
    aliases: range(ALIASES, (i) => index.of('alias', normaliseAlias(alias(i)))),
  };
}

// ---------------------------------------------------------------------------------------------
// History: episodes (bench/history-data.mjs) and their connections.

/**
 * Connections of the episodes of youths youthFrom..youthTo, in three INSERT … SELECT: a vehicle with
 * a plate, a place (of any kind, with an address), a companion alias or a companion youth, each for
 * its share of the episodes. `value_enc` is a copy of a ciphertext the service wrote (the same size;
 * the link evaluation never decrypts a row whose index is under the current key).
 */
async function insertConnections(db, { youthFrom, youthTo, pool, valueEnc, keyId }) {
  const batch = `SELECT f.id, f.created_at, f.youth_id, random() AS r, random() AS v
                   FROM fugues f JOIN bench_youths y ON y.id = f.youth_id WHERE y.seq BETWEEN $1 AND $2`;
  const common = [youthFrom, youthTo, valueEnc, keyId];
  await db.query(
    `INSERT INTO fugue_connections (id, fugue_id, kind, source, value_enc, blind_index, index_key_id, created_at)
     SELECT gen_random_uuid(), b.id, 'vehicle', CASE WHEN b.v < 0.8 THEN 'report' ELSE 'return' END, $3, ($5::text[])[1 + floor(b.v * $6)::int], $4, b.created_at
       FROM (${batch}) b WHERE b.r < $7`,
    [...common, pool.plates, pool.plates.length, SHARES.plate],
  );
  await db.query(
    `INSERT INTO fugue_connections (id, fugue_id, kind, source, place_kind, commune_code, value_enc, blind_index, index_key_id, created_at)
     SELECT gen_random_uuid(), b.id, 'place', CASE WHEN b.v < 0.6 THEN 'report' WHEN b.v < 0.8 THEN 'return' ELSE 'interview' END,
            ($8::text[])[1 + floor(b.r / $7 * $9)::int], ($10::text[])[1 + (floor(b.v * $6)::int % $11)], $3,
            ($5::text[])[1 + floor(b.v * $6)::int], $4, b.created_at
       FROM (${batch}) b WHERE b.r < $7`,
    [...common, pool.addresses, pool.addresses.length, SHARES.place, PLACE_KINDS, PLACE_KINDS.length, COMMUNES, COMMUNES.length],
  );
  await db.query(
    `INSERT INTO fugue_connections (id, fugue_id, kind, source, value_enc, blind_index, index_key_id, created_at)
     SELECT gen_random_uuid(), b.id, 'companion', 'report', $3, ($5::text[])[1 + floor(b.v * $6)::int], $4, b.created_at
       FROM (${batch}) b WHERE b.r < $7`,
    [...common, pool.aliases, pool.aliases.length, SHARES.alias],
  );
  // A companion named by id: another youth of the bench, of the same foyer.
  await db.query(
    `INSERT INTO fugue_connections (id, fugue_id, kind, source, companion_youth_id, created_at)
     SELECT gen_random_uuid(), b.id, 'companion', 'report', o.id, b.created_at
       FROM (${batch}) b JOIN bench_youths y ON y.id = b.youth_id
       JOIN bench_youths o ON o.seq = CASE WHEN y.seq > (SELECT count(*) FROM bench_foyers) THEN y.seq - (SELECT count(*) FROM bench_foyers) ELSE y.seq + (SELECT count(*) FROM bench_foyers) END
      WHERE b.r < $3`,
    [youthFrom, youthTo, SHARES.companionYouth],
  );
}

/**
 * The youths of the open past episodes get an identity ciphertext of their own (the same identity,
 * encrypted under the service's key for their row): a link found with an open episode triages it
 * again, and the triage reads its youth's identity. The copy bench/history-data.mjs writes is bound
 * to another row and would not decrypt.
 */
async function encryptOpenIdentities(db, dataKey, sampleYouthId, sampleEnc) {
  const { rows } = await db.query(
    `SELECT DISTINCT y.id FROM youths y JOIN fugues f ON f.youth_id = y.id WHERE f.status IN ('missing', 'located') AND y.identity_enc = $1 AND y.id <> $2`,
    [sampleEnc, sampleYouthId],
  );
  const ids = rows.map((r) => r.id);
  const encs = identitiesFor(dataKey, { id: sampleYouthId, identityEnc: sampleEnc }, ids);
  await db.query(`UPDATE youths y SET identity_enc = v.enc FROM unnest($1::uuid[], $2::text[]) AS v(id, enc) WHERE y.id = v.id`, [ids, encs]);
  return ids.length;
}

/**
 * Statistics as autovacuum would leave them, then a checkpoint: writing the history leaves
 * shared buffers full of dirty pages and a checkpoint under way, whose writes (and the
 * backends' own, when they must evict a dirty page) would otherwise fall into the measured
 * phase — a cost of the bulk load, not of a table of that size.
 */
async function settleTables(db) {
  await db.query(`VACUUM (ANALYZE) fugues, youths, foyers, fugue_connections, fugue_links`);
  await db.query('CHECKPOINT');
}

/** The cluster's write activity so far: WAL position, checkpoints, buffers written by checkpoints and by backends. */
async function writeActivity(db) {
  const { rows } = await db.query(
    `SELECT pg_current_wal_lsn()::text AS lsn, checkpoints_timed + checkpoints_req AS checkpoints,
            buffers_checkpoint, buffers_backend FROM pg_stat_bgwriter`,
  );
  return rows[0];
}

/** What the cluster wrote between two readings of writeActivity, per declaration where it says so. */
async function writesBetween(db, before, after, declarations) {
  const { rows } = await db.query(`SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::float AS wal`, [after.lsn, before.lsn]);
  return {
    walKiBPerDeclaration: Math.round(rows[0].wal / 1024 / declarations * 10) / 10,
    checkpoints: Number(after.checkpoints) - Number(before.checkpoints),
    checkpointBuffers: Number(after.buffers_checkpoint) - Number(before.buffers_checkpoint),
    backendBuffers: Number(after.buffers_backend) - Number(before.buffers_backend),
  };
}

async function tableFacts(db) {
  const { rows } = await db.query(
    `SELECT (SELECT count(*)::int FROM fugues) AS episodes,
            (SELECT count(*)::int FROM fugues WHERE status IN ('missing', 'located')) AS open,
            (SELECT count(*)::int FROM youths) AS youths,
            (SELECT count(*)::int FROM fugue_connections) AS connections,
            (SELECT count(*)::int FROM fugue_connections WHERE kind = 'vehicle') AS plates,
            (SELECT count(*)::int FROM fugue_connections WHERE kind = 'place' AND place_kind IN ('hotel', 'short_let', 'private_home')) AS linking_places,
            (SELECT count(*)::int FROM fugue_links) AS links,
            pg_size_pretty(pg_table_size('fugues') + pg_indexes_size('fugues')) AS fugues_size,
            pg_size_pretty(pg_table_size('fugue_connections') + pg_indexes_size('fugue_connections')) AS connections_size`,
  );
  return rows[0];
}

// ---------------------------------------------------------------------------------------------
// Load: declarations paced at RATE per second, each with a plate and a place of its own.

function declaration(youthId, k, named = true) {
  const now = Date.now();
  const place = address(k);
  const body = {
    youthId,
    noticedMissingAt: new Date(now - 60_000).toISOString(),
    lastSeenAt: new Date(now - 120_000).toISOString(),
    lastSeenPlace: 'Testlieu, arrêt de bus',
    departedWith: 'alone',
    belongings: { phone: true, money: false },
    indicators: ['SCHOOL_DROPOUT'],
  };
  return named ? { ...body, connections: { vehicles: [{ plate: plate(k) }], places: [{ kind: 'hotel', ...place }] } } : body;
}

/**
 * Declarations at RATE per second: for `youthIds`, the k-th naming plate and address
 * `firstValue + k`; for `controlIds`, the same declaration without connections, interleaved one
 * for one (the control: what the table's size costs the triage without any link to look for).
 */
async function declare({ url, key, youthIds, firstValue, controlIds = [] }) {
  const started = Date.now();
  const failures = [];
  const sent = [];
  const order = youthIds.flatMap((id, k) => [{ id, k, named: true }, ...(k < controlIds.length ? [{ id: controlIds[k], k, named: false }] : [])]);
  for (let i = 0; i < order.length; i++) {
    const wait = started + (i * 1000) / RATE - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const { id, k, named } = order[i];
    sent.push(api(url, key, 'POST', '/v1/fugues', declaration(id, firstValue + k, named)).catch((error) => failures.push(error.message)));
  }
  await Promise.all(sent);
  if (failures.length > 0) throw new Error(`${failures.length} declarations failed, first: ${failures[0]}`);
}

/** A measured phase: declarations, until each is classified, then the latencies from SQL. */
async function measure({ label, db, url, key, youthIds, controlIds, firstValue, servicePid, step }) {
  const all = [...youthIds, ...controlIds];
  step(`${label}: ${youthIds.length} declarations with a plate and a place, ${controlIds.length} without (control), interleaved, at ${RATE}/s`);
  const cpuBefore = cpuSeconds(servicePid);
  const machineBefore = machineJiffies();
  const writesBefore = await writeActivity(db);
  await declare({ url, key, youthIds, firstValue, controlIds });
  await waitFor(
    `${label}: every declaration classified`,
    async () => {
      const { rows } = await db.query(
        `SELECT count(*)::int AS declared, count(c.fugue_id)::int AS classified
           FROM fugues f LEFT JOIN fugue_classifications c ON c.fugue_id = f.id AND c.cause = 'declared' WHERE f.youth_id = ANY($1::uuid[])`,
        [all],
      );
      return rows[0].declared === all.length && rows[0].classified === all.length;
    },
    CLASSIFY_TIMEOUT_MS,
    250,
  );
  const machineAfter = machineJiffies();
  const cpuAfter = cpuSeconds(servicePid);
  const writes = await writesBetween(db, writesBefore, await writeActivity(db), all.length);
  const { rows: split } = await db.query(
    `SELECT linked, count(*)::int AS n, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1)::float AS p50,
            round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1)::float AS p99, round(max(ms)::numeric, 1)::float AS max
       FROM (SELECT EXTRACT(EPOCH FROM c.created_at - f.created_at) * 1000 AS ms,
                    EXISTS (SELECT 1 FROM fugue_links l WHERE (l.fugue_a = f.id OR l.fugue_b = f.id) AND l.found_at <= c.created_at) AS linked
               FROM fugues f JOIN fugue_classifications c ON c.fugue_id = f.id AND c.cause = 'declared'
              WHERE f.youth_id = ANY($1::uuid[])) latencies
      GROUP BY linked ORDER BY linked`,
    [youthIds],
  );
  const latencies = (ids) =>
    db.query(
      `SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1)::float AS p50,
              round(percentile_cont(0.95) WITHIN GROUP (ORDER BY ms)::numeric, 1)::float AS p95,
              round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1)::float AS p99,
              round(max(ms)::numeric, 1)::float AS max,
              (SELECT count(*)::int FROM fugue_links l JOIN fugues f ON f.id IN (l.fugue_a, l.fugue_b) WHERE f.youth_id = ANY($1::uuid[])) AS links
         FROM (SELECT EXTRACT(EPOCH FROM c.created_at - f.created_at) * 1000 AS ms
                 FROM fugues f JOIN fugue_classifications c ON c.fugue_id = f.id AND c.cause = 'declared'
                WHERE f.youth_id = ANY($1::uuid[])) latencies`,
      [ids],
    );
  const { rows } = await latencies(youthIds);
  const { rows: control } = await latencies(controlIds);
  return {
    label,
    declarations: youthIds.length,
    latencyMs: { p50: rows[0].p50, p95: rows[0].p95, p99: rows[0].p99, max: rows[0].max },
    linksFound: rows[0].links,
    /** The declarations whose own triage found a link, and the others. */
    byLink: split.map((r) => ({ linked: r.linked, n: r.n, p50: r.p50, p99: r.p99, max: r.max })),
    control: { declarations: controlIds.length, latencyMs: { p50: control[0].p50, p95: control[0].p95, p99: control[0].p99, max: control[0].max } },
    /** Over every declaration of the phase, with connections or not. */
    serviceCpuMsPerDeclaration: cpuBefore !== null && cpuAfter !== null ? Math.round(((cpuAfter - cpuBefore) * 1000 * 10) / all.length) / 10 : null,
    machineBusyPercent: Math.round(((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * 100),
    /** The whole cluster's, during the phase (the shared one may hold other databases). */
    writes,
  };
}

// ---------------------------------------------------------------------------------------------
// The candidate statement as the service sends it, for EXPLAIN.

/**
 * The statement and parameters LinkRepository.linkCandidates (from dist/, the code the service
 * runs) sends for one measured episode, with the facts the link evaluation reads of it.
 */
async function candidateStatement(db, fugueId) {
  const require = createRequire(import.meta.url);
  require('reflect-metadata');
  const persistence = require(join(ROOT, 'dist', 'libs', 'persistence', 'src', 'index.js'));
  const { linkWindow } = require(join(ROOT, 'dist', 'libs', 'domain', 'src', 'links', 'link.rules.js'));
  const { LINKING_PLACE_KINDS } = require(join(ROOT, 'dist', 'libs', 'domain', 'src', 'links', 'connections.js'));
  const { rows } = await db.query(
    `SELECT f.id, f.youth_id, f.foyer_id, f.noticed_missing_at, f.last_seen_at, f.departed_with, f.located_at, f.returned_at, f.ended_at,
            coalesce(array_agg(c.blind_index) FILTER (WHERE c.kind = 'vehicle' AND c.blind_index IS NOT NULL), '{}') AS plates,
            coalesce(array_agg(c.blind_index) FILTER (WHERE c.kind = 'companion' AND c.blind_index IS NOT NULL), '{}') AS aliases,
            coalesce(array_agg(c.blind_index) FILTER (WHERE c.kind = 'place' AND c.blind_index IS NOT NULL AND c.place_kind = ANY($2::text[])), '{}') AS addresses,
            coalesce(array_agg(c.companion_youth_id::text) FILTER (WHERE c.companion_youth_id IS NOT NULL), '{}') AS companions
       FROM fugues f LEFT JOIN fugue_connections c ON c.fugue_id = f.id WHERE f.id = $1 GROUP BY f.id`,
    [fugueId, LINKING_PLACE_KINDS],
  );
  const f = rows[0];
  const now = new Date();
  const window = linkWindow({ noticedMissingAt: f.noticed_missing_at, locatedAt: f.located_at, returnedAt: f.returned_at, endedAt: f.ended_at }, now);
  let captured = null;
  // linkCandidates runs a prepared statement on the manager's connection: this one records it.
  const connection = { query: async ({ text, values }) => ((captured = { query: text, parameters: values }), { rows: [] }) };
  const capturing = { queryRunner: { connect: async () => connection } };
  await new persistence.LinkRepository(null).linkCandidates(
    capturing,
    { id: f.id, youthId: f.youth_id, foyerId: f.foyer_id, departure: f.last_seen_at ?? f.noticed_missing_at, departedWithPeers: f.departed_with === 'peers', windowStart: new Date(window.start), windowEnd: new Date(window.end) },
    { plates: f.plates, aliases: f.aliases, addresses: f.addresses, companionYouthIds: f.companions },
    now,
    LINKING_PLACE_KINDS,
  );
  if (!captured) throw new Error('LinkRepository.linkCandidates sent no statement');
  return captured;
}

/**
 * The candidate statement alone, for each episode of a phase: its execution time and shared
 * buffers as EXPLAIN ANALYZE reports them, p50 and p99. What the database spends on finding the
 * candidates, without the rest of the triage and less sensitive to what else runs on the machine.
 */
async function candidateCost(db, youthIds) {
  const { rows } = await db.query(`SELECT id FROM fugues WHERE youth_id = ANY($1::uuid[])`, [youthIds]);
  const times = [];
  const buffers = [];
  for (const { id } of rows) {
    const { query, parameters } = await candidateStatement(db, id);
    const { rows: plan } = await db.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${query}`, parameters);
    const top = plan[0]['QUERY PLAN'][0];
    times.push(top['Execution Time']);
    buffers.push(top.Plan['Shared Hit Blocks'] + top.Plan['Shared Read Blocks']);
  }
  const at = (list, q) => {
    const sorted = [...list].sort((a, b) => a - b);
    return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 100) / 100;
  };
  return { episodes: rows.length, executionMs: { p50: at(times, 0.5), p99: at(times, 0.99) }, buffers: { p50: at(buffers, 0.5), p99: at(buffers, 0.99) } };
}

async function explain(db, { query, parameters }) {
  const { rows } = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${query}`, parameters);
  return rows.map((r) => r['QUERY PLAN']);
}

// ---------------------------------------------------------------------------------------------
// Report.

function report(results) {
  const { settings, small, large, phases, goal, growS, explainLarge } = results;
  const facts = (t) =>
    `${t.episodes} episodes (${t.open} open, ${t.youths} youths), ${t.connections} connections (${t.plates} plates, ${t.linkingPlaces} hotel/short-let/home places), ` +
    `${t.links} links; fugues ${t.fuguesSize}, fugue_connections ${t.connectionsSize}`;
  const lines = [
    '',
    `Links benchmark — ${settings.cpus} CPU(s) ${settings.cpuModel}, node ${settings.node}, load average at the start ${settings.loadavgAtStart}; ` +
      `POST /v1/fugues with a plate and a hotel, ${settings.rate}/s, ${settings.declarations} measured per phase after ${settings.warmup} not counted`,
    '',
    `History at ${S}: ${facts(small)}`,
    `History at ${L}: ${facts(large)} (grown in ${growS} s)`,
    '',
    [''.padEnd(28), pad('n', 5), pad('p50 ms', 8), pad('p95 ms', 8), pad('p99 ms', 8), pad('max ms', 8), pad('links', 6), pad('CPU ms/decl', 11), pad('busy', 6)].join(' '),
    ...phases.map((p) =>
      [
        p.label.padEnd(28),
        pad(p.declarations, 5),
        pad(p.latencyMs.p50, 8),
        pad(p.latencyMs.p95, 8),
        pad(p.latencyMs.p99, 8),
        pad(p.latencyMs.max, 8),
        pad(p.linksFound, 6),
        pad(p.serviceCpuMsPerDeclaration ?? '-', 11),
        pad(`${p.machineBusyPercent}%`, 6),
      ].join(' '),
    ),
    '',
    'Control, the same declarations without connections (interleaved one for one with those above):',
    ...phases.map(
      (p) =>
        `  ${p.label.padEnd(26)} n ${p.control.declarations}, p50 ${p.control.latencyMs.p50} ms, p95 ${p.control.latencyMs.p95} ms, p99 ${p.control.latencyMs.p99} ms, max ${p.control.latencyMs.max} ms`,
    ),
    'Triage latency of the declarations whose own triage found a link, and of the others:',
    ...phases.map(
      (p) =>
        `  ${p.label.padEnd(26)} ` +
        p.byLink.map((b) => `${b.linked ? 'found a link' : 'no link'}: n ${b.n}, p50 ${b.p50} ms, p99 ${b.p99} ms, max ${b.max} ms`).join('; '),
    ),
    'The candidate statement alone (EXPLAIN ANALYZE once per measured episode, after the phase):',
    ...phases.map(
      (p) =>
        `  ${p.label.padEnd(26)} execution p50 ${p.candidates.executionMs.p50} ms, p99 ${p.candidates.executionMs.p99} ms; ` +
        `shared buffers p50 ${p.candidates.buffers.p50}, p99 ${p.candidates.buffers.p99}`,
    ),
    'What the PostgreSQL cluster wrote during each phase (WAL per declaration, checkpoints, buffers written by checkpoints and by backends):',
    ...phases.map(
      (p) =>
        `  ${p.label.padEnd(26)} WAL ${p.writes.walKiBPerDeclaration} KiB/decl, ${p.writes.checkpoints} checkpoint(s), ` +
        `${p.writes.checkpointBuffers} buffers by checkpoints, ${p.writes.backendBuffers} by backends`,
    ),
    `job attempts failed in the service: ${results.failedJobs}`,
    `triage p99 ratio ${L} / ${S}: ${goal.ratio.toFixed(2)}   (p50 ratio ${results.ratios.p50.toFixed(2)}; control without connections: p99 ratio ${results.ratios.controlP99.toFixed(2)}, p50 ratio ${results.ratios.controlP50.toFixed(2)}; candidate statement p99 ratio ${results.ratios.candidateP99.toFixed(2)}, service CPU per declaration ratio ${results.ratios.cpu === null ? '-' : results.ratios.cpu.toFixed(2)})`,
    '',
    `The candidate statement (LinkRepository.linkCandidates) for one measured episode at ${L}:`,
    `  ${results.candidateStatement.replace(/\s+/g, ' ')}`,
    '',
    `EXPLAIN (ANALYZE, BUFFERS) at ${large.episodes} episodes:`,
    ...explainLarge.map((l) => `  ${l}`),
    '',
    'Goal (docs/performance.md § Links stay flat):',
    `  links: triage p99 at ${L} ≤ ${GOAL_RATIO} × p99 at ${S} ......... ${goal.pass ? 'PASS' : 'FAIL'} (${goal.detail})`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

// ---------------------------------------------------------------------------------------------
// The run.

async function main() {
  if (LARGE <= SMALL) throw new Error('BENCH_LINK_LARGE must be larger than BENCH_LINK_SMALL');
  if (2 * (WARMUP + 2 * DECLARATIONS) > Math.min(PLATES, ADDRESSES)) throw new Error('Too many declarations for the pools of plates and addresses');
  const run = openRun('links');
  const { step, log, logPath } = run;
  const loadavgAtStart = readFileSync('/proc/loadavg', 'utf8').trim();
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: 1 });
  let service = null;
  let db = null;

  try {
    step(`recreating database ${DATABASE}, clearing Redis prefix ${QUEUE_PREFIX}:`);
    await recreateDatabase(admin, DATABASE);
    if (LOG_SLOW_MS !== null) await admin.query(`ALTER DATABASE ${DATABASE} SET log_min_duration_statement = ${LOG_SLOW_MS}`);
    await deleteRedisPrefix(redis, QUEUE_PREFIX);
    // The bench knows the data key, to write the blind indexes of the history under it.
    const dataKey = randomBytes(32);
    step('starting the service (migrations run at start)');
    service = await startService({ database: DATABASE, queuePrefix: QUEUE_PREFIX, log, logPath, env: { VIGIE_DATA_KEY: dataKey.toString('base64'), VIGIE_AUTO_CLOSE_AFTER_DAYS: String(AUTO_CLOSE_DAYS) } });
    const { url, adminKey } = service;
    const servicePid = service.child.pid;
    const pool = pools(dataKey);

    db = new pg.Client({ connectionString: databaseUrl(DATABASE) });
    await db.connect();
    // The declarations are spread over bench foyers of every département (the most one client
    // may have): new episodes in foyers with a history, a few per foyer as in real life.
    const foyerCount = await insertFoyers(db);
    const { rows: declaring } = await db.query(`SELECT id FROM bench_foyers WHERE seq % $1 = 0 ORDER BY seq LIMIT $2`, [Math.max(1, Math.floor(foyerCount / CLIENT_FOYERS)), CLIENT_FOYERS]);
    const foyerIds = declaring.map((r) => r.id);
    const foyerClient = await api(url, adminKey, 'POST', '/v1/api-clients', { name: 'Bench foyer client', role: 'foyer', foyerIds });
    const perPhase = WARMUP + 2 * DECLARATIONS;
    step(`${2 * perPhase} youths through the API in ${foyerIds.length} of the ${foyerCount} bench foyers (their identities encrypted by the service)`);
    const youthIds = (await createYouths(url, foyerClient.key, foyerIds, 2 * perPhase, 8)).ids;
    const phaseYouths = (p) => ({
      warmup: youthIds.slice(p * perPhase, p * perPhase + WARMUP),
      measured: youthIds.slice(p * perPhase + WARMUP, p * perPhase + WARMUP + DECLARATIONS),
      control: youthIds.slice(p * perPhase + WARMUP + DECLARATIONS, (p + 1) * perPhase),
    });

    // The first warm-up declarations also give a ciphertext of the service, copied into the history.
    step(`warm-up: ${WARMUP} declarations (a fresh process compiles its hot paths)`);
    await declare({ url, key: foyerClient.key, youthIds: phaseYouths(0).warmup, firstValue: 0 });
    const { rows: sample } = await db.query(`SELECT value_enc, index_key_id FROM fugue_connections WHERE kind = 'vehicle' AND value_enc IS NOT NULL LIMIT 1`);
    if (sample.length === 0) throw new Error('The warm-up declarations stored no vehicle');
    const { rows: enc } = await db.query(`SELECT identity_enc FROM youths WHERE id = $1`, [youthIds[0]]);

    // --- history of SMALL episodes ---
    const smallYouths = Math.ceil(SMALL / EPISODES_PER_YOUTH);
    const largeYouths = Math.ceil(LARGE / EPISODES_PER_YOUTH);
    let started = Date.now();
    await insertYouths(db, 1, smallYouths, foyerCount, enc[0].identity_enc);
    await insertEpisodes(db, { from: 1, to: SMALL, youthFrom: 1, youthCount: smallYouths, createdBy: foyerClient.id, peersShare: SHARES.peers, autoCloseDays: AUTO_CLOSE_DAYS });
    await insertConnections(db, { youthFrom: 1, youthTo: smallYouths, pool, valueEnc: sample[0].value_enc, keyId: sample[0].index_key_id });
    await encryptOpenIdentities(db, dataKey, youthIds[0], enc[0].identity_enc);
    await settleTables(db);
    const small = await tableFacts(db);
    step(`history of ${small.episodes} episodes, ${small.connections} connections, over ${foyerCount} foyers in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const phases = [];
    phases.push(await measure({ label: `${SMALL.toLocaleString('en')} past episodes`, db, url, key: foyerClient.key, youthIds: phaseYouths(0).measured, controlIds: phaseYouths(0).control, firstValue: WARMUP, servicePid, step }));
    phases[0].candidates = await candidateCost(db, phaseYouths(0).measured);

    // --- grown to LARGE ---
    step(`growing the history to ${LARGE} episodes (INSERT … SELECT generate_series), then VACUUM ANALYZE and CHECKPOINT`);
    started = Date.now();
    await insertYouths(db, smallYouths + 1, largeYouths, foyerCount, enc[0].identity_enc);
    // History grows into the past: the episodes open now (and so the links a new declaration may
    // find) stay those of the small history; BENCH_LINK_GROW_OPEN=1 adds open episodes in proportion.
    await insertEpisodes(db, {
      from: SMALL + 1,
      to: LARGE,
      youthFrom: smallYouths + 1,
      youthCount: largeYouths - smallYouths,
      createdBy: foyerClient.id,
      peersShare: SHARES.peers,
      autoCloseDays: AUTO_CLOSE_DAYS,
      openShare: GROW_OPEN ? 0.03 : 0,
    });
    await insertConnections(db, { youthFrom: smallYouths + 1, youthTo: largeYouths, pool, valueEnc: sample[0].value_enc, keyId: sample[0].index_key_id });
    await encryptOpenIdentities(db, dataKey, youthIds[0], enc[0].identity_enc);
    await settleTables(db);
    const growS = Math.round((Date.now() - started) / 100) / 10;
    const large = await tableFacts(db);
    step(`  ${large.episodes} episodes, ${large.connections} connections in ${growS} s`);

    step(`warm-up: ${WARMUP} declarations`);
    await declare({ url, key: foyerClient.key, youthIds: phaseYouths(1).warmup, firstValue: perPhase });
    phases.push(
      await measure({ label: `${LARGE.toLocaleString('en')} past episodes`, db, url, key: foyerClient.key, youthIds: phaseYouths(1).measured, controlIds: phaseYouths(1).control, firstValue: perPhase + WARMUP, servicePid, step }),
    );
    phases[1].candidates = await candidateCost(db, phaseYouths(1).measured);

    step('EXPLAIN (ANALYZE, BUFFERS) of the statement LinkRepository.linkCandidates sends');
    const { rows: last } = await db.query(`SELECT id FROM fugues WHERE youth_id = $1`, [phaseYouths(1).measured[DECLARATIONS - 1]]);
    const statement = await candidateStatement(db, last[0].id);
    const explainLarge = await explain(db, statement);

    // Jobs that failed in the service (none expected: a failure and its retries would weigh on the figures).
    const failedJobs = (readFileSync(logPath, 'utf8').match(/failed \(attempt \d+\)/g) ?? []).length;
    const [base, grown] = phases;
    const ratio = grown.latencyMs.p99 / base.latencyMs.p99;
    const results = {
      startedAt: run.startedAt.toISOString(),
      settings: {
        cpus: availableParallelism(),
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        declarations: DECLARATIONS,
        warmup: WARMUP,
        rate: RATE,
        pools: { plates: PLATES, addresses: ADDRESSES, aliases: ALIASES },
        shares: SHARES,
        growOpen: GROW_OPEN,
        loadavgAtStart,
        loadavgAtEnd: readFileSync('/proc/loadavg', 'utf8').trim(),
      },
      small: camel(small),
      large: camel(large),
      growS,
      phases,
      ratios: {
        p99: Math.round(ratio * 100) / 100,
        p50: Math.round((grown.latencyMs.p50 / base.latencyMs.p50) * 100) / 100,
        controlP99: Math.round((grown.control.latencyMs.p99 / base.control.latencyMs.p99) * 100) / 100,
        controlP50: Math.round((grown.control.latencyMs.p50 / base.control.latencyMs.p50) * 100) / 100,
        candidateP99: Math.round((grown.candidates.executionMs.p99 / base.candidates.executionMs.p99) * 100) / 100,
        cpu: base.serviceCpuMsPerDeclaration && grown.serviceCpuMsPerDeclaration ? Math.round((grown.serviceCpuMsPerDeclaration / base.serviceCpuMsPerDeclaration) * 100) / 100 : null,
      },
      failedJobs,
      candidateStatement: statement.query,
      explainLarge,
      goal: {
        ratio,
        pass: ratio <= GOAL_RATIO && failedJobs === 0,
        detail:
          `p99 ${grown.latencyMs.p99} ms at ${large.episodes} past episodes vs ${base.latencyMs.p99} ms at ${small.episodes}, ratio ${ratio.toFixed(2)}` +
          (failedJobs === 0 ? '' : `; ${failedJobs} job attempts failed in the service (see the process log)`),
      },
    };
    writeFileSync(run.resultsPath, JSON.stringify(results, null, 2) + '\n');
    report(results);
    step(`results written to ${run.resultsPath} (process logs: ${logPath})`);
    return results.goal.pass ? 0 : 1;
  } finally {
    if (db) await db.end().catch(() => undefined);
    if (service) await stopChild(service.child);
    if (!KEEP_DB) await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`).catch(() => undefined);
    await deleteRedisPrefix(redis, QUEUE_PREFIX).catch(() => undefined);
    redis.disconnect();
    await admin.end();
    log.end();
  }
}

function camel(t) {
  return {
    episodes: t.episodes,
    open: t.open,
    youths: t.youths,
    connections: t.connections,
    plates: t.plates,
    linkingPlaces: t.linking_places,
    links: t.links,
    fuguesSize: t.fugues_size,
    connectionsSize: t.connections_size,
  };
}

runMain(main);
