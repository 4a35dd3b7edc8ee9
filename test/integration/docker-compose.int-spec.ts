import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from '@vigie/config';

/**
 * docker-compose.yml and the Dockerfile cannot run here (no Docker engine), so this checks that
 * they agree with the code: the variables they set are the ones Vigie reads and pass its
 * validation, the entry points exist in a build, Redis keeps jobs, and nothing starts before
 * what it needs is healthy.
 */

const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

interface Healthcheck {
  test: string[] | string;
}
interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: Healthcheck;
}
interface Compose {
  services: Record<string, Service>;
}

const compose = parse(read('docker-compose.yml')) as Compose;
const services = compose.services;

/**
 * Compose's interpolation: `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `${VAR?message}`,
 * `${VAR}`, `$VAR` and `$$`. A variable neither given in `given` nor defaulted is an error.
 */
function interpolate(text: string, given: Record<string, string>): string {
  return text.replace(/\$\$|\$\{([A-Za-z_]\w*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_]\w*)/g, (match, braced, operator, argument, bare) => {
    if (match === '$$') return '$';
    const name = (braced ?? bare) as string;
    const value = given[name];
    const isSet = operator?.startsWith(':') ? value !== undefined && value !== '' : value !== undefined;
    if (isSet) return value;
    if (operator === ':-' || operator === '-') return argument as string;
    if (operator === ':?' || operator === '?') throw new Error(`${name} is required: ${argument}`);
    throw new Error(`${name} has neither a default nor a required marker`);
  });
}

/** Values a user would put in .env for the variables compose requires. */
const USER_VALUES = {
  VIGIE_DATA_KEY: randomBytes(32).toString('base64'),
  VIGIE_BOOTSTRAP_ADMIN_KEY: `vig_admin_${randomBytes(20).toString('hex')}`,
};

function environmentOf(service: string, given: Record<string, string> = USER_VALUES): Record<string, string> {
  const environment = services[service].environment ?? {};
  return Object.fromEntries(Object.entries(environment).map(([name, value]) => [name, interpolate(String(value ?? ''), given)]));
}

function commandOf(service: Service): string[] {
  const command = service.command;
  return Array.isArray(command) ? command : (command ?? '').split(/\s+/).filter(Boolean);
}

function healthcheckText(service: string): string {
  const test = services[service].healthcheck?.test;
  return Array.isArray(test) ? test.join(' ') : (test ?? '');
}

/** The entry points `npm start` and friends run, as scripts/start.mjs lists them. */
function startEntries(): Record<string, string> {
  const block = /const ENTRIES = \{([^}]*)\}/.exec(read('scripts/start.mjs'));
  if (!block) throw new Error('ENTRIES not found in scripts/start.mjs');
  return Object.fromEntries([...block[1].matchAll(/(\w+):\s*'([^']+)'/g)].map((m) => [m[1], m[2]]));
}

/** The final stage's CMD of the Dockerfile, in exec form. */
function dockerfileCmd(): string[] {
  const cmds = read('Dockerfile')
    .split('\n')
    .filter((line) => line.startsWith('CMD '));
  if (cmds.length === 0) throw new Error('No CMD in the Dockerfile');
  return JSON.parse(cmds[cmds.length - 1].slice(4)) as string[];
}

const entryOf = (command: string[]) => command.find((part) => part.endsWith('.js'));

