import { randomBytes } from 'node:crypto';
import type { VigieConfig } from '@vigie/config';
import { SystemClock } from '../clock/clock';
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
});
