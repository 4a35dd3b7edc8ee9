import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveDataKey } from './data-key-file';
import { CONFIG_VARIABLES, ConfigError, loadConfig, oidcConfigured } from './vigie-config';

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
}

/** The variable each problem line names (`NAME: message`). */
const namesOf = (problems: string[]) => problems.map((p) => p.split(':')[0]).sort();

describe('loadConfig', () => {
  it('gives every variable its documented default when the environment is empty', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      NODE_ENV: 'development',
      PORT: 3000,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/vigie',
      REDIS_URL: 'redis://127.0.0.1:6379',
      VIGIE_QUEUE_PREFIX: 'vigie',
      VIGIE_DATA_KEY_FILE: '.vigie/data.key',
      VIGIE_PUBLIC_URL: 'http://localhost:3000',
      SMTP_URL: undefined,
      VIGIE_EMAIL_OUTBOX_DIR: '.vigie/outbox',
      VIGIE_CONSOLE_DIR: 'dist-console',
      WORKER_PORT: 3001,
      VIGIE_SHUTDOWN_GRACE_MS: 5000,
      SMTP_FROM: 'Vigie <vigie@localhost>',
      VIGIE_ALLOW_PRIVATE_WEBHOOK_TARGETS: false,
      VIGIE_RETENTION_DAYS: 1095,
      VIGIE_RATE_LIMIT_PER_MINUTE: 1200,
      VIGIE_AUTH_FAILURES_PER_MINUTE: 20,
      VIGIE_SESSION_IDLE_MINUTES: 30,
      VIGIE_SIGN_IN_LINKS_PER_CLIENT_ADDRESS: 30,
      VIGIE_SWEEP_INTERVAL_MS: 1000,
      VIGIE_OUTBOX_REPUBLISH_AFTER_MS: 30000,
      VIGIE_JOB_LOCK_MS: 30000,
      VIGIE_DELIVERY_TIMEOUT_MS: 15000,
      VIGIE_WORKER_CONCURRENCY: 32,
      LOG_LEVEL: 'info',
    });
    expect(config.VIGIE_DATA_KEY).toBeUndefined();
    expect(config.VIGIE_BOOTSTRAP_ADMIN_KEY).toBeUndefined();
    expect(config.VIGIE_BOOTSTRAP_ADMIN_EMAIL).toBeUndefined();
    expect(config.SMS_GATEWAY_URL).toBeUndefined();
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', LOG_LEVEL: '', SMS_GATEWAY_URL: '' })).toMatchObject({ PORT: 3000, LOG_LEVEL: 'info', SMS_GATEWAY_URL: undefined });
  });

  it('converts numbers and booleans from their text form', () => {
    const config = loadConfig({ PORT: '8080', VIGIE_ALLOW_PRIVATE_WEBHOOK_TARGETS: 'true', VIGIE_WORKER_CONCURRENCY: '2' });
    expect(config.PORT).toBe(8080);
    expect(config.VIGIE_ALLOW_PRIVATE_WEBHOOK_TARGETS).toBe(true);
    expect(config.VIGIE_WORKER_CONCURRENCY).toBe(2);
  });

  it('ignores variables it does not know', () => {
    const config = loadConfig({ HOME: '/root', dataKey: 'not-a-variable' }) as unknown as Record<string, unknown>;
    expect(config.HOME).toBeUndefined();
    expect(config.dataKey).toBeUndefined();
  });

  it('reports every invalid variable at once, each by name', () => {
    const problems = problemsOf({
      NODE_ENV: 'staging',
      PORT: 'abc',
      WORKER_PORT: '70000',
      VIGIE_SHUTDOWN_GRACE_MS: '-5',
      DATABASE_URL: 'mysql://x',
      REDIS_URL: 'http://redis',
      VIGIE_QUEUE_PREFIX: 'has spaces',
      VIGIE_DATA_KEY: 'short',
      VIGIE_DATA_KEY_PREVIOUS: 'short',
      VIGIE_DATA_KEY_FILE: 'has spaces',
      VIGIE_BOOTSTRAP_ADMIN_KEY: 'too short',
      VIGIE_BOOTSTRAP_ADMIN_EMAIL: 'not an address',
      VIGIE_SESSION_IDLE_MINUTES: '0',
      VIGIE_STREAM_HEARTBEAT_SECONDS: '0',
      VIGIE_STREAM_MAX_CONNECTIONS: '0',
      VIGIE_SIGN_IN_LINKS_PER_CLIENT_ADDRESS: '0',
      VIGIE_PUBLIC_URL: 'localhost:3000',
      SMTP_URL: 'mail.example',
      SMS_GATEWAY_URL: 'ftp://sms',
      VIGIE_ALLOW_PRIVATE_WEBHOOK_TARGETS: 'yes',
      VIGIE_RETENTION_DAYS: '0',
      VIGIE_AUTO_CLOSE_AFTER_DAYS: '0',
      VIGIE_IDEMPOTENCY_KEEP_HOURS: '12',
      VIGIE_IDEMPOTENCY_LEASE_SECONDS: '1',
      VIGIE_RATE_LIMIT_PER_MINUTE: '-1',
      VIGIE_AUTH_FAILURES_PER_MINUTE: '0',
      VIGIE_SWEEP_INTERVAL_MS: '10',
      VIGIE_OUTBOX_REPUBLISH_AFTER_MS: '5',
      VIGIE_JOB_LOCK_MS: '100',
      VIGIE_DELIVERY_TIMEOUT_MS: '5',
      VIGIE_WORKER_CONCURRENCY: '500',
      LOG_LEVEL: 'loud',
      OIDC_ISSUER_URL: 'proconnect.example',
      OIDC_CLIENT_ID: 'has space',
      OIDC_CLIENT_SECRET: 'has space',
      OIDC_USERINFO_SIGNED_RESPONSE_ALG: 'none',
    });
    expect(namesOf(problems)).toEqual(
      [
        'NODE_ENV',
        'PORT',
        'WORKER_PORT',
        'VIGIE_SHUTDOWN_GRACE_MS',
        'DATABASE_URL',
        'REDIS_URL',
        'VIGIE_QUEUE_PREFIX',
        'VIGIE_DATA_KEY',
        'VIGIE_DATA_KEY_PREVIOUS',
        'VIGIE_DATA_KEY_FILE',
        'VIGIE_BOOTSTRAP_ADMIN_KEY',
        'VIGIE_BOOTSTRAP_ADMIN_EMAIL',
        'VIGIE_SESSION_IDLE_MINUTES',
        'VIGIE_STREAM_HEARTBEAT_SECONDS',
        'VIGIE_STREAM_MAX_CONNECTIONS',
        'VIGIE_SIGN_IN_LINKS_PER_CLIENT_ADDRESS',
        'VIGIE_PUBLIC_URL',
        'SMTP_URL',
        'SMS_GATEWAY_URL',
        'VIGIE_ALLOW_PRIVATE_WEBHOOK_TARGETS',
        'VIGIE_RETENTION_DAYS',
        'VIGIE_AUTO_CLOSE_AFTER_DAYS',
        'VIGIE_IDEMPOTENCY_KEEP_HOURS',
        'VIGIE_IDEMPOTENCY_LEASE_SECONDS',
        'VIGIE_RATE_LIMIT_PER_MINUTE',
        'VIGIE_AUTH_FAILURES_PER_MINUTE',
        'VIGIE_SWEEP_INTERVAL_MS',
        'VIGIE_OUTBOX_REPUBLISH_AFTER_MS',
        'VIGIE_JOB_LOCK_MS',
        'VIGIE_DELIVERY_TIMEOUT_MS',
        'VIGIE_WORKER_CONCURRENCY',
        'LOG_LEVEL',
        'OIDC_ISSUER_URL',
        'OIDC_CLIENT_ID',
        'OIDC_CLIENT_SECRET',
        'OIDC_USERINFO_SIGNED_RESPONSE_ALG',
      ].sort(),
    );
  });

  it('shows the rejected value, except for secrets and passwords in URLs', () => {
    const problems = problemsOf({
      PORT: 'abc',
      DATABASE_URL: 'mysql://vigie:Zqxsecretpassword@db/vigie',
      VIGIE_BOOTSTRAP_ADMIN_KEY: 'Zqx secret admin key with spaces',
    });
    const message = problems.join('\n');
    expect(message).toContain('(got "abc")');
    expect(message).toContain('mysql://vigie:***@db/vigie');
    expect(message).toContain('VIGIE_BOOTSTRAP_ADMIN_KEY: must be 24 to 200 characters without spaces (value hidden)');
    expect(message).not.toContain('Zqx');
  });

  it('rejects numbers out of their range at both ends', () => {
    expect(namesOf(problemsOf({ PORT: '65536' }))).toEqual(['PORT']);
    expect(namesOf(problemsOf({ PORT: '-1' }))).toEqual(['PORT']);
    expect(namesOf(problemsOf({ PORT: '30.5' }))).toEqual(['PORT']);
    expect(loadConfig({ PORT: '0' }).PORT).toBe(0);
    expect(loadConfig({ VIGIE_SWEEP_INTERVAL_MS: '50' }).VIGIE_SWEEP_INTERVAL_MS).toBe(50);
    expect(namesOf(problemsOf({ VIGIE_SWEEP_INTERVAL_MS: '30001' }))).toEqual(['VIGIE_SWEEP_INTERVAL_MS']);
  });

  it('accepts postgres:// and postgresql://, redis:// and rediss://, smtp:// and smtps://', () => {
    expect(() =>
      loadConfig({ DATABASE_URL: 'postgresql://u@h/db', REDIS_URL: 'rediss://h:6380', SMTP_URL: 'smtps://mail.example:465' }),
    ).not.toThrow();
  });

  describe('data key', () => {
    it('decodes a base64 key of exactly 32 bytes', () => {
      const key = randomBytes(32);
      const config = loadConfig({ VIGIE_DATA_KEY: key.toString('base64') });
      expect(config.dataKey.equals(key)).toBe(true);
    });

    it.each([
      ['16 bytes', randomBytes(16).toString('base64')],
      ['33 bytes', randomBytes(33).toString('base64')],
      ['not base64', '!'.repeat(44)],
      ['hex instead of base64', randomBytes(32).toString('hex')],
    ])('refuses a key of %s', (_what, key) => {
      expect(problemsOf({ VIGIE_DATA_KEY: key })).toEqual(['VIGIE_DATA_KEY: must be exactly 32 bytes encoded in base64']);
    });

    it('decodes the previous key and refuses a bad one', () => {
      const previous = randomBytes(32);
      expect(loadConfig({ VIGIE_DATA_KEY: randomBytes(32).toString('base64'), VIGIE_DATA_KEY_PREVIOUS: previous.toString('base64') }).previousDataKey).toEqual(
        previous,
      );
      expect(problemsOf({ VIGIE_DATA_KEY_PREVIOUS: 'Zqx-previous' })).toEqual(['VIGIE_DATA_KEY_PREVIOUS: must be exactly 32 bytes encoded in base64']);
    });
  });

  describe('data key file, outside production without VIGIE_DATA_KEY', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'vigie-key-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const load = (env: Record<string, string>, warnings: string[] = []) =>
      resolveDataKey(loadConfig(env), (_fields, message) => warnings.push(message));

    it('generates a random key into the file with mode 0600 on the first start, warns once, and reuses it after', () => {
      const keyFile = join(dir, 'nested', 'data.key');
      const warnings: string[] = [];
      const first = load({ NODE_ENV: 'development', VIGIE_DATA_KEY_FILE: keyFile }, warnings);
      expect(first.dataKey).toHaveLength(32);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64')).toEqual(first.dataKey);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(keyFile);
      expect(warnings[0]).toContain('VIGIE_DATA_KEY');

      const again = load({ NODE_ENV: 'test', VIGIE_DATA_KEY_FILE: keyFile }, warnings);
      expect(again.dataKey).toEqual(first.dataKey);
      expect(warnings).toHaveLength(1);
    });

    it('gives two installations two different keys: no key comes from the source', () => {
      const a = load({ VIGIE_DATA_KEY_FILE: join(dir, 'a.key') }).dataKey;
      const b = load({ VIGIE_DATA_KEY_FILE: join(dir, 'b.key') }).dataKey;
      expect(a.equals(b)).toBe(false);
    });

    it('prefers VIGIE_DATA_KEY and then writes no file', () => {
      const key = randomBytes(32);
      const keyFile = join(dir, 'data.key');
      expect(load({ VIGIE_DATA_KEY: key.toString('base64'), VIGIE_DATA_KEY_FILE: keyFile }).dataKey).toEqual(key);
      expect(existsSync(keyFile)).toBe(false);
    });

    it('refuses a file that does not hold a key, without printing it', () => {
      const keyFile = join(dir, 'data.key');
      writeFileSync(keyFile, 'Zqx-not-a-key\n', { mode: 0o600 });
      expect(() => load({ VIGIE_DATA_KEY_FILE: keyFile })).toThrow(ConfigError);
      try {
        load({ VIGIE_DATA_KEY_FILE: keyFile });
      } catch (error) {
        expect((error as ConfigError).problems).toEqual([`VIGIE_DATA_KEY_FILE: ${keyFile} does not hold 32 bytes encoded in base64`]);
      }
    });
  });

  describe('production', () => {
    it('requires the data key', () => {
      expect(problemsOf({ NODE_ENV: 'production' })).toEqual(['VIGIE_DATA_KEY: is required when NODE_ENV is production']);
    });

    it('refuses private webhook targets', () => {
      expect(problemsOf({ NODE_ENV: 'production', VIGIE_DATA_KEY: randomBytes(32).toString('base64'), VIGIE_ALLOW_PRIVATE_WEBHOOK_TARGETS: 'true' })).toEqual([
        'VIGIE_ALLOW_PRIVATE_WEBHOOK_TARGETS: must not be true when NODE_ENV is production',
      ]);
    });

    it('starts with a data key and nothing else', () => {
      const key = randomBytes(32);
      const config = loadConfig({ NODE_ENV: 'production', VIGIE_DATA_KEY: key.toString('base64') });
      expect(config.NODE_ENV).toBe('production');
      expect(config.dataKey.equals(key)).toBe(true);
    });
  });
});

