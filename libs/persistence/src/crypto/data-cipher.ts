import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { VigieConfig } from '@vigie/config';

const VERSION = 'v1';

/**
 * AES-256-GCM for identity, health and free-text fields at rest. A value is stored as
 * `v1.<iv>.<tag>.<ciphertext>` (base64url); the version lets the key or scheme change later.
 */
@Injectable()
export class DataCipher {
  private readonly key: Buffer;

  constructor(config: VigieConfig) {
    this.key = config.dataKey;
  }

  static withKey(key: Buffer): DataCipher {
    return new DataCipher({ dataKey: key } as VigieConfig);
  }

  encrypt(value: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  /** Encrypts a value, or stores null when there is nothing worth keeping. */
  encryptOptional(value: Record<string, unknown> | null | undefined): string | null {
    if (value === null || value === undefined) return null;
    const kept = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null));
    return Object.keys(kept).length === 0 ? null : this.encrypt(kept);
  }

  decrypt<T>(stored: string): T {
    const [version, iv, tag, body] = stored.split('.');
    if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('Unreadable encrypted value');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as T;
  }

  decryptOptional<T>(stored: string | null | undefined): T | null {
    return stored ? this.decrypt<T>(stored) : null;
  }
}
