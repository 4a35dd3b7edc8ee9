import { Injectable } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { VigieConfig } from '@vigie/config';
import { DomainError } from '@vigie/domain';
import { RateLimitStore } from './rate-limit.store';

const MINUTE_MS = 60_000;

/** The address a request comes from: one IPv4 address, or the /64 of an IPv6 one. */
export function clientAddress(req: Request): string {
  return normalizeIp(req.ip ?? req.socket.remoteAddress ?? 'unknown');
}

/**
 * Throttles failed authentications per client address: past VIGIE_AUTH_FAILURES_PER_MINUTE
 * unknown or revoked keys in a minute, the address gets 429 for a minute and no key it sends is
 * looked up, a good one included (the lookup is what a guesser needs).
 */
@Injectable()
export class AuthFailureLimiter {
  private readonly limit: number;

  constructor(
    config: VigieConfig,
    private readonly store: RateLimitStore,
  ) {
    this.limit = config.VIGIE_AUTH_FAILURES_PER_MINUTE;
  }

  /** Throws RATE_LIMITED (with Retry-After on the response) when the address is blocked. */
  async refuseIfBlocked(req: Request, res: Response): Promise<void> {
    const ms = await this.store.blockedForMs(key(req));
    if (ms <= 0) return;
    res.setHeader('Retry-After', String(Math.max(1, Math.ceil(ms / 1000))));
    throw new DomainError('RATE_LIMITED', 'Too many failed authentications from this address; try again later');
  }

  /** Counts a key that did not authenticate. */
  async recordFailure(req: Request): Promise<void> {
    await this.store.hit(key(req), MINUTE_MS, this.limit, MINUTE_MS);
  }
}

function key(req: Request): string {
  return `auth-failures:${clientAddress(req)}`;
}
