import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
const toBool = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : value === 'true' ? true : value === 'false' ? false : value;

/**
 * Every setting Vigie reads, from environment variables only. Validated once at boot:
 * `loadConfig` reports every invalid variable at once and the process exits non-zero.
 * Nothing else in the code base reads `process.env`.
 */
export class VigieConfig {
  /** development | test | production. In production the data key must be given. */
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  /** HTTP port of the API. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  /** HTTP port of a worker run alone (`npm run start:worker`): its /metrics and /health/* only. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  WORKER_PORT = 3001;

  /**
   * On SIGTERM, how long the API keeps serving while /health/ready answers 503, so that a load
   * balancer stops sending requests before the server stops accepting them (milliseconds).
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60000)
  VIGIE_SHUTDOWN_GRACE_MS = 5000;

  /** PostgreSQL connection URL. */
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/vigie';

  /** Redis connection URL (BullMQ queues). Redis must run with maxmemory-policy noeviction. */
  @Matches(/^rediss?:\/\/\S+$/, { message: 'must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Prefix of every BullMQ key in Redis; lets several Vigie instances share one Redis. */
  @Matches(/^[a-zA-Z0-9_-]{1,40}$/, { message: 'must be 1-40 letters, digits, - or _' })
  VIGIE_QUEUE_PREFIX = 'vigie';

  /**
   * 32 random bytes, base64: the AES-256-GCM key for identity and health fields at rest, from
   * which the acknowledgement links' signing key is derived. Required in production; elsewhere,
   * without it, a key is generated once into VIGIE_DATA_KEY_FILE.
   */
  @IsOptional()
  @IsString()
  VIGIE_DATA_KEY?: string;

  /** The key VIGIE_DATA_KEY replaced: still decrypts (and verifies links) until `npm run rotate-data-key` has re-encrypted everything. */
  @IsOptional()
  @IsString()
  VIGIE_DATA_KEY_PREVIOUS?: string;

  /** Outside production and without VIGIE_DATA_KEY: where the generated data key is kept (created mode 0600 on first start). */
  @Matches(/^\S+$/, { message: 'must be a file path without spaces' })
  VIGIE_DATA_KEY_FILE = '.vigie/data.key';

  /** When set, an admin API client with this key exists after start-up. */
  @IsOptional()
  @Matches(/^\S{24,200}$/, { message: 'must be 24 to 200 characters without spaces' })
  VIGIE_BOOTSTRAP_ADMIN_KEY?: string;

  /** When set, an active admin person with this e-mail address exists after start-up (who then signs in by e-mailed link). */
  @IsOptional()
  @Matches(/^[^\s@]{1,64}@[^\s@]{1,255}$/, { message: 'must be an e-mail address' })
  VIGIE_BOOTSTRAP_ADMIN_EMAIL?: string;

  /** Minutes without a request after which a person's session ends (it ends 12 h after sign-in in any case). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(720)
  VIGIE_SESSION_IDLE_MINUTES = 30;

  /**
   * Seconds between the comments that keep each live stream (GET /v1/stream) open through
   * proxies; at each, the caller's API key or session is checked again and the stream ends when
   * it no longer works.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(300)
  VIGIE_STREAM_HEARTBEAT_SECONDS = 25;

  /** Live streams (GET /v1/stream) one API process holds open at most; past that, 503 with Retry-After. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  VIGIE_STREAM_MAX_CONNECTIONS = 1000;

  /** Sign-in links that one client address may ask for in 15 minutes, whatever the e-mail addresses (each address: 5). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  VIGIE_SIGN_IN_LINKS_PER_CLIENT_ADDRESS = 30;

  /**
   * OpenID Connect sign-in (ProConnect or any standard provider): the issuer, whose
   * `/.well-known/openid-configuration` is read at the first sign-in. The three OIDC_* settings go
   * together: with all of them, GET /auth/oidc and its callback exist; with none, they do not.
   */
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'must be an http(s) URL' })
  OIDC_ISSUER_URL?: string;

  /** The client id this service was registered with at the OpenID provider. */
  @IsOptional()
  @Matches(/^\S{1,500}$/, { message: 'must be 1 to 500 characters without spaces' })
  OIDC_CLIENT_ID?: string;

  /** The client secret given with OIDC_CLIENT_ID. */
  @IsOptional()
  @Matches(/^\S{1,500}$/, { message: 'must be 1 to 500 characters without spaces' })
  OIDC_CLIENT_SECRET?: string;

