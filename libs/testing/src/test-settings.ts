import { readEnvironment } from '../../config/src/environment';

const env = readEnvironment();

/** Where the tests find their services; the defaults are the machine's local PostgreSQL and Redis. */
export const TEST_SETTINGS = {
  /** The PostgreSQL server (and a database on it whose name contains "test") that tests run against. */
  databaseUrl: env.VIGIE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  redisUrl: env.VIGIE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  /** Log level of the in-process test apps (silent unless debugging). */
  logLevel: env.VIGIE_TEST_LOG_LEVEL ?? 'silent',
  /** The Chromium that browser tests drive (Debian's `chromium` package by default). */
  chromiumPath: env.CHROMIUM_PATH || '/usr/bin/chromium',
} as const;
