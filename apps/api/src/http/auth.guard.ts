import { CanActivate, createParamDecorator, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiClientService, Caller, DomainError } from '@vigie/domain';
import type { Response } from 'express';
import { AuthFailureLimiter } from './auth-failure.limiter';
import type { VigieRequest } from './request-context';

const PUBLIC = 'vigie:public';

/** A route that needs no API key (health, docs, signed links). */
export const Public = () => SetMetadata(PUBLIC, true);

/** The authenticated caller of the request. */
export const CurrentCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  const caller = ctx.switchToHttp().getRequest<VigieRequest>().caller;
  if (!caller) throw new DomainError('UNAUTHENTICATED', 'Missing credentials');
  return caller;
});

/**
 * Bearer API keys on every route not marked @Public. The key is looked up on every request,
 * so a revoked key stops working on the next one. Failed lookups are throttled per address,
 * before the lookup (AuthFailureLimiter).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly clients: ApiClientService,
    private readonly failures: AuthFailureLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const req = context.switchToHttp().getRequest<VigieRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    const match = /^Bearer\s+(\S{1,300})\s*$/i.exec(req.header('authorization') ?? '');
    if (!match) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw new DomainError('UNAUTHENTICATED', 'Missing or malformed Authorization: Bearer <api key>');
    }
    await this.failures.refuseIfBlocked(req, res);
    const caller = await this.clients.authenticate(match[1]);
    if (!caller) {
      await this.failures.recordFailure(req);
      res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw new DomainError('UNAUTHENTICATED', 'Invalid or revoked API key');
    }
    req.caller = caller;
    return true;
  }
}
