// The NestJS floor of `npm run bench` (phase F, informational): the raw baseline's work
// (bench/baseline-work.mjs: one pg INSERT, one BullMQ add, same 201 body) served by NestJS 11 on
// its default Express adapter, with a global ValidationPipe and a class-validator DTO, as the
// service validates its bodies. Nothing else: no authentication, no logging per request, no
// helmet, no rate limit, no transaction. What F loses against B is the framework's own cost.
// Plain JavaScript, no compile step: the decorators are applied by hand below, and the
// `design:paramtypes` metadata TypeScript would emit is defined explicitly.
// Started as a child process by bench/intake.bench.mjs, like bench/raw-baseline.mjs, with PORT,
// DATABASE_URL, REDIS_URL, BENCH_QUEUE_PREFIX and BENCH_POOL_SIZE; prints "ready <port>" on stdout
// once it listens. BENCH_FLOOR_EXTRA_QUERY=1 adds a global guard that runs `SELECT 1` on the same
// pool before each request: a stand-in for the API-key lookup every service request does.
// BENCH_FLOOR_MINIMAL=1 (phase M) makes it the least the specification asks of a declaration in
// one process: F, plus an API-key lookup by hash before each request (an indexed SELECT on a
// table of keys, 401 when the key is unknown or revoked), plus a BullMQ worker in the same process
// (concurrency 32, as the service) that triages each episode with one read and one write:
// `SELECT` the episode, classify it, `UPDATE` its classification. No transaction, outbox, audit,
// encryption, history, escalation or webhook event: every one of those is more than M does.
// BENCH_FLOOR_ADAPTER=fastify serves F or M on Nest's Fastify adapter (@nestjs/platform-fastify,
// a development dependency for this comparison only) instead of Express, the service's: Fastify
// parses the JSON body itself, as Express's body parser does for F and M.
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { Body, Controller, HttpCode, Module, Post, UnauthorizedException, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { IsArray, IsIn, IsISO8601, IsObject, IsOptional, IsString, IsUUID } from 'class-validator';
import { openBaselineWork, startTriageWorker } from './baseline-work.mjs';

const port = Number(process.env.PORT);
const extraQuery = process.env.BENCH_FLOOR_EXTRA_QUERY === '1';
const minimal = process.env.BENCH_FLOOR_MINIMAL === '1';
const fastify = process.env.BENCH_FLOOR_ADAPTER === 'fastify';
const work = await openBaselineWork();

/** A copy of DEPARTED_WITH_VALUES (libs/domain/src/triage/vocabulary.ts); the floor does not load the service's code. */
const DEPARTED_WITH_VALUES = ['alone', 'peers', 'adult', 'vehicle', 'unknown'];

// ---------------------------------------------------------------------------------------------
// The body: the fields the bench sends, validated as `whitelist` + `forbidNonWhitelisted` need
// (every accepted property carries at least one class-validator decorator).

class DeclareFugueDto {}

/** Applies property decorators to `cls`, as `@A() @B() name: type;` would. */
function decorateProperties(cls, properties) {
  for (const [name, decorators] of Object.entries(properties)) Reflect.decorate(decorators, cls.prototype, name, undefined);
}

decorateProperties(DeclareFugueDto, {
  youthId: [IsUUID()],
  noticedMissingAt: [IsISO8601()],
  lastSeenAt: [IsOptional(), IsISO8601()],
  lastSeenPlace: [IsOptional(), IsString()],
  departedWith: [IsOptional(), IsIn(DEPARTED_WITH_VALUES)],
  belongings: [IsOptional(), IsObject()],
  indicators: [IsOptional(), IsArray(), IsString({ each: true })],
});

// ---------------------------------------------------------------------------------------------
// The controller: POST /v1/fugues → 201 with the baseline's body.

class FuguesController {
  create(body) {
    return work.declare(body);
  }
}

/** Applies method decorators (and parameter decorators, as `index → decorators`) to `cls.prototype[method]`. */
function decorateMethod(cls, method, decorators, parameters = {}) {
  const proto = cls.prototype;
  for (const [index, parameterDecorators] of Object.entries(parameters)) {
    for (const decorate of parameterDecorators) decorate(proto, method, Number(index));
  }
  const descriptor = Reflect.decorate(decorators, proto, method, Object.getOwnPropertyDescriptor(proto, method));
  Object.defineProperty(proto, method, descriptor);
}

// What TypeScript emits for `create(@Body() body: DeclareFugueDto)`: the ValidationPipe reads the
// metatype from here, and without it would validate nothing.
Reflect.defineMetadata('design:paramtypes', [DeclareFugueDto], FuguesController.prototype, 'create');
decorateMethod(FuguesController, 'create', [Post('fugues'), HttpCode(201)], { 0: [Body()] });
Reflect.decorate([Controller('v1')], FuguesController);

/** BENCH_FLOOR_EXTRA_QUERY=1: one trivial round trip to PostgreSQL before each request. */
class ExtraQueryGuard {
  async canActivate() {
    await work.pool.query('SELECT 1');
    return true;
  }
}

/**
 * BENCH_FLOOR_MINIMAL=1: the API-key lookup of every request, by SHA-256 hash, against a table
 * that holds one active key (the bench sends no key to B and F, so M looks up its own).
 */
const MINIMAL_KEY_HASH = createHash('sha256').update('bench-minimal-key').digest('hex');
class ApiKeyGuard {
  async canActivate(context) {
    const header = context.switchToHttp().getRequest().headers.authorization;
    const hash = header ? createHash('sha256').update(header.replace(/^Bearer /, '')).digest('hex') : MINIMAL_KEY_HASH;
    const { rows } = await work.pool.query('SELECT role FROM bench_api_clients WHERE key_hash = $1 AND revoked_at IS NULL', [hash]);
    if (rows.length === 0) throw new UnauthorizedException();
    return true;
  }
}

/** BENCH_FLOOR_MINIMAL=1: the key table, and the triage worker in the same process (bench/baseline-work.mjs). */
async function startMinimalTriage() {
  await work.pool.query(`CREATE TABLE IF NOT EXISTS bench_api_clients (key_hash text PRIMARY KEY, role text NOT NULL, revoked_at timestamptz)`);
  await work.pool.query(`INSERT INTO bench_api_clients (key_hash, role) VALUES ($1, 'foyer') ON CONFLICT DO NOTHING`, [MINIMAL_KEY_HASH]);
  return startTriageWorker(work);
}

class FloorModule {}
Reflect.decorate([Module({ controllers: [FuguesController] })], FloorModule);

// ---------------------------------------------------------------------------------------------
// Start and stop.

const app = fastify
  ? await NestFactory.create(FloorModule, new FastifyAdapter(), { logger: ['error'] })
  : await NestFactory.create(FloorModule, { logger: ['error'] });
app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
if (extraQuery) app.useGlobalGuards(new ExtraQueryGuard());
if (minimal) app.useGlobalGuards(new ApiKeyGuard());
const worker = minimal ? await startMinimalTriage() : null;
await app.listen(port, '127.0.0.1');
process.stdout.write(
  `ready ${port}${fastify ? ' (on Fastify)' : ''}${extraQuery ? ' (with the extra query)' : ''}${minimal ? ' (minimal service: key lookup and triage worker)' : ''}\n`,
);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    // Like the baseline: stop listening and drop the keep-alive connections, then close the pool and queue.
    const closed = app.close();
    app.getHttpServer().closeAllConnections?.();
    void Promise.allSettled([closed, worker?.close()])
      .then(() => work.close())
      .then(() => process.exit(0));
  });
}
