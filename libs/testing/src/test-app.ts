import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { DynamicModule, Module, Type } from '@nestjs/common';
import { AbstractHttpAdapter, NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { Clock } from '../../domain/src/clock/clock';
import { VigieCoreModule } from '../../domain/src/core.module';
import { ApiModule } from '../../../apps/api/src/api.module';
import { configureApi } from '../../../apps/api/src/configure-api';
import { WorkerModule } from '../../../apps/worker/src/worker.module';
import { OpenApiResponseChecker } from './openapi-responses';
import { createTestDatabase, TestDatabase } from './test-database';
import { testClock } from './test-clock';
import { TEST_SETTINGS } from './test-settings';

export interface TestAppOptions {
  /** Run the worker (queue processors and sweeps) in the same process. Default true. */
  worker?: boolean;
  /** Run the HTTP API. Default true. */
  api?: boolean;
  /** Environment overrides on top of the test defaults. */
  env?: Record<string, string>;
  /** Reuse an existing database instead of creating one. */
  database?: TestDatabase;
  /** The service's clock; by default the test process's (`testClock()`). */
  clock?: Clock;
  /**
   * Sets VIGIE_PUBLIC_URL to the address the API listens on (`http://127.0.0.1:<port>`), so that
   * the links in its e-mails lead back to this app: a browser can follow them. Default false.
   */
  ownPublicUrl?: boolean;
}

export interface TestApp {
  app: INestApplicationContext;
  http: ReturnType<typeof request>;
  url: string;
  adminKey: string;
  database: TestDatabase;
  env: Record<string, string>;
  dataSource: DataSource;
  /** Closes the app; drops the database unless `keepDatabase`. */
  close(options?: { keepDatabase?: boolean }): Promise<void>;
}

/**
 * The data key of every process a test file starts (the same for all of them, so an API process
 * and a worker read each other's data); never a key file in the repository's .vigie/.
 */
const TEST_DATA_KEY = randomBytes(32).toString('base64');

/** The settings of a test process: its own database and queue prefix and data key, fast sweeps, quiet logs. */
export function testEnv(database: TestDatabase, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    REDIS_URL: TEST_SETTINGS.redisUrl,
    VIGIE_DATA_KEY: TEST_DATA_KEY,
    VIGIE_QUEUE_PREFIX: `vigie-test-${database.name}`,
    VIGIE_BOOTSTRAP_ADMIN_KEY: `vig_test_admin_${randomBytes(12).toString('hex')}`,
    VIGIE_ALLOW_PRIVATE_WEBHOOK_TARGETS: 'true',
    VIGIE_SWEEP_INTERVAL_MS: '200',
    VIGIE_OUTBOX_REPUBLISH_AFTER_MS: '2000',
    VIGIE_JOB_LOCK_MS: '2000',
    VIGIE_RATE_LIMIT_PER_MINUTE: '100000',
    VIGIE_AUTH_FAILURES_PER_MINUTE: '100000',
    // Spawned workers serve their probes on a free port; spawned APIs stop without waiting.
    WORKER_PORT: '0',
    VIGIE_SHUTDOWN_GRACE_MS: '0',
    LOG_LEVEL: TEST_SETTINGS.logLevel,
    // No web console unless a test builds one and names it: whether `npm start` built
    // dist-console/ in this clone must not change what `/` answers in a test.
    VIGIE_CONSOLE_DIR: join(tmpdir(), 'vigie-test-console-not-built'),
    ...extra,
  };
}

const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);

/**
 * A supertest agent whose every answer is first checked against the service's OpenAPI document:
 * an undeclared status or a body that does not match its schema fails the request's test, naming
 * the route.
 */
function checkedAgent(url: string, checker: OpenApiResponseChecker): ReturnType<typeof request> {
  const agent = request(url);
  return new Proxy(agent, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || !HTTP_METHODS.has(prop) || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const test = (value as (...a: unknown[]) => request.Test).apply(target, args);
        return test.expect((res: request.Response) => {
          const problem = checker.problem(test.method, test.url, res.status, res.headers['content-type'] as string | undefined, res.body);
          if (problem) throw new Error(problem);
        });
      };
    },
  });
}

/** Boots API and/or worker against a fresh database cloned from the migrated template. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const withApi = options.api ?? true;
  // The configuration is read when the app is built, before Nest listens: to give the app its own
  // address as VIGIE_PUBLIC_URL, a server listens first and the app's requests are handed to it.
  const server = withApi && options.ownPublicUrl ? await listeningServer() : undefined;
  let database: TestDatabase;
  try {
    database = options.database ?? (await createTestDatabase());
  } catch (error) {
    server?.close();
    throw error;
  }
  const env = testEnv(database, { ...options.env, ...(server ? { VIGIE_PUBLIC_URL: serverUrl(server) } : {}) });
  const withWorker = options.worker ?? true;
  const imports: (DynamicModule | Type)[] = [VigieCoreModule.forRoot(env, { clock: options.clock ?? testClock() })];
  if (withApi) imports.push(ApiModule);
  if (withWorker) imports.push(WorkerModule);

  @Module({ imports })
  class TestProcessModule {}

  let app: INestApplicationContext | undefined;
  let url = '';
  let checker: OpenApiResponseChecker | undefined;
  try {
    if (withApi) {
      const http = await NestFactory.create<NestExpressApplication>(TestProcessModule, { bodyParser: false, logger: false, abortOnError: false });
      app = http;
      checker = new OpenApiResponseChecker(await configureApi(http));
      if (server) {
        await http.init();
        // app.close() then closes this server, the one that listens.
        (http.getHttpAdapter() as AbstractHttpAdapter).setHttpServer(server);
        server.on('request', http.getHttpAdapter().getInstance());
        url = serverUrl(server);
      } else {
        await http.listen(0, '127.0.0.1');
        url = `http://127.0.0.1:${(http.getHttpServer().address() as AddressInfo).port}`;
      }
    } else {
      app = await NestFactory.createApplicationContext(TestProcessModule, { logger: false, abortOnError: false });
      await app.init();
    }
  } catch (error) {
    // A half-started app would keep its timers and connections and hold jest open.
    await app?.close().catch(() => undefined);
    server?.close();
    if (!options.database) await database.drop().catch(() => undefined);
    throw error;
  }
  const started = app;
  return {
    app: started,
    http: checker ? checkedAgent(url, checker) : request(url),
    url,
    adminKey: env.VIGIE_BOOTSTRAP_ADMIN_KEY,
    database,
    env,
    dataSource: started.get(DataSource),
    close: async ({ keepDatabase = false } = {}) => {
      // A browser keeps its connections open; they would hold the server's close forever.
      server?.closeAllConnections();
      await started.close();
      if (!keepDatabase && !options.database) await database.drop();
    },
  };
}

/** An HTTP server without a handler yet, listening on 127.0.0.1 and a free port. */
async function listeningServer(): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return server;
}

function serverUrl(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
