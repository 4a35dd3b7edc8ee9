import { randomBytes, randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { VigieConfigModule } from '@vigie/config';
import { AlertMessageInput, EmailChannel, emailMessage, NotificationsModule, pinnedLookup, postJson, SmsChannel, smsMessage, WebhookChannel } from '@vigie/notifications';
import { freePort, HttpReceiver, ReceivedRequest, SmtpCatcher } from '@vigie/testing';

const FROM = 'Vigie <vigie@vigie.example.test>';
const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

const alert: AlertMessageInput = {
  kind: 'alert',
  departmentCode: '75',
  departmentName: 'Paris',
  level: 'worrying',
  step: 0,
  reasons: [{ code: 'VEHICLE_NEAR_FOYER', label: 'véhicule aperçu à proximité du foyer' }],
  firstName: 'Testprenom',
  lastInitial: 'T.',
  age: 14,
  ackUrl: 'https://vigie.example.test/v1/alerts/7f3c/ack?token=t0k3n',
};

/** Checks a received request with both Standard Webhooks verifiers, on its raw body. */
function verifyWithBothLibraries(request: ReceivedRequest, secret: string): unknown[] {
  const headers = {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  };
  return [new StandardWebhook(secret).verify(request.rawBody, headers), new SvixWebhook(secret).verify(request.rawBody, headers)];
}

describe('e-mail channel against a real SMTP server', () => {
  let smtp: SmtpCatcher;
  let channel: EmailChannel;

  beforeAll(async () => {
    smtp = await SmtpCatcher.start();
    channel = new EmailChannel({ smtpUrl: smtp.url, from: FROM });
  });
  afterAll(async () => {
    channel.close();
    await smtp.close();
  });

  it('delivers the French alert e-mail, read back with its subject, text, html, sender and recipient', async () => {
    const message = emailMessage(alert);
    const result = await channel.send({ to: 'astreinte@foyer.example.test', ...message, messageId: '<alert-7f3c.0@vigie.example.test>' });

    expect(result).toEqual({ ok: true, status: 250, durationMs: expect.any(Number) });
    expect(smtp.messages).toHaveLength(1);
    expect(smtp.messages[0]).toMatchObject({ envelopeFrom: 'vigie@vigie.example.test', envelopeTo: ['astreinte@foyer.example.test'] });
    const mail = await smtp.parse(smtp.messages[0]);
    expect(mail.subject).toBe('[Vigie] Fugue inquiétante – 75 Paris – étape 1');
    expect(mail.text?.trimEnd()).toBe(message.text);
    expect(mail.html).toBe(message.html);
    expect(mail.from?.value).toEqual([{ name: 'Vigie', address: 'vigie@vigie.example.test' }]);
    expect(mail.to).toMatchObject({ value: [{ name: '', address: 'astreinte@foyer.example.test' }] });
    expect(mail.messageId).toBe('<alert-7f3c.0@vigie.example.test>');
    expect(mail.text).toContain('Testprenom T., 14 ans');
    expect(smtp.messages[0].raw).not.toContain('Testnom');
  });

  it('reports a recipient the server rejects as a failure with the SMTP code', async () => {
    smtp.rejectRecipient('inconnu@foyer.example.test');
    const before = smtp.messages.length;

    const result = await channel.send({ to: 'inconnu@foyer.example.test', ...emailMessage(alert) });

    expect(result).toMatchObject({ ok: false, status: 550, error: expect.stringMatching(/^EENVELOPE: .*550/) });
    expect(smtp.messages).toHaveLength(before);
  });

  it('reports an unreachable SMTP server as a failure, without throwing', async () => {
    const unreachable = new EmailChannel({ smtpUrl: `smtp://127.0.0.1:${await freePort()}`, from: FROM });
    try {
      const result = await unreachable.send({ to: 'astreinte@foyer.example.test', ...emailMessage(alert) });
      expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/^ESOCKET: connect ECONNREFUSED 127\.0\.0\.1:\d+$/) });
    } finally {
      unreachable.close();
    }
  });

  it('is provided by NotificationsModule from SMTP_URL and SMTP_FROM', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        VigieConfigModule.forRoot({ SMTP_URL: smtp.url, SMTP_FROM: 'Vigie Test <module@vigie.example.test>', VIGIE_DATA_KEY: randomBytes(32).toString('base64') }),
        NotificationsModule,
      ],
    }).compile();
    const app = await moduleRef.init();
    try {
      expect(app.get(WebhookChannel)).toBeInstanceOf(WebhookChannel);
      expect(app.get(SmsChannel)).toBeInstanceOf(SmsChannel);
      const result = await app.get(EmailChannel).send({ to: 'cadre@foyer.example.test', ...emailMessage({ ...alert, kind: 'test' }) });
      expect(result.ok).toBe(true);
      const mail = await smtp.parse(smtp.messages[smtp.messages.length - 1]);
      expect(mail.from?.value).toEqual([{ name: 'Vigie Test', address: 'module@vigie.example.test' }]);
      expect(mail.subject).toBe('[Vigie] Message de test – 75 Paris');
    } finally {
      await app.close();
    }
  });
});

