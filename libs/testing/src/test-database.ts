import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { migrateDatabase } from '../../persistence/src/migrate';
import { TEST_SETTINGS } from './test-settings';

/** The server tests run against; each test file gets its own database on it. */
export const TEST_SERVER_URL = TEST_SETTINGS.databaseUrl;

/** Named after the migrations it was built from: a changed migration builds a new template. */
export const TEMPLATE_DATABASE = `vigie_test_tpl_${migrationsHash()}`;

function migrationsHash(): string {
  const dir = join(__dirname, '..', '..', '..', 'migrations');
  const hash = createHash('sha256');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()) hash.update(file).update(readFileSync(join(dir, file)));
  return hash.digest('hex').slice(0, 12);
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Refuses any database whose name does not say it is for tests. */
export function assertTestDatabase(url: string): void {
  const name = new URL(url).pathname.slice(1);
  if (!name.includes('test')) throw new Error(`Refusing to run tests against database "${name}": its name must contain "test"`);
}

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  assertTestDatabase(TEST_SERVER_URL);
  const client = new Client({ connectionString: TEST_SERVER_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Builds the template database from the migrations unless it exists already. Several test runs
 * may start together: the build happens under an advisory lock, into a temporary name that is
 * renamed when complete, so nobody clones a half-migrated template.
 */
export async function prepareTemplateDatabase(): Promise<void> {
  await admin(async (client) => {
    await client.query('SELECT pg_advisory_lock(7246901332)');
    try {
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [TEMPLATE_DATABASE]);
      if (exists.rowCount) return;
      const building = `${TEMPLATE_DATABASE}_building`;
      await client.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${building}`);
      await migrateDatabase(withDatabase(TEST_SERVER_URL, building));
      await client.query(`ALTER DATABASE ${building} RENAME TO ${TEMPLATE_DATABASE}`);
    } finally {
      await client.query('SELECT pg_advisory_unlock(7246901332)');
    }
  });
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh database cloned from the migrated template (fast: a file copy). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `vigie_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DATABASE}`));
  return {
    name,
    url: withDatabase(TEST_SERVER_URL, name),
    drop: () => admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
