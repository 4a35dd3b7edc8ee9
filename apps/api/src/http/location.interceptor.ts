import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { Response } from 'express';
import { Observable, tap } from 'rxjs';
import type { VigieRequest } from './request-context';

type Locate = (body: never, params: Record<string, string>) => string;

const LOCATION = 'vigie:location';

/**
 * Marks a route answering 201: the path of what it created, from the response body and the
 * path parameters, is sent as `Location`.
 */
export const CreatedAt = (locate: Locate) => SetMetadata(LOCATION, locate);

/**
 * Sets `Location` on every 201 of a route marked @CreatedAt, an idempotent replay included (the
 * replayed body goes through here like the first one).
 */
@Injectable()
export class LocationInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const locate = this.reflector.get<Locate | undefined>(LOCATION, context.getHandler());
    if (!locate) return next.handle();
    const req = context.switchToHttp().getRequest<VigieRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    return next.handle().pipe(
      tap((body: unknown) => {
        if (res.statusCode === 201 && !res.headersSent) res.setHeader('Location', locate(body as never, req.params as Record<string, string>));
      }),
    );
  }
}

/** Documents `Location` on every 201 response of the OpenAPI document. */
export function documentCreatedLocations(document: OpenAPIObject): void {
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations)) {
      const created = (operation as { responses?: Record<string, { headers?: Record<string, unknown> }> })?.responses?.['201'];
      if (created) created.headers = { ...created.headers, Location: { description: 'The path of the created resource', schema: { type: 'string' } } };
    }
  }
}
