import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source';

/** Any number 64-bit; shared by every process that migrates this database. */
const MIGRATION_LOCK = 7_246_901_331;

/**
 * Creates the database when it does not exist yet (a first `npm start` on a fresh machine),
 * then applies pending migrations under an advisory lock so that several processes starting
 * together migrate once. `say` receives what was done, in words, for the start-up log.
 */
export async function migrateDatabase(databaseUrl: string, say: (message: string) => void = () => undefined): Promise<string[]> {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
  say(`Database ${name} ${(await createDatabaseIfMissing(databaseUrl)) ? 'created' : 'found'}`);
  const dataSource = new DataSource(dataSourceOptions(databaseUrl, { extra: { max: 1 } }));
  await dataSource.initialize();
  try {
    await dataSource.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = (await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name);
    say(applied.length > 0 ? `Migrations applied: ${applied.join(', ')}` : `Database schema up to date (${dataSource.migrations.length} migrations)`);
    return applied;
  } finally {
    await dataSource.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await dataSource.destroy();
  }
}

/** Returns whether it created the database. */
export async function createDatabaseIfMissing(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name) return false;
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount !== 0) return false;
    return await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).then(
      () => true,
      (error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // created meanwhile by another process
        return false;
      },
    );
  } finally {
    await client.end();
  }
}
