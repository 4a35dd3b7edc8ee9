/**
 * Every error the domain reports, by code. The HTTP filter maps each code to a status with an
 * exhaustive switch; clients may rely on the codes.
 */
export type DomainErrorCode =
  | 'VALIDATION_FAILED'
  | 'MALFORMED_JSON'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'CSRF_FAILED'
  | 'NOT_FOUND'
  | 'FUGUE_ALREADY_OPEN'
  | 'INVALID_TRANSITION'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'IDEMPOTENCY_KEY_IN_PROGRESS'
  | 'IDEMPOTENCY_RESPONSE_LOST'
  | 'CONFLICT'
  | 'EMAIL_TAKEN'
  | 'RATE_LIMITED'
  | 'DEPENDENCY_UNAVAILABLE';

export interface FieldProblem {
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: FieldProblem[],
  ) {
    super(message);
    this.name = 'DomainError';
  }

  static notFound(what: string): DomainError {
    return new DomainError('NOT_FOUND', `${what} not found`);
  }

  static invalid(field: string, message: string): DomainError {
    return new DomainError('VALIDATION_FAILED', 'The request is invalid', [{ field, message }]);
  }

  static forbidden(message = 'Your role may not do this'): DomainError {
    return new DomainError('FORBIDDEN', message);
  }

  static transition(message: string): DomainError {
    return new DomainError('INVALID_TRANSITION', message);
  }
}
