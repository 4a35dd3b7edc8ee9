import { Injectable, NestMiddleware } from '@nestjs/common';
import { json } from 'express';
import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '@vigie/domain';
import type { VigieRequest } from './request-context';

export const BODY_LIMIT_BYTES = 64 * 1024;

/** Keys that could reach an object's prototype: refused anywhere in a body. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

class ForbiddenKeyError extends Error {}

const parseJson = json({
  limit: BODY_LIMIT_BYTES,
  strict: true,
  type: () => true,
  // Signatures are checked on the bytes received, never on re-serialized JSON.
  verify: (req, _res, buf) => {
    (req as VigieRequest).rawBody = buf;
  },
  reviver: (key, value) => {
    if (FORBIDDEN_KEYS.has(key)) throw new ForbiddenKeyError(`Forbidden key "${key}"`);
    return value;
  },
});

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * JSON bodies only, at most 64 KiB. A body of another type is a 415, an oversized one a 413,
 * malformed JSON a 400, all in the documented error shape (the filter renders the DomainError).
 */
function toDomainError(error: unknown): DomainError {
  const e = error as { type?: string; status?: number; message?: string };
  if (error instanceof ForbiddenKeyError || e.message?.startsWith('Forbidden key')) return DomainError.invalid('body', e.message ?? 'Forbidden key');
  if (e.type === 'entity.too.large' || e.status === 413) {
    return new DomainError('PAYLOAD_TOO_LARGE', `The body must not exceed ${BODY_LIMIT_BYTES} bytes`);
  }
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported' || e.status === 415) {
    return new DomainError('UNSUPPORTED_MEDIA_TYPE', 'The body must be UTF-8 JSON');
  }
  return new DomainError('MALFORMED_JSON', 'The body is not valid JSON');
}

/**
 * JSON bodies only, at most 64 KiB. A body of another type is a 415, an oversized one a 413,
 * malformed JSON a 400, all in the documented error shape. Errors are thrown (not passed to
 * `next`) so that Nest's exception filter renders them.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    if (hasBody(req)) {
      const type = (req.headers['content-type'] ?? '').toLowerCase();
      if (!/^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/.test(type)) {
        throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'The body must be JSON (Content-Type: application/json)');
      }
      await new Promise<void>((resolve, reject) => parseJson(req, res, (error?: unknown) => (error ? reject(toDomainError(error)) : resolve())));
    }
    next();
  }
}
