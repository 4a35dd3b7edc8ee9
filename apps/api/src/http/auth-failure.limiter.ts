import { Injectable } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { VigieConfig } from '@vigie/config';
import { DomainError } from '@vigie/domain';
import { RateLimitStore } from './rate-limit.store';

const MINUTE_MS = 60_000;

/**
 * How long this process trusts the shared store's "not blocked" for an address that has not
 * failed here since: the check is then skipped, saving a Redis round trip per request under load.
 * An address blocked by another process is refused here at most this long after.
 */
export const CLEAR_ADDRESS_TRUST_MS = 1_000;

/** The address a request comes from: one IPv4 address, or the /64 of an IPv6 one. */
export function clientAddress(req: Request): string {
  return normalizeIp(req.ip ?? req.socket.remoteAddress ?? 'unknown');
}

/**
 * Throttles failed authentications per client address: past VIGIE_AUTH_FAILURES_PER_MINUTE
 * unknown or revoked keys in a minute, the address gets 429 for a minute and no key it sends is
 * looked up, a good one included (the lookup is what a guesser needs). The counters are shared
 * by every API process through Redis; a process that has seen no failure from an address trusts
 * the store's "not blocked" for CLEAR_ADDRESS_TRUST_MS.
 */
@Injectable()
export class AuthFailureLimiter {
  private readonly limit: number;
  /** Addresses the store said were not blocked, until when (monotonic ms) this process trusts it. */
  private readonly clear = new Map<string, number>();

  constructor(
    config: VigieConfig,
    private readonly store: RateLimitStore,
  ) {
    this.limit = config.VIGIE_AUTH_FAILURES_PER_MINUTE;
  }

  /** Throws RATE_LIMITED (with Retry-After on the response) when the address is blocked. */
  async refuseIfBlocked(req: Request, res: Response): Promise<void> {
    const address = key(req);
    const now = performance.now();
    if ((this.clear.get(address) ?? 0) > now) return;
    const ms = await this.store.blockedForMs(address);
    if (ms <= 0) {
      this.trust(address, now);
      return;
    }
    res.setHeader('Retry-After', String(Math.max(1, Math.ceil(ms / 1000))));
    throw new DomainError('RATE_LIMITED', 'Too many failed authentications from this address; try again later');
  }

  /** Counts a key that did not authenticate. */
  async recordFailure(req: Request): Promise<void> {
    const address = key(req);
    // An address that fails is checked at the store on every request, as long as it fails.
    this.clear.delete(address);
    await this.store.hit(address, MINUTE_MS, this.limit, MINUTE_MS);
  }

  private trust(address: string, now: number): void {
    if (this.clear.size >= 10_000) for (const [a, until] of this.clear) if (until <= now) this.clear.delete(a);
    this.clear.set(address, now + CLEAR_ADDRESS_TRUST_MS);
  }
}

function key(req: Request): string {
  return `auth-failures:${clientAddress(req)}`;
}
