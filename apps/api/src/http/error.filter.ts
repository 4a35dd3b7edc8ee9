import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { DomainError, DomainErrorCode, FieldProblem, isDatabaseUnavailable } from '@vigie/domain';
import { InvalidCursorError } from '@vigie/persistence';
import type { VigieRequest } from './request-context';

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: FieldProblem[];
  correlationId: string;
}

export function statusOf(code: DomainErrorCode): number {
  switch (code) {
    case 'VALIDATION_FAILED':
    case 'MALFORMED_JSON':
      return HttpStatus.BAD_REQUEST;
    case 'UNAUTHENTICATED':
      return HttpStatus.UNAUTHORIZED;
    case 'FORBIDDEN':
    case 'CSRF_FAILED':
      return HttpStatus.FORBIDDEN;
    case 'NOT_FOUND':
      return HttpStatus.NOT_FOUND;
    case 'FUGUE_ALREADY_OPEN':
    case 'INVALID_TRANSITION':
    case 'IDEMPOTENCY_KEY_REUSED':
    case 'IDEMPOTENCY_KEY_IN_PROGRESS':
    case 'IDEMPOTENCY_RESPONSE_LOST':
    case 'CONFLICT':
    case 'EMAIL_TAKEN':
      return HttpStatus.CONFLICT;
    case 'PAYLOAD_TOO_LARGE':
      return HttpStatus.PAYLOAD_TOO_LARGE;
    case 'UNSUPPORTED_MEDIA_TYPE':
      return HttpStatus.UNSUPPORTED_MEDIA_TYPE;
    case 'RATE_LIMITED':
      return HttpStatus.TOO_MANY_REQUESTS;
    case 'DEPENDENCY_UNAVAILABLE':
      return HttpStatus.SERVICE_UNAVAILABLE;
  }
}

/** Codes for the HTTP errors Nest raises itself (unknown route, wrong method…). */
const HTTP_CODES: Record<number, DomainErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'DEPENDENCY_UNAVAILABLE',
};

/**
 * Shapes every error as api.md says. Unknown errors are a 500 with the correlation id and no
 * internals; their message is logged without request data.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<VigieRequest>();
    const res = http.getResponse<Response>();
    const body = this.toBody(exception, req.correlationId ?? 'none');
    res.locals.errorCode = body.code; // for the request log line
    // The rate limiter sets the exact seconds left; other 429s get a conservative minute.
    if (body.statusCode === 429 && !res.getHeader('Retry-After')) res.setHeader('Retry-After', String(retryAfterSeconds(exception)));
    if (!res.headersSent) res.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown, correlationId: string): ErrorBody {
    if (exception instanceof DomainError) {
      return { statusCode: statusOf(exception.code), code: exception.code, message: exception.message, details: exception.details, correlationId };
    }
    if (exception instanceof InvalidCursorError) {
      return { statusCode: 400, code: 'VALIDATION_FAILED', message: 'The request is invalid', details: [{ field: 'cursor', message: 'is not a cursor this service returned' }], correlationId };
    }
    if (exception instanceof ThrottlerException) {
      return { statusCode: 429, code: 'RATE_LIMITED', message: 'Too many requests for this API key', correlationId };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = HTTP_CODES[status];
      if (code) return { statusCode: status, code, message: status === 404 ? 'Route not found' : exception.message, correlationId };
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.error(`Database unavailable (correlation ${correlationId})`);
      return { statusCode: 503, code: 'DEPENDENCY_UNAVAILABLE', message: 'The database is unavailable; try again shortly', correlationId };
    }
    const sqlState = sqlStateOf(exception);
    if (sqlState) {
      // A database error's message and detail can repeat the values of the query: only the code.
      this.logger.error(`Unexpected database error SQLSTATE ${sqlState} (correlation ${correlationId})`);
      return { statusCode: 500, code: 'INTERNAL_ERROR', message: 'An unexpected error occurred', correlationId };
    }
    const error = exception as Error;
    this.logger.error(`Unexpected ${error?.name ?? 'error'} (correlation ${correlationId}): ${String(error?.message).slice(0, 300)}`, error?.stack);
    return { statusCode: 500, code: 'INTERNAL_ERROR', message: 'An unexpected error occurred', correlationId };
  }
}

/**
 * The SQLSTATE of a PostgreSQL error (TypeORM's QueryFailedError, the driver's own error, or
 * either as the cause of another), or null for any other error.
 */
function sqlStateOf(exception: unknown, depth = 0): string | null {
  if (!exception || typeof exception !== 'object' || depth > 3) return null;
  const e = exception as { code?: unknown; severity?: unknown; driverError?: unknown; cause?: unknown };
  if (exception instanceof QueryFailedError) return sqlStateOf(e.driverError, depth + 1) ?? 'unknown';
  if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === 'string') return e.code;
  return sqlStateOf(e.driverError, depth + 1) ?? sqlStateOf(e.cause, depth + 1);
}

function retryAfterSeconds(exception: unknown): number {
  const seconds = (exception as { retryAfterSeconds?: number }).retryAfterSeconds;
  return seconds && seconds > 0 ? Math.ceil(seconds) : 60;
}
