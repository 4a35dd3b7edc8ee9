import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiServiceUnavailableResponse,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { DomainErrorCode } from '@vigie/domain';

/**
 * OpenAPI descriptions shared by the controllers. These classes only describe JSON bodies for
 * /openapi.json (so that a client can be generated); responses are built by the mappers.
 */

/** Every code of the error body; a Record so that a new DomainErrorCode cannot be forgotten here. */
const ERROR_CODES: Record<DomainErrorCode | 'INTERNAL_ERROR', true> = {
  VALIDATION_FAILED: true,
  MALFORMED_JSON: true,
  PAYLOAD_TOO_LARGE: true,
  UNSUPPORTED_MEDIA_TYPE: true,
  UNAUTHENTICATED: true,
  FORBIDDEN: true,
  CSRF_FAILED: true,
  NOT_FOUND: true,
  FUGUE_ALREADY_OPEN: true,
  INVALID_TRANSITION: true,
  IDEMPOTENCY_KEY_REUSED: true,
  IDEMPOTENCY_KEY_IN_PROGRESS: true,
  IDEMPOTENCY_RESPONSE_LOST: true,
  CONFLICT: true,
  EMAIL_TAKEN: true,
  RATE_LIMITED: true,
  DEPENDENCY_UNAVAILABLE: true,
  INTERNAL_ERROR: true,
};

export class FieldProblemResponse {
  @ApiProperty({ example: 'birthDate' }) field: string;
  @ApiProperty({ example: 'must be a date YYYY-MM-DD that exists' }) message: string;
}

/** The body of every error, whatever the status. */
export class ErrorResponse {
  @ApiProperty({ example: 400 }) statusCode: number;
  @ApiProperty({ enum: Object.keys(ERROR_CODES), example: 'VALIDATION_FAILED' }) code: string;
  @ApiProperty({ example: 'The request is invalid' }) message: string;
  @ApiPropertyOptional({ type: [FieldProblemResponse] }) details?: FieldProblemResponse[];
  @ApiProperty({ description: 'Quote it when reporting a problem' }) correlationId: string;
}

/** The errors any authenticated /v1 route may answer. */
export const ApiErrorResponses = () =>
  applyDecorators(
    ApiBadRequestResponse({ type: ErrorResponse, description: 'Invalid input (VALIDATION_FAILED, MALFORMED_JSON)' }),
    ApiUnauthorizedResponse({ type: ErrorResponse, description: 'Missing, invalid or revoked API key' }),
    ApiForbiddenResponse({ type: ErrorResponse, description: 'The role of this API key may not do this' }),
    ApiNotFoundResponse({ type: ErrorResponse, description: "Does not exist, or is outside the caller's scope" }),
    ApiTooManyRequestsResponse({ type: ErrorResponse, description: 'Rate limit of this API key; see Retry-After' }),
    ApiServiceUnavailableResponse({ type: ErrorResponse, description: 'A dependency is down; try again shortly' }),
  );

/** A state transition or an idempotency conflict. */
export const ApiConflict = (description: string) => ApiConflictResponse({ type: ErrorResponse, description });

/** Every POST that creates something accepts an Idempotency-Key. */
export const ApiIdempotencyKey = () =>
  ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'A retry with the same key (kept 24 h) returns the first response and creates nothing; the same key with another body ' +
      '(compared in canonical JSON form) is a 409 IDEMPOTENCY_KEY_REUSED; while the first request runs, 409 IDEMPOTENCY_KEY_IN_PROGRESS; ' +
      'if it was applied but its response could not be kept, 409 IDEMPOTENCY_RESPONSE_LOST (read the resource instead)',
  });

export class PageCursor {
  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page; null on the last page' })
  nextCursor: string | null;
}
