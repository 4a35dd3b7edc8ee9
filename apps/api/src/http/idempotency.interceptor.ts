import { createHash } from 'node:crypto';
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { catchError, from, Observable, of, switchMap, throwError } from 'rxjs';
import { DomainError } from '@vigie/domain';
import { DataCipher, IdempotencyRepository, slot } from '@vigie/persistence';
import type { VigieRequest } from './request-context';

const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

/**
 * `Idempotency-Key` on POST: a retry with the same key and caller gets the first response (same
 * id) and creates nothing; the same key with another body is a 409. Failed requests release the
 * key so that they can be retried. Stored responses are encrypted: they may carry identity.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly keys: IdempotencyRepository,
    private readonly cipher: DataCipher,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<VigieRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    const key = req.header('idempotency-key');
    if (req.method !== 'POST' || key === undefined || !req.caller) return next.handle();
    if (!KEY_FORMAT.test(key)) throw DomainError.invalid('Idempotency-Key', 'must be 1 to 255 visible ASCII characters');
    const clientId = req.caller.clientId;
    const hash = createHash('sha256')
      .update(`${req.method} ${req.path}\n${JSON.stringify(req.body ?? null)}`)
      .digest('hex');

    return from(this.keys.claim(clientId, key, hash)).pipe(
      switchMap((existing) => {
        if (!existing) {
          return next.handle().pipe(
            switchMap((body: unknown) =>
              from(this.keys.complete(clientId, key, res.statusCode, this.cipher.encrypt(body ?? null, slot('idempotency_keys', 'response_enc', [clientId, key]))).then(() => body)),
            ),
            catchError((error: unknown) => from(this.keys.release(clientId, key)).pipe(switchMap(() => throwError(() => error)))),
          );
        }
        if (existing.requestHash !== hash) {
          throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request');
        }
        if (existing.statusCode === null || existing.responseEnc === null) {
          throw new DomainError('IDEMPOTENCY_KEY_IN_PROGRESS', 'A request with this Idempotency-Key is still being processed');
        }
        res.status(existing.statusCode);
        res.setHeader('Idempotent-Replayed', 'true');
        return of(this.cipher.decrypt<unknown>(existing.responseEnc, slot('idempotency_keys', 'response_enc', [clientId, key])));
      }),
    );
  }
}
