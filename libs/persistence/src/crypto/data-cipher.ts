import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { VigieConfig } from '@vigie/config';
import type { CipherSlot } from './encrypted-columns';

const VERSION = 'v2';
/** Values written before key ids and associated data; still read (see docs/decisions.md). */
const LEGACY_VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A short, public name of a key: lets a value say which key wrote it without revealing the key. */
export function dataKeyId(key: Buffer): string {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'vigie data key id', 9)).toString('base64url');
}

class UnreadableValue extends Error {
  constructor(why: string) {
    super(`Unreadable encrypted value: ${why}`);
  }
}

/**
 * AES-256-GCM for identity, health and free-text fields at rest. A value is stored as
 * `v2.<key id>.<iv>.<tag>.<ciphertext>` (base64url), bound to its table, column and row as
 * associated data, with a full 16-byte tag. The key id lets VIGIE_DATA_KEY change: values of
 * VIGIE_DATA_KEY_PREVIOUS stay readable until `npm run rotate-data-key` has rewritten them.
 */
@Injectable()
export class DataCipher {
  private readonly key: Buffer;
  /** Current key first, then the previous one. */
  private readonly keys: Map<string, Buffer>;
  /** The id of the key new values are written with. */
  readonly keyId: string;

  constructor(config: VigieConfig) {
    if (!config.dataKey || config.dataKey.length !== 32) throw new Error('DataCipher needs a 32-byte data key');
    this.key = config.dataKey;
    this.keyId = dataKeyId(this.key);
    this.keys = new Map([[this.keyId, this.key]]);
    if (config.previousDataKey && !config.previousDataKey.equals(this.key)) this.keys.set(dataKeyId(config.previousDataKey), config.previousDataKey);
  }

  static withKey(key: Buffer, previousKey?: Buffer): DataCipher {
    return new DataCipher({ dataKey: key, previousDataKey: previousKey } as VigieConfig);
  }

  encrypt(value: unknown, at: CipherSlot): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(at.associatedData);
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return [VERSION, this.keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  /** Encrypts a value, or stores null when there is nothing worth keeping. */
  encryptOptional(value: Record<string, unknown> | null | undefined, at: CipherSlot): string | null {
    if (value === null || value === undefined) return null;
    const kept = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null));
    return Object.keys(kept).length === 0 ? null : this.encrypt(kept, at);
  }

  decrypt<T>(stored: string, at: CipherSlot): T {
    const parts = stored.split('.');
    if (parts[0] === VERSION && parts.length === 5) {
      const [, keyId, iv, tag, body] = parts;
      const key = this.keys.get(keyId);
      if (!key) throw new UnreadableValue('written with an unknown key (is VIGIE_DATA_KEY_PREVIOUS missing?)');
      return JSON.parse(open(key, iv, tag, body, at.associatedData)) as T;
    }
    if (parts[0] === LEGACY_VERSION && parts.length === 4) {
      const [, iv, tag, body] = parts;
      for (const key of this.keys.values()) {
        try {
          return JSON.parse(open(key, iv, tag, body, null)) as T;
        } catch {
          // the next key, if any
        }
      }
      throw new UnreadableValue('no key opens it');
    }
    throw new UnreadableValue('unknown format');
  }

  decryptOptional<T>(stored: string | null | undefined, at: CipherSlot): T | null {
    return stored ? this.decrypt<T>(stored, at) : null;
  }

  /** True when the value is written with the current key and bound to its place. */
  isCurrent(stored: string): boolean {
    return stored.startsWith(`${VERSION}.${this.keyId}.`);
  }

  /** The same value, written again with the current key and bound to its place. */
  reencrypt(stored: string, at: CipherSlot): string {
    return this.encrypt(this.decrypt<unknown>(stored, at), at);
  }
}

function open(key: Buffer, iv: string, tag: string, body: string, associatedData: Buffer | null): string {
  const ivBytes = Buffer.from(iv, 'base64url');
  const tagBytes = Buffer.from(tag, 'base64url');
  if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) throw new UnreadableValue('bad nonce or tag length');
  const decipher = createDecipheriv('aes-256-gcm', key, ivBytes, { authTagLength: TAG_BYTES });
  if (associatedData) decipher.setAAD(associatedData);
  decipher.setAuthTag(tagBytes);
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}
