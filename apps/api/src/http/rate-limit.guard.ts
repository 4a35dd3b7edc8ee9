import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { VigieRequest } from './request-context';

/** Limits count per API key once authenticated, per address before. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const r = req as unknown as VigieRequest;
    return r.caller ? `client:${r.caller.clientId}` : `ip:${r.ip ?? 'unknown'}`;
  }

  /** One counter per caller across all routes (the default keeps one per route and caller). */
  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${tracker}`;
  }
}
