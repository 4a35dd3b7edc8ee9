import { randomBytes } from 'node:crypto';
import { DataCipher } from './data-cipher';

describe('DataCipher', () => {
  const cipher = DataCipher.withKey(randomBytes(32));

  it('round-trips a document and never stores it in clear', () => {
    const stored = cipher.encrypt({ firstName: 'Testprenom', birthDate: '2012-01-01' });
    expect(stored).not.toContain('Testprenom');
    expect(stored).not.toContain('2012');
    expect(cipher.decrypt(stored)).toEqual({ firstName: 'Testprenom', birthDate: '2012-01-01' });
  });

  it('uses a fresh nonce for every value', () => {
    expect(cipher.encrypt('same')).not.toEqual(cipher.encrypt('same'));
  });

  it('refuses a tampered value and a value under another key', () => {
    const stored = cipher.encrypt({ a: 1 });
    const parts = stored.split('.');
    const body = Buffer.from(parts[3], 'base64url');
    body[0] ^= 1;
    parts[3] = body.toString('base64url');
    expect(() => cipher.decrypt(parts.join('.'))).toThrow();
    expect(() => DataCipher.withKey(randomBytes(32)).decrypt(stored)).toThrow();
  });

  it('stores null for empty optional documents', () => {
    expect(cipher.encryptOptional({ note: undefined, place: null })).toBeNull();
    expect(cipher.encryptOptional(undefined)).toBeNull();
    expect(cipher.decryptOptional(cipher.encryptOptional({ note: 'x' }))).toEqual({ note: 'x' });
  });
});
