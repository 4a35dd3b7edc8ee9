import { Webhook } from 'standardwebhooks';

const SECRET_PREFIX = 'whsec_';

/** What `signWebhook` signs; `body` is the exact raw body that will be sent. */
export interface WebhookSignInput {
  /** The event id: the same on every retry of one event. */
  id: string;
  /** When this attempt is made; sent as Unix seconds. */
  timestamp: Date;
  body: string;
  /** `whsec_<base64 key>` secrets; several while a secret rotates. */
  secrets: readonly string[];
}

/** The Standard Webhooks headers of one signed request. */
export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Signs a request with the Standard Webhooks reference library (`v1,` + base64 HMAC-SHA256 of
 * `{id}.{unix seconds}.{body}`), once per `whsec_` secret, space-separated when there are several,
 * so any Standard Webhooks (or Svix) library verifies it.
 * @throws Error when no secret is given or a secret is not `whsec_` + base64.
 */
export function signWebhook({ id, timestamp, body, secrets }: WebhookSignInput): WebhookHeaders {
  if (secrets.length === 0) throw new Error('at least one webhook secret is required');
  const seconds = Math.floor(timestamp.getTime() / 1000).toString();
  // The key is checked and decoded here: the library would sign with a malformed secret's bytes.
  const signature = secrets.map((secret) => new Webhook(secretKey(secret), { format: 'raw' }).sign(id, timestamp, body)).join(' ');
  return { 'webhook-id': id, 'webhook-timestamp': seconds, 'webhook-signature': signature };
}

function secretKey(secret: string): Uint8Array {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : '';
  const key = Buffer.from(encoded, 'base64');
  // Buffer.from skips characters that are not base64: re-encoding tells a clean secret apart.
  if (key.length === 0 || key.toString('base64').replace(/=+$/, '') !== encoded.replace(/=+$/, '')) {
    throw new Error('a webhook secret must be "whsec_" followed by a base64 key');
  }
  return key;
}