describe('SMS channel against a real HTTP gateway', () => {
  const channel = new SmsChannel();
  let gateway: HttpReceiver;

  beforeAll(async () => {
    gateway = await HttpReceiver.start();
  });
  beforeEach(() => gateway.reset());
  afterAll(() => gateway.close());

  it('POSTs { to, text } as JSON', async () => {
    const text = smsMessage(alert);

    const result = await channel.send({ gatewayUrl: gateway.url('/sms/send'), to: '+33600000000', text });

    expect(result).toEqual({ ok: true, status: 200, durationMs: expect.any(Number) });
    expect(gateway.requests).toHaveLength(1);
    const [request] = gateway.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/sms/send', headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(request.rawBody)).toEqual({ to: '+33600000000', text });
  });

  it('refuses a text over 300 characters and sends nothing', async () => {
    const result = await channel.send({ gatewayUrl: gateway.url('/sms/send'), to: '+33600000000', text: 'x'.repeat(301) });

    expect(result).toMatchObject({ ok: false, error: 'text longer than 300 characters (301)' });
    expect(result.status).toBeUndefined();
    expect(gateway.requests).toHaveLength(0);
  });

  it('reports a gateway error status as a failure', async () => {
    gateway.answerWith({ status: 503 });

    const result = await channel.send({ gatewayUrl: gateway.url('/sms/send'), to: '+33600000000', text: 'Vigie : test' });

    expect(result).toMatchObject({ ok: false, status: 503, error: 'HTTP 503' });
  });
});

