import { createHash } from 'node:crypto';
import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import canonicalize from 'canonicalize';
import type { Response } from 'express';
import { catchError, from, Observable, of, switchMap, throwError } from 'rxjs';
import { VigieConfig } from '@vigie/config';
import { DomainError } from '@vigie/domain';
import { DataCipher, IdempotencyClaim, IdempotencyLeaseLostError, IdempotencyRepository, IdempotencyScope, slot } from '@vigie/persistence';
import type { VigieRequest } from './request-context';

const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;
/** Attempts at storing the response after the work committed (a database hiccup). */
const COMPLETE_ATTEMPTS = 3;

/**
 * `Idempotency-Key` on POST: a retry with the same key and caller gets the first response (same
 * id) and creates nothing; the same key with another body is a 409 (the body is compared in its
 * canonical form, RFC 8785: key order does not matter). The key is held with a lease; the work's
 * own transaction marks it committed (see IdempotencyCommitSubscriber), so a request that crashed
 * before committing can be run again by a retry, and one that committed never runs twice. Failed
 * requests that committed nothing release the key. Stored responses are encrypted: they may carry
 * identity.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Idempotency');

  constructor(
    private readonly keys: IdempotencyRepository,
    private readonly cipher: DataCipher,
    private readonly config: VigieConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<VigieRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    const key = req.header('idempotency-key');
    if (req.method !== 'POST' || key === undefined || !req.caller) return next.handle();
    if (!KEY_FORMAT.test(key)) throw DomainError.invalid('Idempotency-Key', 'must be 1 to 255 visible ASCII characters');
    const clientId = req.caller.clientId;
    const hash = createHash('sha256')
      .update(`${req.method} ${req.path}\n${canonicalize(req.body ?? null)}`)
      .digest('hex');
    const leaseMs = this.config.VIGIE_IDEMPOTENCY_LEASE_SECONDS * 1000;

    return from(this.keys.claim(clientId, key, hash, leaseMs, this.config.VIGIE_IDEMPOTENCY_KEEP_HOURS)).pipe(
      switchMap((result) => {
        if (result.owned) {
          const claim: IdempotencyClaim = { clientId, key, leaseToken: result.leaseToken, committed: false, open: true };
          return IdempotencyScope.run(claim, () => next.handle()).pipe(
            switchMap((body: unknown) => {
              claim.open = false;
              return from(this.complete(claim, res.statusCode, body));
            }),
            catchError((error: unknown) => {
              claim.open = false;
              if (error instanceof IdempotencyLeaseLostError) {
                return throwError(() => new DomainError('IDEMPOTENCY_KEY_IN_PROGRESS', 'A retry with this Idempotency-Key took over this request'));
              }
              // Whatever committed stays marked: only a request that changed nothing gives its key back.
              return from(this.keys.release(clientId, key, claim.leaseToken)).pipe(switchMap(() => throwError(() => error)));
            }),
          );
        }
        const existing = result.existing;
        if (existing.requestHash !== hash) {
          throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request');
        }
        if (existing.statusCode !== null && existing.responseEnc !== null) {
          res.status(existing.statusCode);
          res.setHeader('Idempotent-Replayed', 'true');
          return of(this.cipher.decrypt<unknown>(existing.responseEnc, slot('idempotency_keys', 'response_enc', [clientId, key])));
        }
        if (existing.committed && !existing.leaseActive) {
          throw new DomainError(
            'IDEMPOTENCY_RESPONSE_LOST',
            'The request with this Idempotency-Key was applied, but its response could not be kept: read the resource instead',
          );
        }
        throw new DomainError('IDEMPOTENCY_KEY_IN_PROGRESS', 'A request with this Idempotency-Key is still being processed');
      }),
    );
  }

  /**
   * Stores the response. The work has committed: a failure here must neither release the key (a
   * retry would do the work twice) nor fail the response the caller is owed.
   */
  private async complete(claim: IdempotencyClaim, statusCode: number, body: unknown): Promise<unknown> {
    const responseEnc = this.cipher.encrypt(body ?? null, slot('idempotency_keys', 'response_enc', [claim.clientId, claim.key]));
    for (let attempt = 1; attempt <= COMPLETE_ATTEMPTS; attempt++) {
      try {
        await this.keys.complete(claim.clientId, claim.key, claim.leaseToken, statusCode, responseEnc);
        return body;
      } catch (error) {
        if (attempt === COMPLETE_ATTEMPTS) {
          this.logger.error(`Could not store an idempotent response (${(error as { code?: string }).code ?? 'no SQLSTATE'}); a retry will be told it was applied`);
        }
      }
    }
    return body;
  }
}
