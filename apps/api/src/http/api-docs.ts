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
import type { OpenAPIObject } from '@nestjs/swagger';
import type { ParameterObject, SecurityRequirementObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
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

/** The one-line summary of every operation, by `METHOD /path`; a route missing here fails the document's test. */
const SUMMARIES: Record<string, string> = {
  'GET /v1/departments': 'List the départements and their time zones',
  'GET /v1/vocabularies': 'List the codes of every coded field',
  'POST /v1/foyers': 'Create a foyer',
  'GET /v1/foyers': 'List foyers',
  'GET /v1/foyers/{id}': 'Read a foyer',
  'PATCH /v1/foyers/{id}': "Change a foyer's name, phone or address",
  'POST /v1/foyers/{id}/close': 'Close a foyer',
  'POST /v1/api-clients': 'Create an API client and its key',
  'GET /v1/api-clients': 'List API clients',
  'DELETE /v1/api-clients/{id}': 'Revoke an API client',
  'POST /v1/api-clients/{id}/rotate-inbound-secret': "Rotate a hotline client's inbound webhook secret",
  'GET /v1/audit': 'Read the audit log',
  'POST /v1/youths': 'Create a youth profile',
  'GET /v1/youths': 'List and search the youths in scope, with their current episode',
  'GET /v1/youths/{id}': 'Read a youth profile',
  'PATCH /v1/youths/{id}': 'Update a youth profile',
  'POST /v1/fugues': 'Declare a fugue',
  'GET /v1/fugues': 'List episodes',
  'GET /v1/fugues/{id}': 'Read an episode',
  'GET /v1/fugues/{id}/timeline': "Read an episode's timeline",
  'GET /v1/stream': 'Follow the episodes in scope live (Server-Sent Events: ids and event types only)',
  'POST /v1/fugues/{id}/updates': 'Add an update or a sighting to an episode',
  'POST /v1/fugues/{id}/override': "Override an episode's level",
  'DELETE /v1/fugues/{id}/override': "Withdraw an episode's override",
  'POST /v1/fugues/{id}/located': 'Mark an episode located',
  'POST /v1/fugues/{id}/return': 'Record the return',
  'POST /v1/fugues/{id}/close': 'Close an episode',
  'POST /v1/fugues/{id}/cancel': 'Cancel an episode declared by mistake',
  'POST /v1/fugues/{id}/hotline-reports': 'Report a call to the 116 000, or the child located, on an episode',
  'POST /v1/triage/preview': 'Preview the triage of an episode, storing nothing',
  'GET /v1/fugues/{id}/links': "List an episode's links to other episodes",
  'GET /v1/youths/{id}/history': "Read a youth's episodes and their links",
  'POST /v1/hotline/lookup': 'Find the open episode a hotline report is about',
  'GET /health/live': 'Liveness probe',
  'GET /health/ready': 'Readiness probe (database and Redis)',
  'POST /v1/referents': 'Create a referent',
  'GET /v1/referents': 'List referents',
  'GET /v1/referents/{id}': 'Read a referent',
  'PATCH /v1/referents/{id}': 'Update a referent',
  'DELETE /v1/referents/{id}': 'Delete a referent',
  'POST /v1/referents/{id}/rotate-webhook-secret': "Rotate a referent's webhook secret",
  'GET /v1/departments/{code}/escalation-policy': "Read a département's escalation policy",
  'PUT /v1/departments/{code}/escalation-policy': "Replace a département's escalation policy",
  'GET /v1/alerts': 'List alerts',
  'GET /v1/alerts/{id}': 'Read an alert and its notifications',
  'POST /v1/alerts/{id}/acknowledge': 'Acknowledge an alert',
  'GET /v1/notifications/dead-letter': 'List notifications that failed for good',
  'POST /v1/notifications/{id}/replay': 'Send a failed notification again',
  'GET /v1/return-interviews': 'List return interviews',
  'GET /v1/return-interviews/{id}': 'Read a return interview',
  'PUT /v1/return-interviews/{id}': 'Record a return interview',
  'GET /v1/stats': 'Read the statistics of a département',
  'POST /v1/webhook-endpoints': 'Subscribe a webhook endpoint',
  'GET /v1/webhook-endpoints': 'List webhook endpoints',
  'GET /v1/webhook-endpoints/{id}': 'Read a webhook endpoint',
  'DELETE /v1/webhook-endpoints/{id}': 'Delete a webhook endpoint',
  'POST /v1/webhook-endpoints/{id}/rotate-secret': "Rotate a webhook endpoint's secret",
  'POST /v1/webhook-endpoints/{id}/enable': 'Enable a disabled webhook endpoint again',
  'GET /v1/webhook-endpoints/{id}/deliveries': "List a webhook endpoint's deliveries",
  'POST /v1/webhook-deliveries/{id}/redeliver': 'Deliver a webhook again',
  'POST /v1/integrations/116000/events': 'Receive a 116 000 hotline event (signed)',
};

/** Routes authenticated otherwise than by the bearer key: none (probes, asking for a sign-in link or starting an OpenID Connect sign-in), the hotline's signature, the session cookie alone (signing out). */
const PUBLIC_SECURITY: Record<string, SecurityRequirementObject[]> = {
  'GET /health/live': [],
  'GET /health/ready': [],
  'POST /v1/integrations/116000/events': [{ webhookSignature: [] }],
  'GET /auth/options': [],
  'POST /auth/email-link': [],
  'GET /auth/oidc': [],
  'POST /auth/logout': [{ vigie_session: [] }],
};

const IDEMPOTENCY_KEY: ParameterObject = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  schema: { type: 'string', minLength: 1, maxLength: 255 },
  description:
    'A retry with the same key (kept 24 h) returns the first response and applies nothing again; the same key with another body ' +
    '(compared in canonical JSON form) is a 409 IDEMPOTENCY_KEY_REUSED; while the first request runs, 409 IDEMPOTENCY_KEY_IN_PROGRESS; ' +
    'if it was applied but its response could not be kept, 409 IDEMPOTENCY_RESPONSE_LOST (read the resource instead)',
};

