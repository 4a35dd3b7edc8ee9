import { createHmac, timingSafeEqual } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import type { ReceivedRequest } from './test-servers';

/** A received webhook, verified: its Standard Webhooks headers and parsed body. */
export interface VerifiedWebhook {
  id: string;
  timestamp: number;
  signatures: string[];
  body: { type: string; timestamp: string; data: Record<string, unknown> };
  rawBody: string;
}

/**
 * The Standard Webhooks check written from the specification alone, with node:crypto: some
 * `v1,` signature in the header is the base64 HMAC-SHA256 of `{id}.{timestamp}.{raw body}` keyed
 * with the base64 part of the `whsec_` secret. Independent of both libraries.
 */
export function verifiesBySpecification(secret: string, request: Pick<ReceivedRequest, 'headers' | 'rawBody'>): boolean {
  const id = String(request.headers['webhook-id']);
  const timestamp = String(request.headers['webhook-timestamp']);
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${request.rawBody}`).digest();
  return String(request.headers['webhook-signature'] ?? '')
    .split(' ')
    .some((entry) => {
      const [version, signature] = entry.split(',');
      const given = Buffer.from(signature ?? '', 'base64');
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

/**
 * Verifies a received request with the `standardwebhooks` library, with the `svix` library's
 * Webhook class, and with the specification-only check above; throws unless all three accept it.
 */
export function verifyWebhook(secret: string, request: Pick<ReceivedRequest, 'headers' | 'rawBody'>): VerifiedWebhook {
  const headers = request.headers as Record<string, string>;
  const byStandard = new StandardWebhook(secret).verify(request.rawBody, headers) as VerifiedWebhook['body'];
  const bySvix = new SvixWebhook(secret).verify(request.rawBody, headers) as VerifiedWebhook['body'];
  if (!verifiesBySpecification(secret, request)) throw new Error('The signature does not verify by the specification');
  if (JSON.stringify(byStandard) !== JSON.stringify(bySvix)) throw new Error('The libraries read different bodies');
  return {
    id: headers['webhook-id'],
    timestamp: Number(headers['webhook-timestamp']),
    signatures: headers['webhook-signature'].split(' '),
    body: byStandard,
    rawBody: request.rawBody,
  };
}

/** Signs a body as the 116 000 does (Standard Webhooks), for an inbound event. */
export function signedHeaders(secret: string, id: string, rawBody: string, at: Date = new Date()): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new StandardWebhook(secret).sign(id, at, rawBody),
  };
}