describe('docker-compose.yml', () => {
  it('runs PostgreSQL 15, Redis 7, a mail catcher, the API and the worker', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'mailcatcher', 'postgres', 'redis', 'worker']);
    expect(services.postgres.image).toBe('postgres:15');
    expect(services.redis.image).toBe('redis:7');
    expect(services.mailcatcher.image).toMatch(/^axllent\/mailpit(:|$)/);
    expect(services.api.build).toBeDefined();
    expect(services.worker.image).toBe(services.api.image);
  });

  it('sets only variables that Vigie reads', () => {
    for (const service of ['api', 'worker']) {
      const unknown = Object.keys(services[service].environment ?? {}).filter((name) => !CONFIG_VARIABLES.includes(name));
      expect({ service, unknown }).toEqual({ service, unknown: [] });
    }
  });

  it.each(['api', 'worker'])('gives the %s a configuration that passes validation, in production mode', (service) => {
    const config = loadConfig(environmentOf(service));
    expect(config.NODE_ENV).toBe('production');
    expect(config.VIGIE_ALLOW_PRIVATE_WEBHOOK_TARGETS).toBe(false);
    expect(new URL(config.DATABASE_URL).hostname).toBe('postgres');
    expect(new URL(config.REDIS_URL).hostname).toBe('redis');
    expect(config.SMTP_URL).toBe('smtp://mailcatcher:1025');
    expect(config.dataKey.toString('base64')).toBe(USER_VALUES.VIGIE_DATA_KEY);
    expect(config.VIGIE_BOOTSTRAP_ADMIN_KEY).toBe(USER_VALUES.VIGIE_BOOTSTRAP_ADMIN_KEY);
  });

  it('refuses to start without the data key and the bootstrap admin key, saying where to set them', () => {
    for (const missing of ['VIGIE_DATA_KEY', 'VIGIE_BOOTSTRAP_ADMIN_KEY'] as const) {
      const given: Record<string, string> = { ...USER_VALUES };
      delete given[missing];
      expect(() => environmentOf('api', given)).toThrow(new RegExp(`^${missing} is required: .*\\.env`));
    }
  });

  it('gives the API and the worker the same database, Redis, queue prefix and data key', () => {
    const api = loadConfig(environmentOf('api'));
    const worker = loadConfig(environmentOf('worker'));
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'VIGIE_QUEUE_PREFIX', 'VIGIE_DATA_KEY', 'VIGIE_PUBLIC_URL', 'SMTP_URL'] as const) {
      expect({ name, value: worker[name] }).toEqual({ name, value: api[name] });
    }
  });

  it("connects to the postgres service with that service's user, password and database", () => {
    const url = new URL(environmentOf('api').DATABASE_URL);
    const postgres = environmentOf('postgres', {});
    expect(url.port).toBe('5432');
    expect(decodeURIComponent(url.username)).toBe(postgres.POSTGRES_USER);
    expect(decodeURIComponent(url.password)).toBe(postgres.POSTGRES_PASSWORD);
    expect(url.pathname).toBe(`/${postgres.POSTGRES_DB}`);
  });

  it('runs Redis with noeviction and an append-only file synced every second', () => {
    const command = commandOf(services.redis);
    const option = (name: string) => command[command.indexOf(name) + 1];
    expect(command[0]).toBe('redis-server');
    expect(option('--maxmemory-policy')).toBe('noeviction');
    expect(option('--appendonly')).toBe('yes');
    expect(option('--appendfsync')).toBe('everysec');
  });

  it('checks the health of PostgreSQL, Redis, the mail catcher and the API', () => {
    expect(healthcheckText('postgres')).toMatch(/pg_isready/);
    expect(healthcheckText('redis')).toMatch(/redis-cli ping/);
    expect(healthcheckText('mailcatcher')).toMatch(/readyz/);
    const api = healthcheckText('api');
    expect(api).toMatch(/^CMD node -e /);
    expect(api).toContain(`http://127.0.0.1:${environmentOf('api').PORT}/health/ready`);
  });

  it('publishes the API on its PORT, on 127.0.0.1 unless told otherwise, like the mail catcher', () => {
    const port = environmentOf('api').PORT;
    const ports = (services.api.ports ?? []).map((mapping) => interpolate(mapping, USER_VALUES));
    expect(ports).toEqual([`127.0.0.1:${port}:${port}`]);
    expect((services.api.ports ?? []).map((mapping) => interpolate(mapping, { ...USER_VALUES, VIGIE_PUBLISH_ADDRESS: '0.0.0.0' }))).toEqual([`0.0.0.0:${port}:${port}`]);
    expect(services.mailcatcher.ports?.every((mapping) => mapping.startsWith('127.0.0.1:'))).toBe(true);
    expect(services.worker.ports ?? []).toEqual([]);
  });

  it("checks the worker's health on its WORKER_PORT", () => {
    const worker = healthcheckText('worker');
    expect(worker).toMatch(/^CMD node -e /);
    expect(worker).toContain(`http://127.0.0.1:${environmentOf('worker').WORKER_PORT}/health/ready`);
  });

  it("lets the API drain for VIGIE_SHUTDOWN_GRACE_MS and close before Docker kills it", () => {
    const graceMs = loadConfig(environmentOf('api')).VIGIE_SHUTDOWN_GRACE_MS;
    const period = /^(\d+)s$/.exec(String((services.api as { stop_grace_period?: string }).stop_grace_period ?? ''));
    expect(period).not.toBeNull();
    // The process gives itself 8 s to close after the grace period (libs/config/src/startup.ts).
    expect(Number(period![1]) * 1000).toBeGreaterThan(graceMs + 8000);
  });

  it('starts the API and the worker only once what they depend on is healthy', () => {
    for (const service of ['api', 'worker']) {
      const dependsOn = services[service].depends_on;
      expect(dependsOn).toBeDefined();
      expect(Array.isArray(dependsOn)).toBe(false);
      const conditions = dependsOn as Record<string, { condition: string }>;
      expect(Object.keys(conditions)).toEqual(expect.arrayContaining(['postgres', 'redis']));
      for (const [dependency, { condition }] of Object.entries(conditions)) {
        expect({ service, dependency, condition }).toEqual({ service, dependency, condition: 'service_healthy' });
        expect(services[dependency].healthcheck).toBeDefined();
      }
    }
    expect(Object.keys(services.worker.depends_on as object)).toContain('mailcatcher');
  });
});

