import { createCipheriv, randomBytes } from 'node:crypto';
import { DataCipher } from './data-cipher';
import { slot } from './encrypted-columns';

/** A value as Vigie stored it before key ids and associated data: `v1.<iv>.<tag>.<body>`. */
function legacyValue(key: Buffer, value: unknown, tagLength = 16): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: tagLength });
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

describe('DataCipher', () => {
  const key = randomBytes(32);
  const cipher = DataCipher.withKey(key);
  const youthA = slot('youths', 'identity_enc', '7d9f3c1e-0000-4000-8000-00000000000a');
  const youthB = slot('youths', 'identity_enc', '7d9f3c1e-0000-4000-8000-00000000000b');

  it('round-trips a document and never stores it in clear', () => {
    const stored = cipher.encrypt({ firstName: 'Testprenom', birthDate: '2012-01-01' }, youthA);
    expect(stored).not.toContain('Testprenom');
    expect(stored).not.toContain('2012');
    expect(cipher.decrypt(stored, youthA)).toEqual({ firstName: 'Testprenom', birthDate: '2012-01-01' });
  });

  it('uses a fresh nonce for every value', () => {
    expect(cipher.encrypt('same', youthA)).not.toEqual(cipher.encrypt('same', youthA));
  });

  it('refuses a tampered value and a value under another key', () => {
    const stored = cipher.encrypt({ a: 1 }, youthA);
    const parts = stored.split('.');
    const body = Buffer.from(parts[parts.length - 1], 'base64url');
    body[0] ^= 1;
    parts[parts.length - 1] = body.toString('base64url');
    expect(() => cipher.decrypt(parts.join('.'), youthA)).toThrow();
    expect(() => DataCipher.withKey(randomBytes(32)).decrypt(stored, youthA)).toThrow();
  });

  it('stores null for empty optional documents', () => {
    expect(cipher.encryptOptional({ note: undefined, place: null }, youthA)).toBeNull();
    expect(cipher.encryptOptional(undefined, youthA)).toBeNull();
    expect(cipher.decryptOptional(cipher.encryptOptional({ note: 'x' }, youthA), youthA)).toEqual({ note: 'x' });
  });

  describe('authentication tag', () => {
    it('refuses a tag cut to 4 bytes', () => {
      const stored = cipher.encrypt({ a: 1 }, youthA);
      const parts = stored.split('.');
      const tagIndex = parts.length - 2;
      parts[tagIndex] = Buffer.from(parts[tagIndex], 'base64url').subarray(0, 4).toString('base64url');
      expect(() => cipher.decrypt(parts.join('.'), youthA)).toThrow();
    });

    it('refuses a stored value of the former format whose tag is 4 bytes', () => {
      expect(() => cipher.decrypt(legacyValue(key, { a: 1 }, 4), youthA)).toThrow();
    });
  });

  describe('associated data: table, column and row', () => {
    it('a ciphertext moved to another row does not decrypt', () => {
      const stored = cipher.encrypt({ firstName: 'Testprenom' }, youthA);
      expect(() => cipher.decrypt(stored, youthB)).toThrow();
    });

    it('a ciphertext moved to another column or table of the same row does not decrypt', () => {
      const id = '7d9f3c1e-0000-4000-8000-0000000000f1';
      const stored = cipher.encrypt({ reason: 'x' }, slot('fugues', 'end_reason_enc', id));
      expect(() => cipher.decrypt(stored, slot('fugues', 'override_reason_enc', id))).toThrow();
      expect(() => cipher.decrypt(stored, slot('youths', 'identity_enc', id))).toThrow();
      expect(cipher.decrypt(stored, slot('fugues', 'end_reason_enc', id))).toEqual({ reason: 'x' });
    });

    it('a composite row id is bound as a whole', () => {
      const stored = cipher.encrypt(1, slot('idempotency_keys', 'response_enc', ['c1', 'k/1']));
      expect(() => cipher.decrypt(stored, slot('idempotency_keys', 'response_enc', ['c1/k', '1']))).toThrow();
      expect(cipher.decrypt(stored, slot('idempotency_keys', 'response_enc', ['c1', 'k/1']))).toBe(1);
    });
  });

  describe('key id and rotation', () => {
    const previousKey = randomBytes(32);
    const previous = DataCipher.withKey(previousKey);
    const rotated = DataCipher.withKey(key, previousKey);

    it('prefixes each value with the id of its key, never the key itself', () => {
      const stored = cipher.encrypt('x', youthA);
      const [version, keyId] = stored.split('.');
      expect(version).toBe('v2');
      expect(keyId).toBe(cipher.keyId);
      expect(keyId).toMatch(/^[A-Za-z0-9_-]{8,16}$/);
      expect(stored).not.toContain(key.toString('base64url'));
      expect(DataCipher.withKey(randomBytes(32)).keyId).not.toBe(keyId);
    });

    it('decrypts a value of the previous key with VIGIE_DATA_KEY_PREVIOUS, and writes with the current one', () => {
      const old = previous.encrypt({ a: 1 }, youthA);
      expect(rotated.decrypt(old, youthA)).toEqual({ a: 1 });
      expect(() => cipher.decrypt(old, youthA)).toThrow(/unknown key/);
      expect(rotated.isCurrent(old)).toBe(false);
      const again = rotated.reencrypt(old, youthA);
      expect(rotated.isCurrent(again)).toBe(true);
      expect(cipher.decrypt(again, youthA)).toEqual({ a: 1 });
    });

    it('still reads values stored before key ids, with either key, and rewrites them bound to their row', () => {
      const legacy = legacyValue(previousKey, { firstName: 'Testprenom' });
      expect(rotated.decrypt(legacy, youthA)).toEqual({ firstName: 'Testprenom' });
      expect(DataCipher.withKey(key).decrypt(legacyValue(key, 'y'), youthB)).toBe('y');
      expect(rotated.isCurrent(legacy)).toBe(false);
      const bound = rotated.reencrypt(legacy, youthA);
      expect(() => rotated.decrypt(bound, youthB)).toThrow();
      expect(rotated.decrypt(bound, youthA)).toEqual({ firstName: 'Testprenom' });
    });
  });
});
