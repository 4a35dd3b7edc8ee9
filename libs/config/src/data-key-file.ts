import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { startupLogger } from './logger';
import { ConfigError, decodeDataKey, VigieConfig } from './vigie-config';

/** How a process tells of a key file it created; pino's JSON line by default. */
export type KeyFileWarning = (fields: { keyFile: string }, message: string) => void;

/**
 * Gives `config.dataKey` its value when VIGIE_DATA_KEY is not set (outside production only:
 * `loadConfig` refuses production without it). The first start writes 32 random bytes, base64,
 * to VIGIE_DATA_KEY_FILE with mode 0600 and warns once; later starts read the same file. No key
 * is ever in the source: a link or ciphertext made with one copy of Vigie means nothing to another.
 */
export function resolveDataKey(config: VigieConfig, warn: KeyFileWarning = pinoWarning(config)): VigieConfig {
  if (config.dataKey) return config;
  const path = resolve(config.VIGIE_DATA_KEY_FILE);
  const created = createKeyFile(path);
  const key = decodeDataKey(readKeyFile(path));
  if (!key) throw new ConfigError([`VIGIE_DATA_KEY_FILE: ${path} does not hold 32 bytes encoded in base64`]);
  if (created) {
    warn(
      { keyFile: path },
      `No VIGIE_DATA_KEY: generated a data key into ${path}. Keep this file: without it the personal data stored with it cannot be read. Set VIGIE_DATA_KEY in production.`,
    );
  }
  config.dataKey = key;
  return config;
}

/**
 * Writes a new key unless the file exists. The key goes to a temporary file that is then linked
 * to its name, which fails if the name exists: two processes starting together (API and worker)
 * agree on one key, and nobody reads a half-written file.
 */
function createKeyFile(path: string): boolean {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  } finally {
    rmSync(temporary, { force: true });
  }
}

function readKeyFile(path: string): string {
  // A key file someone else can read is tightened rather than refused: it is a development key.
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  return readFileSync(path, 'utf8');
}

function pinoWarning(config: VigieConfig): KeyFileWarning {
  // The start-up logger: the same JSON shape and level names as every other line.
  return (fields, message) => startupLogger(config).warn(fields, message);
}
