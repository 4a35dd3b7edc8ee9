import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabaseIfMissing, migrateDatabase } from '../../persistence/src/migrate';
import { freePort } from './private-redis';

const BIN = '/usr/lib/postgresql/15/bin';

/**
 * A PostgreSQL server of the test's own, on a free port, that the test may stop and start
 * without touching the shared one. PostgreSQL refuses to run as root, so when the tests run as
 * root the server runs as the `postgres` system user.
 */
export class PrivatePostgres {
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'vigie-pg-'));
    chmodSync(dir, 0o700);
    const pg = new PrivatePostgres(await freePort(), dir);
    if (process.getuid?.() === 0) {
      const { uid, gid } = userIds('postgres');
      chownSync(dir, uid, gid);
    }
    pg.run('initdb', ['-D', pg.data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    pg.start();
    return pg;
  }

  get data(): string {
    return join(this.dir, 'data');
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  start(): void {
    this.run('pg_ctl', ['-D', this.data, '-w', '-l', join(this.dir, 'server.log'), '-o', this.options, 'start']);
  }

  /** Fast shutdown (sessions are ended, transactions rolled back), then start again; as a maintenance restart. */
  restart(): void {
    this.run('pg_ctl', ['-D', this.data, '-w', '-m', 'fast', '-l', join(this.dir, 'server.log'), '-o', this.options, 'restart']);
  }

  /** Creates a database and applies the migrations; returns its URL. */
  async createMigratedDatabase(name: string): Promise<string> {
    const url = this.url(name);
    await createDatabaseIfMissing(url);
    await migrateDatabase(url);
    return url;
  }

  private get options(): string {
    return `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  }

  /** Immediate shutdown: connections are cut as in a crash. */
  stop(): void {
    this.run('pg_ctl', ['-D', this.data, '-w', '-m', 'immediate', 'stop']);
  }

  dispose(): void {
    try {
      this.stop();
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private run(command: string, args: string[]): void {
    const binary = join(BIN, command);
    if (process.getuid?.() === 0) execFileSync('runuser', ['-u', 'postgres', '--', binary, ...args], { stdio: 'pipe' });
    else execFileSync(binary, args, { stdio: 'pipe' });
  }
}

function userIds(name: string): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', name]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', name]).toString().trim());
  return { uid, gid };
}
