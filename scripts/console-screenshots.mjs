// `npm run screenshots [-- /path …]`: the screenshots of the README. Builds and starts the service
// (API and worker in one process, as `npm start`) on a private database and queue prefix, signs a
// fictitious person in through the e-mailed link in the machine's Chromium, and saves each page at
// 360×740 and 1280×800 as docs/screenshots/<page>-<width>x<height>.png. The sign-in link page is
// always taken; the paths given on the command line and in PAGES are taken signed in. Everything
// it started or created is stopped and removed at the end, on failure and on Ctrl-C too.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, 'docs', 'screenshots');
const require = createRequire(import.meta.url);

/** The signed-in pages to take, besides those given on the command line: `[file name, path]`. */
const PAGES = [];

/**
 * Fictitious youths and one worrying episode with a sighting, made with the admin key, and the
 * console's pages that show them: `[file name, path]`.
 */
async function consolePages(api, adminKey) {
  const admin = { authorization: `Bearer ${adminKey}` };
  const foyer = await api('POST', '/v1/foyers', { name: 'Foyer Les Tilleuls (exemple)', departmentCode: '75', kind: 'ase' }, admin);
  const youth = (firstName, lastName, birthDate, sex, extra = {}) =>
    api('POST', '/v1/youths', { foyerId: foyer.id, firstName, lastName, birthDate, sex, vulnerabilities: [], ...extra }, admin);
  await youth('Exempleprenom', 'Fictif', '2010-09-02', 'M', { externalRef: 'EX-0042' });
  await youth('Testprenom', 'Exemple', '2011-01-20', 'X');
  const main = await youth('Démoprénom', 'Testnom', '2012-03-14', 'F', {
    description: 'Cheveux bruns, 1 m 55, lunettes rondes',
    usualPlaces: ['Gare de Testville', 'Parc des Essais'],
    vulnerabilities: ['ERRANCE'],
    externalRef: 'EX-0007',
  });
  const noticedMissingAt = new Date(Date.now() - 50 * 60_000).toISOString();
  const fugue = await api(
    'POST',
    '/v1/fugues',
    {
      youthId: main.id,
      noticedMissingAt,
      lastSeenAt: new Date(Date.now() - 90 * 60_000).toISOString(),
      lastSeenPlace: 'Gare de Testville, quai 3',
      clothing: 'Sweat rouge, jean',
      departedWith: 'peers',
      belongings: { phone: true, money: false, idDocument: false },
      staffConcern: { worrying: true },
    },
    admin,
  );
  await api('POST', `/v1/fugues/${fugue.id}/updates`, { note: 'Vue par un voisin', sighting: { at: new Date(Date.now() - 20 * 60_000).toISOString(), place: 'Parc des Essais' } }, admin);
  await waitFor('the episode’s triage', async () => {
    const res = await fetch(`${api.url}/v1/fugues/${fugue.id}`, { headers: admin });
    return res.ok && (await res.json()).classification !== null;
  });
  return [
    ['console-youths', '/'],
    ['console-youth', `/youths/${main.id}`],
    ['console-declare', `/youths/${main.id}/declare`],
    ['console-episode', `/episodes/${fugue.id}`],
    ['console-fiche', `/episodes/${fugue.id}/fiche`],
  ];
}

const VIEWPORTS = [
  { width: 360, height: 740, isMobile: true, hasTouch: true },
  { width: 1280, height: 800, isMobile: false, hasTouch: false },
];

/** The same switches as the browser tests (libs/testing/src/browser.ts). */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

/** Obviously fictitious: the screenshots are published. */
const PERSON = { displayName: 'Personne Test', email: 'personne.test@vigie.test', role: 'admin' };

function step(message) {
  process.stdout.write(`screenshots: ${message}\n`);
}

// ---------------------------------------------------------------------------------------------
// What is started is stopped, whatever happens.

