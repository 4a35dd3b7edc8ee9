import { execFileSync } from 'node:child_process';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { prepareTemplateDatabase, TEST_SERVER_URL } from './test-database';
import { TEST_SETTINGS } from './test-settings';

const ROOT = join(__dirname, '..', '..', '..');

const HINT =
  'Start them with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start; ' +
  'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no';

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(1500);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
    socket.connect(port, host);
  });
}

/** Checks that PostgreSQL and Redis are up, then migrates the template database. */
export default async function globalSetup(): Promise<void> {
  const pg = new URL(TEST_SERVER_URL);
  const redis = new URL(TEST_SETTINGS.redisUrl);
  const [pgUp, redisUp] = await Promise.all([
    reachable(pg.hostname, Number(pg.port || 5432)),
    reachable(redis.hostname, Number(redis.port || 6379)),
  ]);
  if (!pgUp || !redisUp) {
    throw new Error(`Tests need PostgreSQL (${pgUp ? 'up' : 'DOWN'}) and Redis (${redisUp ? 'up' : 'DOWN'}). ${HINT}`);
  }
  await prepareTemplateDatabase();
  // Tests that run the real entry points start them from dist/: build once, before any of them.
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'start.mjs'), 'build-only'], { cwd: ROOT, stdio: 'inherit' });
}