const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } };

/**
 * Completes what the decorators cannot say route by route: summaries, the security of each
 * operation, the Idempotency-Key every authenticated POST honours (the interceptor is global), the
 * 409/413/415 of the layers every body crosses, uuid path ids, servers and licence.
 */
export function completeDocument(document: OpenAPIObject, publicUrl: string): void {
  document.servers = [{ url: publicUrl, description: 'This Vigie (VIGIE_PUBLIC_URL)' }];
  document.info.license = { name: 'Proprietary (UNLICENSED)' };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of ['get', 'put', 'post', 'patch', 'delete'] as const) {
      const op = item[method];
      if (!op) continue;
      const route = `${method.toUpperCase()} ${path}`;
      op.summary = SUMMARIES[route] ?? op.summary;
      op.security = PUBLIC_SECURITY[route] ?? [{ bearer: [] }];
      const parameters = (op.parameters ?? []) as ParameterObject[];
      for (const p of parameters) {
        if (p.in === 'path' && p.name === 'id') p.schema = { type: 'string', format: 'uuid' };
      }
      if (method === 'post' && path.startsWith('/v1/') && !parameters.some((p) => p.in === 'header' && p.name === 'Idempotency-Key')) {
        parameters.push(IDEMPOTENCY_KEY);
      }
      op.parameters = parameters;
      // Terminus describes its own 503 body; the service answers the usual error body, naming each
      // dependency that is down in `details`.
      if (route === 'GET /health/ready') {
        op.responses['503'] = { description: 'Not ready: DEPENDENCY_UNAVAILABLE, with each dependency down in details', content: errorContent };
      }
      if (!path.startsWith('/v1/')) continue;
      if (method === 'post') op.responses['409'] ??= { description: 'Idempotency-Key reused, in progress or lost (see the header)', content: errorContent };
      if (op.requestBody) {
        op.responses['413'] ??= { description: 'The body is larger than the limit', content: errorContent };
        op.responses['415'] ??= { description: 'The body is not application/json', content: errorContent };
      }
    }
  }
}