describe('Dockerfile and entry points', () => {
  const entries = startEntries();

  beforeAll(() => {
    execFileSync(process.execPath, ['scripts/start.mjs', 'build-only'], { cwd: ROOT, stdio: 'pipe' });
  }, 120_000);

  it('lists the three entry points in scripts/start.mjs', () => {
    expect(Object.keys(entries).sort()).toEqual(['api', 'standalone', 'worker']);
  });

  it('runs the standalone entry point by default, and compose runs the API and worker ones', () => {
    expect(dockerfileCmd()).toEqual(['node', entries.standalone]);
    expect(entryOf(commandOf(services.api))).toBe(entries.api);
    expect(entryOf(commandOf(services.worker))).toBe(entries.worker);
    expect(commandOf(services.api)[0]).toBe('node');
    expect(commandOf(services.worker)[0]).toBe('node');
  });

  it.each(['standalone', 'api', 'worker'])('finds the %s entry point in a build', (target) => {
    expect(existsSync(join(ROOT, entries[target]))).toBe(true);
  });

  it('builds with npm ci, scripts/build.mjs and the console on node:20-bookworm-slim, prunes dev dependencies and runs as node', () => {
    const dockerfile = read('Dockerfile');
    const stages = dockerfile.split('\n').filter((line) => line.startsWith('FROM '));
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage).toMatch(/^FROM node:20-bookworm-slim( AS \w+)?$/);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/^RUN node scripts\/build\.mjs && node scripts\/build-console\.mjs && npm prune --omit=dev\b/m);
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(finalStage).toMatch(/^USER node$/m);
    // The web console the API serves at / (VIGIE_CONSOLE_DIR, relative to the working directory).
    expect(finalStage).toMatch(/^COPY --from=build \/app\/dist-console \.\/dist-console$/m);
    expect(finalStage.indexOf('USER node')).toBeLessThan(finalStage.indexOf('CMD '));
    expect(finalStage).toMatch(/^ENV NODE_ENV=production\b/m);
  });

  it('keeps secrets, local builds and dependencies out of the image build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['.git', 'node_modules', 'dist', '.env']));
    for (const needed of ['package.json', 'package-lock.json', 'apps', 'libs', 'migrations', 'scripts', 'tsconfig.json', 'tsconfig.build.json']) {
      expect(ignored).not.toContain(needed);
    }
  });
});
