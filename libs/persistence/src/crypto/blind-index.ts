import { createHmac, hkdfSync } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { VigieConfig } from '@vigie/config';
import { dataKeyId } from './data-cipher';

/** What a blind index is computed for: each kind is its own space (a plate never equals an alias). */
export type BlindIndexKind = 'plate' | 'alias' | 'address';

/** The HKDF `info` of the blind-index key: this purpose only, never the encryption key itself. */
const PURPOSE = 'vigie blind index v1';

function indexKey(dataKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), PURPOSE, 32));
}

/**
 * Blind indexes of plates, aliases and addresses (spec/links.md): HMAC-SHA256 of the normalised
 * value under a key derived from VIGIE_DATA_KEY by HKDF for this purpose only. Equal values give
 * equal indexes, so episodes are matched in SQL without the clear value ever reaching a query.
 * Each stored index names the data key it was computed under (`keyId`, the same id as the
 * cipher's): after a rotation, matching asks for the indexes under both keys until
 * `npm run rotate-data-key` has recomputed the old ones.
 */
@Injectable()
export class BlindIndex {
  private readonly current: { id: string; key: Buffer };
  private readonly previous: { id: string; key: Buffer } | null;

  constructor(config: VigieConfig) {
    if (!config.dataKey || config.dataKey.length !== 32) throw new Error('BlindIndex needs a 32-byte data key');
    this.current = { id: dataKeyId(config.dataKey), key: indexKey(config.dataKey) };
    this.previous =
      config.previousDataKey && !config.previousDataKey.equals(config.dataKey)
        ? { id: dataKeyId(config.previousDataKey), key: indexKey(config.previousDataKey) }
        : null;
  }

  static withKey(key: Buffer, previousKey?: Buffer): BlindIndex {
    return new BlindIndex({ dataKey: key, previousDataKey: previousKey } as VigieConfig);
  }

  /** The id of the data key new indexes are computed under. */
  get keyId(): string {
    return this.current.id;
  }

  /** True while a previous key is configured: indexes may still be stored under it. */
  get rotating(): boolean {
    return this.previous !== null;
  }

  /** The index of an already normalised value, under the current key. */
  of(kind: BlindIndexKind, normalised: string): string {
    return hmac(this.current.key, kind, normalised);
  }

  /** The indexes the value may be stored under: current key, then the previous one during a rotation. */
  candidates(kind: BlindIndexKind, normalised: string): string[] {
    return this.previous ? [this.of(kind, normalised), hmac(this.previous.key, kind, normalised)] : [this.of(kind, normalised)];
  }
}

function hmac(key: Buffer, kind: BlindIndexKind, normalised: string): string {
  return createHmac('sha256', key).update(`${kind}\u0000${normalised}`, 'utf8').digest('base64url');
}

/** What `value_enc` of a connection holds: the clear values, and the normalised one its index is of. */
export interface ConnectionValue {
  alias?: string;
  plate?: string;
  description?: string;
  address?: string;
  /** The normalised value the blind index is computed from (see spec/links.md), absent when none. */
  indexed?: { kind: BlindIndexKind; value: string };
}
