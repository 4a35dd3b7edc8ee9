import { timingSafeEqual } from 'node:crypto';
import { CanActivate, createParamDecorator, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiClientService, Caller, DomainError, SessionService } from '@vigie/domain';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuthFailureLimiter } from './auth-failure.limiter';
import type { VigieRequest } from './request-context';

const PUBLIC = 'vigie:public';

/** The cookie that carries a person's session id. */
export const SESSION_COOKIE = 'vigie_session';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The value of one cookie of the request, or undefined. */
export function cookieOf(req: { header(name: string): string | undefined }, name: string): string | undefined {
  for (const part of (req.header('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Every operation that takes a bearer key takes the session cookie as well (the same Caller is
 * built from either): the document says so beside each bearer requirement.
 */
export function documentSessionAuth(document: OpenAPIObject): void {
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations) as { security?: Record<string, string[]>[] }[]) {
      if (operation?.security?.some((s) => 'bearer' in s) && !operation.security.some((s) => SESSION_COOKIE in s)) {
        operation.security.push({ [SESSION_COOKIE]: [] });
      }
    }
  }
}

/** Constant-time comparison of the X-CSRF-Token header with the session's token. */
export function csrfMatches(sent: string | undefined, expected: string): boolean {
  if (!sent) return false;
  const a = Buffer.from(sent, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** What a request authenticates with: the bearer key, else the session cookie; null when neither is there. */
export function credentialOf(req: { header(name: string): string | undefined }): { kind: 'key'; key: string } | { kind: 'session'; sessionId: string } | null {
  const authorization = req.header('authorization');
  if (authorization === undefined) {
    const sessionId = cookieOf(req, SESSION_COOKIE);
    return sessionId === undefined ? null : { kind: 'session', sessionId };
  }
  const match = /^Bearer\s+(\S{1,300})\s*$/i.exec(authorization);
  return match ? { kind: 'key', key: match[1] } : null;
}

/** A route that needs no API key (health, docs, signed links). */
export const Public = () => SetMetadata(PUBLIC, true);

/** The authenticated caller of the request. */
export const CurrentCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  const caller = ctx.switchToHttp().getRequest<VigieRequest>().caller;
  if (!caller) throw new DomainError('UNAUTHENTICATED', 'Missing credentials');
  return caller;
});

/**
 * Bearer API keys, or a person's `vigie_session` cookie, on every route not marked @Public. Both
 * build the same Caller. The key or session is looked up on every request, so a revoked key or an
 * ended session stops working on the next one. Failed lookups are throttled per address, before
 * the lookup (AuthFailureLimiter). A write with the cookie must carry the session's X-CSRF-Token;
 * a bearer key, which a browser never sends by itself, needs none.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly clients: ApiClientService,
    private readonly sessions: SessionService,
    private readonly failures: AuthFailureLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const req = context.switchToHttp().getRequest<VigieRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    const credential = credentialOf(req);
    if (credential?.kind === 'session') return this.withSession(req, res, credential.sessionId);
    if (!credential) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw new DomainError('UNAUTHENTICATED', 'Missing or malformed Authorization: Bearer <api key>');
    }
    await this.failures.refuseIfBlocked(req, res);
    const caller = await this.clients.authenticate(credential.key);
    if (!caller) {
      await this.failures.recordFailure(req);
      res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw new DomainError('UNAUTHENTICATED', 'Invalid or revoked API key');
    }
    req.caller = caller;
    return true;
  }

  private async withSession(req: VigieRequest, res: Response, sessionId: string): Promise<boolean> {
    await this.failures.refuseIfBlocked(req, res);
    const session = await this.sessions.authenticate(sessionId);
    if (!session) {
      await this.failures.recordFailure(req);
      throw new DomainError('UNAUTHENTICATED', 'The session has ended: sign in again');
    }
    if (!SAFE_METHODS.has(req.method) && !csrfMatches(req.header('x-csrf-token'), session.csrfToken)) {
      throw new DomainError('CSRF_FAILED', 'A write with the session cookie needs the X-CSRF-Token header given by GET /v1/me');
    }
    req.caller = session.caller;
    req.personSession = { person: session.person, csrfToken: session.csrfToken };
    return true;
  }
}
