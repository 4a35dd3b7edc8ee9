import { createHash, randomBytes } from 'node:crypto';

/** API keys are random, prefixed and shown once; only their SHA-256 is stored. */
export function generateApiKey(): string {
  return `vig_${randomBytes(32).toString('base64url')}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The first characters, stored to tell keys apart in listings. */
export function keyPrefix(key: string): string {
  return key.slice(0, 8);
}

/** A Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