  /**
   * When the provider answers its userinfo endpoint with a signed JWT (ProConnect does), the
   * algorithm it signs with, as registered (RS256, ES256 or HS256). Unset: plain JSON userinfo.
   */
  @IsOptional()
  @IsIn(['RS256', 'ES256', 'HS256', 'PS256'])
  OIDC_USERINFO_SIGNED_RESPONSE_ALG?: string;

  /** Public base URL of the service, used in acknowledgement links. */
  @Matches(/^https?:\/\/\S+$/, { message: 'must be an http(s) URL' })
  VIGIE_PUBLIC_URL = 'http://localhost:3000';

  /**
   * SMTP server for e-mail notifications, e.g. smtp://localhost:1025. Unset in development: e-mails
   * are written to VIGIE_EMAIL_OUTBOX_DIR; unset otherwise: e-mail notifications fail (dead letter).
   */
  @IsOptional()
  @Matches(/^smtps?:\/\/\S+$/, { message: 'must be an smtp:// URL' })
  SMTP_URL?: string;

  /** In development without SMTP_URL, the folder where each e-mail is written as an .eml file. */
  @IsString()
  VIGIE_EMAIL_OUTBOX_DIR = '.vigie/outbox';

  /**
   * The built web console (scripts/build-console.mjs), served at `/`; relative to the working
   * directory. When it holds no index.html, `/` answers a French page saying the console is not built.
   */
  @IsString()
  VIGIE_CONSOLE_DIR = 'dist-console';

  /** Sender address of notification e-mails. */
  @IsString()
  SMTP_FROM = 'Vigie <vigie@localhost>';

  /** HTTP SMS gateway receiving POST { to, text }. */
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'must be an http(s) URL' })
  SMS_GATEWAY_URL?: string;

  /** Allows http:// and private, loopback or link-local webhook targets (development and tests only). */
  @Transform(toBool)
  @IsBoolean()
  VIGIE_ALLOW_PRIVATE_WEBHOOK_TARGETS = false;

  /** Days after an episode is closed before its personal data is erased. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  VIGIE_RETENTION_DAYS = 1095;

  /**
   * Days an episode may stay `returned` or `located` without being closed: after that the worker
   * closes it (timeline `closed`, `automatic: true`), and its retention period starts.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(365)
  VIGIE_AUTO_CLOSE_AFTER_DAYS = 30;

  /**
   * Hours an Idempotency-Key and its stored response are kept: a retry within them gets the first
   * response. Pruned by the worker's daily run, so a key is gone at most 24 hours later.
   */
  @Transform(toInt)
  @IsInt()
  @Min(24)
  @Max(48)
  VIGIE_IDEMPOTENCY_KEEP_HOURS = 24;

  /**
   * Seconds a request holds its Idempotency-Key before a retry may take it over (the holder
   * crashed before its work committed). Longer than any request takes.
   */
  @Transform(toInt)
  @IsInt()
  @Min(5)
  @Max(600)
  VIGIE_IDEMPOTENCY_LEASE_SECONDS = 60;

  /** Requests per minute allowed to one API key before 429. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  VIGIE_RATE_LIMIT_PER_MINUTE = 1200;

  /**
   * Failed authentications (unknown or revoked keys) allowed to one client address per minute;
   * past it the address gets 429 for a minute, its keys not even looked up.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  VIGIE_AUTH_FAILURES_PER_MINUTE = 20;

  /** How often the worker's sweeps (outbox relay, review timers) run, in milliseconds. */
  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(30000)
  VIGIE_SWEEP_INTERVAL_MS = 1000;

  /** An outbox row published this long ago but not yet processed is published again (its job was lost, or failed all its attempts and is run again); also how late a due escalation step, notification or webhook delivery may be before vigie_attention counts it. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  VIGIE_OUTBOX_REPUBLISH_AFTER_MS = 30000;

  /** BullMQ lock duration of worker jobs; a killed worker's job is re-run after it. */
  @Transform(toInt)
  @IsInt()
  @Min(500)
  VIGIE_JOB_LOCK_MS = 30000;

  /** Attempts of one job before BullMQ marks it failed; the sweeps run the work again after that (see VIGIE_OUTBOX_REPUBLISH_AFTER_MS). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(50)
  VIGIE_JOB_ATTEMPTS = 8;

  /** First retry delay of a failed job; each further attempt waits twice as long. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(600000)
  VIGIE_JOB_BACKOFF_MS = 1000;

  /** Time allowed to one notification or webhook delivery attempt; a send left unfinished four times this long is interrupted: a notification fails, a webhook delivery is sent again. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60000)
  VIGIE_DELIVERY_TIMEOUT_MS = 15000;

  /** Jobs processed at once by one worker process. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  VIGIE_WORKER_CONCURRENCY = 32;

  /** pino level. */
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** The decoded data key (derived, not an environment variable): from VIGIE_DATA_KEY, or from VIGIE_DATA_KEY_FILE once `resolveDataKey` has run. */
  dataKey: Buffer;

  /** The decoded VIGIE_DATA_KEY_PREVIOUS (derived). */
  previousDataKey?: Buffer;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** The name of every environment variable Vigie reads (those with a default, then the optional ones). */
