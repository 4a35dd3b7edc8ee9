import { randomBytes } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { signWebhook } from './webhook-signer';

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
/** Two independent verifiers: both must accept what Vigie signs. */
const VERIFIERS = {
  standardwebhooks: (secret: string) => new StandardWebhook(secret),
  svix: (secret: string) => new SvixWebhook(secret),
};
const LIBRARIES = Object.keys(VERIFIERS) as (keyof typeof VERIFIERS)[];

describe('signWebhook', () => {
  const secret = newSecret();
  const body = JSON.stringify({ type: 'alert.notification', timestamp: '2026-01-15T10:00:00.000Z', data: { alertId: 'a-1', level: 'worrying', note: 'accentué' } });

  it('sends the event id and the attempt time in Unix seconds', () => {
    const headers = signWebhook({ id: 'evt_1', timestamp: new Date('2026-01-15T10:00:00.999Z'), body, secrets: [secret] });
    expect(headers['webhook-id']).toBe('evt_1');
    expect(headers['webhook-timestamp']).toBe(String(Date.UTC(2026, 0, 15, 10) / 1000));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  });

  it('produces the signature the Standard Webhooks library computes', () => {
    const timestamp = new Date('2026-01-15T10:00:00Z');
    const headers = signWebhook({ id: 'evt_2', timestamp, body, secrets: [secret] });
    expect(headers['webhook-signature']).toBe(new StandardWebhook(secret).sign('evt_2', timestamp, body));
  });

  it.each(LIBRARIES)('is accepted by %s', (library) => {
    const headers = signWebhook({ id: 'evt_3', timestamp: new Date(), body, secrets: [secret] });
    expect(VERIFIERS[library](secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  describe.each(LIBRARIES)('is rejected by %s when tampered with', (library) => {
    const verifier = () => VERIFIERS[library](secret);
    const signed = () => ({ ...signWebhook({ id: 'evt_4', timestamp: new Date(), body, secrets: [secret] }) });

    it('a changed body', () => {
      expect(() => verifier().verify(body.replace('worrying', 'routine'), signed())).toThrow(/signature/i);
    });

    it('a changed timestamp header', () => {
      const headers = signed();
      headers['webhook-timestamp'] = String(Number(headers['webhook-timestamp']) - 1);
      expect(() => verifier().verify(body, headers)).toThrow(/signature/i);
    });

    it('a changed id', () => {
      expect(() => verifier().verify(body, { ...signed(), 'webhook-id': 'evt_other' })).toThrow(/signature/i);
    });

    it('a correctly signed but stale attempt (10 minutes old)', () => {
      const headers = signWebhook({ id: 'evt_5', timestamp: new Date(Date.now() - 10 * 60_000), body, secrets: [secret] });
      expect(() => verifier().verify(body, { ...headers })).toThrow(/timestamp/i);
    });

    it('another secret', () => {
      expect(() => VERIFIERS[library](newSecret()).verify(body, signed())).toThrow(/signature/i);
    });
  });

  it('signs with every secret while one rotates, each accepted on its own', () => {
    const previous = newSecret();
    const headers = signWebhook({ id: 'evt_6', timestamp: new Date(), body, secrets: [secret, previous] });
    const signatures = headers['webhook-signature'].split(' ');
    expect(signatures).toHaveLength(2);
    expect(signatures.every((s) => s.startsWith('v1,'))).toBe(true);
    for (const key of [secret, previous]) {
      for (const library of LIBRARIES) expect(VERIFIERS[library](key).verify(body, { ...headers })).toEqual(JSON.parse(body));
    }
    for (const library of LIBRARIES) expect(() => VERIFIERS[library](newSecret()).verify(body, { ...headers })).toThrow(/signature/i);
  });

  it.each([[[]], [['plainsecret']], [['whsec_']], [['whsec_!!not base64!!']]])('refuses the secrets %j', (secrets) => {
    expect(() => signWebhook({ id: 'evt_7', timestamp: new Date(), body, secrets })).toThrow(/secret/);
  });
});
