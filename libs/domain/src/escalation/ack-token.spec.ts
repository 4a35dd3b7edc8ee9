import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { VigieConfig } from '@vigie/config';
import { SystemClock } from '../clock/clock';
import { DomainError } from '../errors/domain-error';
import { ACK_TOKEN_TTL_MS, AckTokens } from './ack-token';

describe('acknowledgement links', () => {
  const tokens = new AckTokens({ dataKey: randomBytes(32) } as VigieConfig, new SystemClock());
  const now = new Date('2026-11-28T10:00:00Z');

  it('carry one alert and one referent, and last seven days', () => {
    const token = tokens.sign('alert-1', 'referent-1', now);
    expect(tokens.verify(token, new Date(now.getTime() + ACK_TOKEN_TTL_MS - 1))).toEqual({
      alertId: 'alert-1',
      referentId: 'referent-1',
      expiresAt: new Date(now.getTime() + ACK_TOKEN_TTL_MS),
    });
    expect(() => tokens.verify(token, new Date(now.getTime() + ACK_TOKEN_TTL_MS + 1))).toThrow(/expired/);
  });

  it('cannot be forged, altered or verified under another key', () => {
    const token = tokens.sign('alert-1', 'referent-1', now);
    const [claims, mac] = token.split('.');
    const other = Buffer.from(JSON.stringify({ a: 'alert-2', r: 'referent-1', e: now.getTime() + 1e9 })).toString('base64url');
    expect(() => tokens.verify(`${other}.${mac}`, now)).toThrow();
    expect(() => tokens.verify(`${claims}.${mac.slice(0, -2)}xx`, now)).toThrow();
    expect(() => tokens.verify('garbage', now)).toThrow();
    expect(() => new AckTokens({ dataKey: randomBytes(32) } as VigieConfig, new SystemClock()).verify(token, now)).toThrow();
  });

  it('signed before a data key rotation, stay valid with the previous key, and only with it', () => {
    const oldKey = randomBytes(32);
    const token = new AckTokens({ dataKey: oldKey } as VigieConfig, new SystemClock()).sign('alert-1', 'referent-1', now);
    const rotated = new AckTokens({ dataKey: randomBytes(32), previousDataKey: oldKey } as VigieConfig, new SystemClock());
    expect(rotated.verify(token, now).alertId).toBe('alert-1');
    expect(() => new AckTokens({ dataKey: randomBytes(32), previousDataKey: randomBytes(32) } as VigieConfig, new SystemClock()).verify(token, now)).toThrow();
    expect(rotated.verify(rotated.sign('alert-2', 'referent-1', now), now).alertId).toBe('alert-2');
  });

  const HOUR = 3600 * 1000;
  const DAY = 24 * HOUR;

  /** What the service answers for any link it does not accept: a bare NOT_FOUND. */
  function refusal(verify: () => unknown): DomainError {
    try {
      verify();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      return error as DomainError;
    }
    throw new Error('the link was accepted');
  }

  function expectInvalid(verify: () => unknown): void {
    const error = refusal(verify);
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe('Acknowledgement link not found');
  }

  it('last exactly seven days: still valid 6 days 23 hours later and at the last millisecond, refused 7 days 1 minute later', () => {
    expect(ACK_TOKEN_TTL_MS).toBe(604_800_000);
    const token = tokens.sign('alert-1', 'referent-1', now);
    expect(tokens.verify(token, new Date(now.getTime() + 6 * DAY + 23 * HOUR)).expiresAt).toEqual(new Date('2026-12-05T10:00:00Z'));
    expect(tokens.verify(token, new Date('2026-12-05T10:00:00Z')).alertId).toBe('alert-1');
    const expired = refusal(() => tokens.verify(token, new Date(now.getTime() + 7 * DAY + 60_000)));
    expect(expired.code).toBe('NOT_FOUND');
    expect(expired.message).toBe('This acknowledgement link has expired');
  });

  it('refuse a token without claims or without a signature as not found', () => {
    expectInvalid(() => tokens.verify('garbage', now));
    expectInvalid(() => tokens.verify('.abc', now));
    expectInvalid(() => tokens.verify('abc.', now));
    const [claims, mac] = tokens.sign('alert-1', 'referent-1', now).split('.');
    expectInvalid(() => tokens.verify(`${claims}.${mac.slice(0, -2)}`, now));
    expectInvalid(() => tokens.verify(`${claims}.${mac}xx`, now));
  });

  it('refuse a token longer than 600 characters, even correctly signed', () => {
    const ofLength = (length: number) => {
      for (let size = 1; size < 600; size += 1) {
        const token = tokens.sign('a'.repeat(size), 'referent-1', now);
        if (token.length === length) return token;
      }
      throw new Error(`no token of ${length} characters`);
    };
    expect(tokens.verify(ofLength(600), now).referentId).toBe('referent-1');
    expectInvalid(() => tokens.verify(ofLength(602), now));
  });

  describe('signed with the link key of the data key', () => {
    const dataKey = randomBytes(32);
    const keyed = new AckTokens({ dataKey } as VigieConfig, new SystemClock());
    // The derivation is part of the links already sent: changing it would void them all.
    const linkKey = Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), 'vigie acknowledgement links', 32));
    const signed = (claims: string) => {
      const encoded = Buffer.from(claims).toString('base64url');
      return `${encoded}.${createHmac('sha256', linkKey).update(encoded).digest('base64url')}`;
    };
    const expiry = now.getTime() + DAY;

    it('accept claims signed with that key', () => {
      expect(keyed.verify(signed(JSON.stringify({ a: 'alert-9', r: 'referent-9', e: expiry })), now)).toEqual({
        alertId: 'alert-9',
        referentId: 'referent-9',
        expiresAt: new Date(expiry),
      });
    });

    it('refuse signed claims that are not JSON, or lack the alert, the referent or the expiry', () => {
      expectInvalid(() => keyed.verify(signed('{not json'), now));
      expectInvalid(() => keyed.verify(signed(JSON.stringify({ r: 'referent-9', e: expiry })), now));
      expectInvalid(() => keyed.verify(signed(JSON.stringify({ a: 7, r: 'referent-9', e: expiry })), now));
      expectInvalid(() => keyed.verify(signed(JSON.stringify({ a: 'alert-9', e: expiry })), now));
      expectInvalid(() => keyed.verify(signed(JSON.stringify({ a: 'alert-9', r: 'referent-9' })), now));
      expectInvalid(() => keyed.verify(signed(JSON.stringify({ a: 'alert-9', r: 'referent-9', e: String(expiry) })), now));
    });
  });
});

describe('acknowledgement links of UUID ids', () => {
  it('are packed short enough to share an SMS with the episode link, and verify to the same claims', () => {
    const tokens = new AckTokens({ dataKey: randomBytes(32) } as VigieConfig, new SystemClock());
    const alertId = '0b9f3c1e-2d4a-4b6c-8e0f-1a2b3c4d5e6f';
    const referentId = 'f6e5d4c3-b2a1-4f0e-9d8c-7b6a5f4e3d2c';
    const token = tokens.sign(alertId, referentId, new Date('2026-01-15T12:00:00Z'));
    expect(token.length).toBeLessThanOrEqual(96);
    expect(tokens.verify(token, new Date('2026-01-15T12:00:00Z'))).toEqual({ alertId, referentId, expiresAt: new Date('2026-01-22T12:00:00Z') });
  });
});