export const CONFIG_VARIABLES: readonly string[] = [
  // Depending on the compiler, optional fields may or may not be own keys of an instance; the
  // derived `dataKey` is not a variable.
  ...new Set([...Object.keys(new VigieConfig()), 'VIGIE_DATA_KEY', 'VIGIE_DATA_KEY_PREVIOUS', 'VIGIE_BOOTSTRAP_ADMIN_KEY', 'VIGIE_BOOTSTRAP_ADMIN_EMAIL', 'SMS_GATEWAY_URL', 'SMTP_URL', 'OIDC_ISSUER_URL', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_USERINFO_SIGNED_RESPONSE_ALG']),
].filter((name) => /^[A-Z][A-Z0-9_]*$/.test(name));

const KNOWN = new Set(CONFIG_VARIABLES);

const SECRETS = new Set(['VIGIE_DATA_KEY', 'VIGIE_DATA_KEY_PREVIOUS', 'VIGIE_BOOTSTRAP_ADMIN_KEY', 'OIDC_CLIENT_SECRET']);

/** A base64 key of exactly 32 bytes, or null. */
export function decodeDataKey(text: string): Buffer | null {
  const decoded = Buffer.from(text.trim(), 'base64');
  return decoded.length === 32 && decoded.toString('base64') === text.replace(/\s/g, '') ? decoded : null;
}

/** The rejected value as start-up errors print it: never a secret, never a password in a URL. */
function shownValue(name: string, value: string | undefined): string {
  if (SECRETS.has(name)) return '(value hidden)';
  if (value === undefined) return '(got null)';
  return `(got ${JSON.stringify(value.replace(/\/\/([^/@\s:]*):[^/@\s]*@/, '//$1:***@'))})`;
}

/** The settings that turn OpenID Connect sign-in on: all three, or none. */
const OIDC_SETTINGS = ['OIDC_ISSUER_URL', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const;

/** Whether OpenID Connect sign-in is configured (loadConfig has checked that the three settings go together). */
export function oidcConfigured(config: VigieConfig): boolean {
  return Boolean(config.OIDC_ISSUER_URL && config.OIDC_CLIENT_ID && config.OIDC_CLIENT_SECRET);
}

/** Validates the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): VigieConfig {
  const present: Record<string, string> = {};
  for (const key of KNOWN) {
    const value = env[key];
    if (value !== undefined && value !== '') present[key] = value;
  }
  const config = plainToInstance(VigieConfig, present);
  const problems = validateSync(config, { whitelist: true }).map(
    (e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')} ${shownValue(e.property, present[e.property])}`,
  );
  const key = config.VIGIE_DATA_KEY;
  if (key) {
    const decoded = decodeDataKey(key);
    if (!decoded) problems.push('VIGIE_DATA_KEY: must be exactly 32 bytes encoded in base64');
    else config.dataKey = decoded;
  } else if (config.NODE_ENV === 'production') {
    problems.push('VIGIE_DATA_KEY: is required when NODE_ENV is production');
  }
  // Without VIGIE_DATA_KEY outside production, `resolveDataKey` reads or creates the key file.
  if (config.VIGIE_DATA_KEY_PREVIOUS) {
    const previous = decodeDataKey(config.VIGIE_DATA_KEY_PREVIOUS);
    if (!previous) problems.push('VIGIE_DATA_KEY_PREVIOUS: must be exactly 32 bytes encoded in base64');
    else config.previousDataKey = previous;
  }
  if (config.NODE_ENV === 'production' && config.VIGIE_ALLOW_PRIVATE_WEBHOOK_TARGETS === true) {
    problems.push('VIGIE_ALLOW_PRIVATE_WEBHOOK_TARGETS: must not be true when NODE_ENV is production');
  }
  const oidc = OIDC_SETTINGS.filter((name) => present[name] !== undefined);
  if (oidc.length > 0 && oidc.length < OIDC_SETTINGS.length) {
    for (const name of OIDC_SETTINGS.filter((setting) => present[setting] === undefined)) {
      problems.push(`${name}: is required when ${oidc.join(' and ')} ${oidc.length > 1 ? 'are' : 'is'} set (OpenID Connect sign-in needs all three of ${OIDC_SETTINGS.join(', ')}, or none)`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