describe('CONFIG_VARIABLES', () => {
  it('names every environment variable once, and nothing derived', () => {
    expect([...CONFIG_VARIABLES].sort()).toEqual(
      [
        'NODE_ENV',
        'PORT',
        'WORKER_PORT',
        'VIGIE_SHUTDOWN_GRACE_MS',
        'DATABASE_URL',
        'REDIS_URL',
        'VIGIE_QUEUE_PREFIX',
        'VIGIE_DATA_KEY',
        'VIGIE_DATA_KEY_PREVIOUS',
        'VIGIE_DATA_KEY_FILE',
        'VIGIE_BOOTSTRAP_ADMIN_KEY',
        'VIGIE_BOOTSTRAP_ADMIN_EMAIL',
        'VIGIE_SESSION_IDLE_MINUTES',
        'VIGIE_STREAM_HEARTBEAT_SECONDS',
        'VIGIE_STREAM_MAX_CONNECTIONS',
        'VIGIE_SIGN_IN_LINKS_PER_CLIENT_ADDRESS',
        'VIGIE_PUBLIC_URL',
        'SMTP_URL',
        'VIGIE_EMAIL_OUTBOX_DIR',
        'VIGIE_CONSOLE_DIR',
        'SMTP_FROM',
        'SMS_GATEWAY_URL',
        'VIGIE_ALLOW_PRIVATE_WEBHOOK_TARGETS',
        'VIGIE_RETENTION_DAYS',
        'VIGIE_AUTO_CLOSE_AFTER_DAYS',
        'VIGIE_IDEMPOTENCY_KEEP_HOURS',
        'VIGIE_IDEMPOTENCY_LEASE_SECONDS',
        'VIGIE_RATE_LIMIT_PER_MINUTE',
        'VIGIE_AUTH_FAILURES_PER_MINUTE',
        'VIGIE_SWEEP_INTERVAL_MS',
        'VIGIE_OUTBOX_REPUBLISH_AFTER_MS',
        'VIGIE_JOB_LOCK_MS',
        'VIGIE_JOB_ATTEMPTS',
        'VIGIE_JOB_BACKOFF_MS',
        'VIGIE_DELIVERY_TIMEOUT_MS',
        'VIGIE_WORKER_CONCURRENCY',
        'LOG_LEVEL',
        'OIDC_ISSUER_URL',
        'OIDC_CLIENT_ID',
        'OIDC_CLIENT_SECRET',
        'OIDC_USERINFO_SIGNED_RESPONSE_ALG',
      ].sort(),
    );
  });

  it("are exactly the rows of the README's configuration table", () => {
    const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]);
    expect(new Set(rows).size).toBe(rows.length);
    expect([...rows].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });
});