const cleanups = [];
let cleaning;
function cleanUp() {
  cleaning ??= (async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => process.stderr.write(`screenshots: cleaning up: ${error.message}\n`));
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void cleanUp().then(() => process.exit(130)));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(what, probe, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** `/` → `home`, `/fugues/42?x=1` → `fugues-42-x-1`. */
function fileNameOf(path) {
  return path.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'home';
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const paths = process.argv.slice(2);
  for (const path of paths) if (!path.startsWith('/')) throw new Error(`A page is a path of the service, starting with /: ${path}`);

  step('building');
  // The service and its web console (built into dist-console/, which the service serves at /).
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'start.mjs'), 'build-console'], { cwd: ROOT, stdio: 'inherit' });
  // Settings are read where the service reads them: libs/config's environment reader.
  const env = require(join(ROOT, 'dist/libs/config/src/environment.js')).readEnvironment();
  const chromiumPath = env.CHROMIUM_PATH || '/usr/bin/chromium';
  const serverUrl = new URL(env.VIGIE_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test');
  const redisUrl = env.VIGIE_TEST_REDIS_URL || 'redis://127.0.0.1:6379';

  // A private database (the service creates and migrates it) and queue prefix, removed at the end.
  const name = `vigie_screenshots_${process.pid}_${randomBytes(3).toString('hex')}`;
  const databaseUrl = new URL(serverUrl);
  databaseUrl.pathname = `/${name}`;
  const adminDatabaseUrl = new URL(serverUrl);
  adminDatabaseUrl.pathname = '/postgres';
  cleanups.push(async () => {
    const { Client } = require('pg');
    const client = new Client({ connectionString: adminDatabaseUrl.toString() });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await client.end();
    }
  });
  cleanups.push(async () => {
    const Redis = require('ioredis');
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${name}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.unlink(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  });
  const outbox = mkdtempSync(join(tmpdir(), 'vigie-screenshots-'));
  cleanups.push(async () => rmSync(outbox, { recursive: true, force: true }));

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const adminKey = `vig_screenshots_${randomBytes(18).toString('hex')}`;
  step(`starting the service on ${url}`);
  const output = [];
  const service = spawn(process.execPath, ['--enable-source-maps', 'dist/apps/standalone/src/main.js'], {
    cwd: ROOT,
    env: {
      PATH: env.PATH ?? '',
      // In development without SMTP_URL, e-mails are written to the outbox folder as .eml files.
      NODE_ENV: 'development',
      PORT: String(port),
      WORKER_PORT: '0',
      VIGIE_PUBLIC_URL: url,
      DATABASE_URL: databaseUrl.toString(),
      REDIS_URL: redisUrl,
      VIGIE_QUEUE_PREFIX: name,
      VIGIE_DATA_KEY: randomBytes(32).toString('base64'),
      VIGIE_BOOTSTRAP_ADMIN_KEY: adminKey,
      VIGIE_EMAIL_OUTBOX_DIR: outbox,
      VIGIE_SHUTDOWN_GRACE_MS: '0',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk) => output.push(...chunk.toString().split('\n').filter(Boolean));
  service.stdout.on('data', keep);
  service.stderr.on('data', keep);
  const exited = new Promise((resolve) => service.once('exit', resolve));
  cleanups.push(async () => {
    if (service.exitCode !== null || service.signalCode !== null) return;
    service.kill('SIGTERM');
    const timer = setTimeout(() => service.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  });
  const died = exited.then((code) => {
    throw new Error(`The service exited (${code}):\n${output.slice(-20).join('\n')}`);
  });
  died.catch(() => undefined);
  await Promise.race([waitFor('the service to be ready', async () => (await fetch(`${url}/health/ready`)).ok, 90_000), died]);

  const api = async (method, path, body, headers = {}) => {
    const res = await fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
    return res.json();
  };
  api.url = url;
  await api('POST', '/v1/people', PERSON, { authorization: `Bearer ${adminKey}` });
  await api('POST', '/auth/email-link', { email: PERSON.email });
  const link = await waitFor('the sign-in e-mail', async () => {
    const file = readdirSync(outbox).find((f) => f.endsWith('.eml'));
    if (!file) return null;
    const { simpleParser } = require('mailparser');
    const mail = await simpleParser(readFileSync(join(outbox, file)));
    return /https?:\/\/\S+\/auth\/email-link\/[A-Za-z0-9_-]+/.exec(mail.text ?? '')?.[0] ?? null;
  });

  step(`launching ${chromiumPath}`);
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, headless: true, timeout: 30_000 });
  cleanups.push(() => browser.close());

  mkdirSync(OUT_DIR, { recursive: true });
  const saved = [];
  const contextOptions = ({ width, height, isMobile, hasTouch }) => ({
    baseURL: url,
    viewport: { width, height },
    isMobile,
    hasTouch,
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
    reducedMotion: 'reduce',
  });
  const shoot = async (page, file, { width, height }) => {
    const path = join(OUT_DIR, `${file}-${width}x${height}.png`);
    await page.screenshot({ path });
    saved.push(path);
  };

  // Opening the link signs nobody in: the same link serves every viewport, then its button signs in.
  let session;
  for (const viewport of VIEWPORTS) {
    const context = await browser.newContext(contextOptions(viewport));
    const page = await context.newPage();
    const opened = await page.goto(link);
    if (opened?.status() !== 200) throw new Error(`The sign-in link answered ${opened?.status()}`);
    await shoot(page, 'sign-in-link', viewport);
    if (viewport === VIEWPORTS[VIEWPORTS.length - 1]) {
      await Promise.all([page.waitForURL((u) => u.pathname === '/', { waitUntil: 'domcontentloaded' }), page.getByRole('button', { name: 'Me connecter' }).click()]);
      session = await context.storageState();
      if (!session.cookies.some((c) => c.name === 'vigie_session')) throw new Error('Pressing « Me connecter » did not sign in');
    }
    await context.close();
  }

  const pages = [...PAGES, ...(await consolePages(api, adminKey)), ...paths.map((p) => [fileNameOf(p), p])];
  for (const viewport of pages.length > 0 ? VIEWPORTS : []) {
    const context = await browser.newContext({ ...contextOptions(viewport), storageState: session });
    const page = await context.newPage();
    for (const [file, path] of pages) {
      const res = await page.goto(path, { waitUntil: 'networkidle' });
      if (!res?.ok()) step(`${path} answered ${res?.status()}`);
      await shoot(page, file, viewport);
    }
    await context.close();
  }
  for (const path of saved) step(`saved ${path.slice(ROOT.length + 1)}`);
}

main().then(
  () => cleanUp().then(() => process.exit(0)),
  (error) => {
    process.stderr.write(`screenshots: failed: ${error.stack ?? error.message}\n`);
    void cleanUp().then(() => process.exit(1));
  },
);