describe('webhook channel against real receivers', () => {
  const channel = new WebhookChannel();
  const secret = newSecret();
  const data = { alertId: randomUUID(), fugueId: randomUUID(), departmentCode: '75', level: 'worrying', step: 0, reasonCodes: ['VEHICLE_NEAR_FOYER'] };
  let receiver: HttpReceiver;
  let elsewhere: HttpReceiver;

  beforeAll(async () => {
    [receiver, elsewhere] = await Promise.all([HttpReceiver.start(), HttpReceiver.start()]);
  });
  beforeEach(() => {
    receiver.reset();
    elsewhere.reset();
  });
  afterAll(() => Promise.all([receiver.close(), elsewhere.close()]));

  const send = (overrides: Partial<Parameters<WebhookChannel['send']>[0]> = {}) =>
    channel.send({ url: receiver.url('/hooks/vigie'), secrets: [secret], eventId: 'evt_int_1', type: 'alert.notification', data, allowPrivate: true, ...overrides });

  it('POSTs { type, timestamp, data } signed so that Standard Webhooks and Svix both verify it', async () => {
    const occurredAt = new Date('2026-01-15T10:00:00.000Z');

    const result = await send({ occurredAt });

    expect(result).toEqual({ ok: true, status: 200, durationMs: expect.any(Number) });
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/hooks/vigie', headers: { 'content-type': 'application/json', 'webhook-id': 'evt_int_1' } });
    expect(Math.abs(Number(request.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    const body = { type: 'alert.notification', timestamp: '2026-01-15T10:00:00.000Z', data };
    expect(JSON.parse(request.rawBody)).toEqual(body);
    expect(verifyWithBothLibraries(request, secret)).toEqual([body, body]);
  });

  it('signs with every secret while one rotates, and keeps the event id on a retry', async () => {
    const next = newSecret();

    await send({ secrets: [next, secret] });
    await send({ secrets: [next, secret] });

    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual(['evt_int_1', 'evt_int_1']);
    for (const request of receiver.requests) {
      expect(String(request.headers['webhook-signature']).split(' ')).toHaveLength(2);
      for (const key of [next, secret]) expect(verifyWithBothLibraries(request, key)).toHaveLength(2);
      expect(() => verifyWithBothLibraries(request, newSecret())).toThrow(/signature/i);
    }
  });

  it('reports a 500 answer as a failure with its status', async () => {
    receiver.answerWith({ status: 500, body: 'internal error' });

    const result = await send();

    expect(result).toMatchObject({ ok: false, status: 500, error: 'HTTP 500' });
    expect(receiver.requests).toHaveLength(1);
  });

  it('treats a redirect as a failure and does not follow it', async () => {
    receiver.answerWith({ status: 302, headers: { location: elsewhere.url('/captured') } });

    const result = await send();

    expect(result).toMatchObject({ ok: false, status: 302, error: 'redirect 302 not followed' });
    expect(receiver.requests).toHaveLength(1);
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('gives up on a receiver that never answers once the timeout passes', async () => {
    receiver.answerWith('hang');
    const startedAt = Date.now();

    const result = await send({ timeoutMs: 300 });

    expect(result).toMatchObject({ ok: false, error: 'timeout after 300 ms' });
    expect(result.status).toBeUndefined();
    expect(result.durationMs).toBeGreaterThanOrEqual(290);
    expect(Date.now() - startedAt).toBeLessThan(2000);
    expect(receiver.requests).toHaveLength(1);
  });

  it('refuses an http:// URL unless private targets are allowed, without any request', async () => {
    const result = await send({ allowPrivate: false });

    expect(result).toMatchObject({ ok: false, error: 'target refused: scheme http: is not allowed (https: only)' });
    expect(result.status).toBeUndefined();
    expect(receiver.requests).toHaveLength(0);
  });

  it('resolves the host when sending and refuses one that points to this machine', async () => {
    const port = new URL(receiver.url()).port;

    const result = await send({ url: `https://localhost:${port}/hooks/vigie`, allowPrivate: false });

    expect(result).toMatchObject({ ok: false, error: 'target refused: host localhost does not resolve to a public address' });
    expect(receiver.requests).toHaveLength(0);
  });

  it('sends nothing when the endpoint secret is unusable', async () => {
    const result = await send({ secrets: ['not-a-whsec-secret'] });

    expect(result).toMatchObject({ ok: false, error: 'not signed: a webhook secret must be "whsec_" followed by a base64 key' });
    expect(receiver.requests).toHaveLength(0);
  });

  it('reports a refused connection as a failure', async () => {
    const result = await send({ url: `http://127.0.0.1:${await freePort()}/hooks/vigie` });

    expect(result).toMatchObject({ ok: false, error: 'network error: ECONNREFUSED' });
  });
});

describe('a webhook connection goes to the address that was checked', () => {
  let receiver: HttpReceiver;

  beforeAll(async () => {
    receiver = await HttpReceiver.start();
  });
  afterAll(() => receiver.close());
  beforeEach(() => receiver.reset());

  it('connects to the pinned address without resolving the name again, and keeps the name as Host', async () => {
    const port = new URL(receiver.url()).port;
    // `.invalid` never resolves (RFC 6761): only the pinned address can have been used.
    const url = `http://hooks.vigie.invalid:${port}/hooks/vigie`;

    const result = await postJson(url, '{"ok":true}', {}, 2000, performance.now(), [{ address: '127.0.0.1', family: 4 }]);

    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0].headers.host).toBe(`hooks.vigie.invalid:${port}`);
  });

  it('resolves the name when nothing is pinned (here: it does not resolve)', async () => {
    const port = new URL(receiver.url()).port;

    const result = await postJson(`http://hooks.vigie.invalid:${port}/hooks/vigie`, '{}', {}, 2000, performance.now());

    expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/^network error: (ENOTFOUND|EAI_AGAIN)$/) });
    expect(receiver.requests).toHaveLength(0);
  });

  it('answers only with the checked addresses of the family asked', () => {
    const lookup = pinnedLookup([{ address: '203.0.113.10', family: 4 }, { address: '2001:db8::10', family: 6 }]);
    const answers: unknown[] = [];
    lookup('elsewhere.example', { all: true }, (_error, addresses) => answers.push(addresses));
    lookup('elsewhere.example', { family: 6 }, (_error, address, family) => answers.push([address, family]));
    lookup('elsewhere.example', {}, (_error, address, family) => answers.push([address, family]));
    expect(answers).toEqual([
      [{ address: '203.0.113.10', family: 4 }, { address: '2001:db8::10', family: 6 }],
      ['2001:db8::10', 6],
      ['203.0.113.10', 4],
    ]);
  });
});
