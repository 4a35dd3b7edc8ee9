import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { VigieConfig } from '@vigie/config';
import { DomainError } from '../errors/domain-error';
import { Clock } from '../clock/clock';

export const ACK_TOKEN_TTL_MS = 7 * 24 * 3600 * 1000;

export interface AckClaims {
  alertId: string;
  referentId: string;
  expiresAt: Date;
}

/**
 * Signed acknowledgement links: one alert, one referent, seven days. The token is
 * `<claims>.<HMAC-SHA256>` (base64url), keyed by a key derived from VIGIE_DATA_KEY, so no table
 * is needed and a link cannot be forged or moved to another alert. While the data key rotates,
 * links signed with VIGIE_DATA_KEY_PREVIOUS stay valid: they were sent before the change.
 */
@Injectable()
export class AckTokens {
  private readonly key: Buffer;
  private readonly previousKey: Buffer | null;

  constructor(config: VigieConfig, private readonly clock: Clock) {
    this.key = linkKey(config.dataKey);
    this.previousKey = config.previousDataKey ? linkKey(config.previousDataKey) : null;
  }

  /**
   * Alert and referent ids that are UUIDs (always, outside unit tests) are packed in binary — a
   * version byte, the two ids, the expiry in 6 bytes of milliseconds — so that the link and the
   * episode link both fit in an SMS; other ids go as JSON.
   */
  sign(alertId: string, referentId: string, now = this.clock.now()): string {
    const expiresAt = now.getTime() + ACK_TOKEN_TTL_MS;
    const packed = UUID.test(alertId) && UUID.test(referentId);
    const claims = (packed ? packClaims(alertId, referentId, expiresAt) : Buffer.from(JSON.stringify({ a: alertId, r: referentId, e: expiresAt }))).toString('base64url');
    return `${claims}.${this.mac(claims)}`;
  }

  /** Throws NOT_FOUND for a forged, malformed or expired token: the page says the link is not valid. */
  verify(token: string, now = this.clock.now()): AckClaims {
    const [claims, mac] = token.split('.');
    const invalid = () => DomainError.notFound('Acknowledgement link');
    if (!claims || !mac || token.length > 600) throw invalid();
    const given = Buffer.from(mac);
    const signedBy = (key: Buffer) => {
      const expected = Buffer.from(this.mac(claims, key));
      return expected.length === given.length && timingSafeEqual(expected, given);
    };
    if (!signedBy(this.key) && !(this.previousKey && signedBy(this.previousKey))) throw invalid();
    let parsed: { a?: unknown; r?: unknown; e?: unknown };
    try {
      const bytes = Buffer.from(claims, 'base64url');
      parsed = bytes.length === PACKED_LENGTH && bytes[0] === PACKED_VERSION ? unpackClaims(bytes) : JSON.parse(bytes.toString('utf8'));
    } catch {
      throw invalid();
    }
    if (typeof parsed.a !== 'string' || typeof parsed.r !== 'string' || typeof parsed.e !== 'number') throw invalid();
    if (parsed.e < now.getTime()) throw new DomainError('NOT_FOUND', 'This acknowledgement link has expired');
    return { alertId: parsed.a, referentId: parsed.r, expiresAt: new Date(parsed.e) };
  }

  private mac(claims: string, key = this.key): string {
    return createHmac('sha256', key).update(claims).digest('base64url');
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PACKED_VERSION = 1;
const PACKED_LENGTH = 1 + 16 + 16 + 6;

function packClaims(alertId: string, referentId: string, expiresAt: number): Buffer {
  const bytes = Buffer.alloc(PACKED_LENGTH);
  bytes[0] = PACKED_VERSION;
  Buffer.from(alertId.replace(/-/g, ''), 'hex').copy(bytes, 1);
  Buffer.from(referentId.replace(/-/g, ''), 'hex').copy(bytes, 17);
  bytes.writeUIntBE(expiresAt, 33, 6);
  return bytes;
}

function unpackClaims(bytes: Buffer): { a: string; r: string; e: number } {
  const uuid = (from: number) => bytes.subarray(from, from + 16).toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
  return { a: uuid(1), r: uuid(17), e: bytes.readUIntBE(33, 6) };
}

function linkKey(dataKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), 'vigie acknowledgement links', 32));
}