describe('job attempts and retry delay', () => {
  it('default to 8 attempts from 1 s, and take other values within their bounds', () => {
    expect(loadConfig({})).toMatchObject({ VIGIE_JOB_ATTEMPTS: 8, VIGIE_JOB_BACKOFF_MS: 1000 });
    expect(loadConfig({ VIGIE_JOB_ATTEMPTS: '2', VIGIE_JOB_BACKOFF_MS: '50' })).toMatchObject({ VIGIE_JOB_ATTEMPTS: 2, VIGIE_JOB_BACKOFF_MS: 50 });
  });

  it('refuse no attempt at all, endless attempts and a delay that is no delay', () => {
    expect(namesOf(problemsOf({ VIGIE_JOB_ATTEMPTS: '0', VIGIE_JOB_BACKOFF_MS: '0' }))).toEqual(['VIGIE_JOB_ATTEMPTS', 'VIGIE_JOB_BACKOFF_MS']);
    expect(namesOf(problemsOf({ VIGIE_JOB_ATTEMPTS: '1000' }))).toEqual(['VIGIE_JOB_ATTEMPTS']);
  });
});

describe('OpenID Connect settings', () => {
  const all = { OIDC_ISSUER_URL: 'https://proconnect.example/api/v2', OIDC_CLIENT_ID: 'vigie', OIDC_CLIENT_SECRET: 'a-client-secret-value' };

  it('are all three or none', () => {
    expect(oidcConfigured(loadConfig({}))).toBe(false);
    expect(oidcConfigured(loadConfig(all))).toBe(true);
    expect(loadConfig({ ...all, OIDC_USERINFO_SIGNED_RESPONSE_ALG: 'RS256' }).OIDC_USERINFO_SIGNED_RESPONSE_ALG).toBe('RS256');
  });

  it('name each missing setting when only some are set, and never show the secret', () => {
    expect(namesOf(problemsOf({ OIDC_ISSUER_URL: all.OIDC_ISSUER_URL }))).toEqual(['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET']);
    const problems = problemsOf({ OIDC_CLIENT_ID: 'vigie', OIDC_CLIENT_SECRET: all.OIDC_CLIENT_SECRET });
    expect(namesOf(problems)).toEqual(['OIDC_ISSUER_URL']);
    expect(problems[0]).toContain('OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are set');
    const bad = problemsOf({ ...all, OIDC_ISSUER_URL: 'not a url', OIDC_CLIENT_SECRET: 'has space' });
    expect(namesOf(bad)).toEqual(['OIDC_CLIENT_SECRET', 'OIDC_ISSUER_URL']);
    expect(bad.join('\n')).not.toContain('has space');
  });
});
