import { ApiProperty } from '@nestjs/swagger';
import type { EndpointWithSecret } from '@vigie/domain';
import { WEBHOOK_DELIVERY_STATUSES, WEBHOOK_EVENT_TYPES, WebhookAttemptEntity, WebhookDeliveryView, WebhookEndpointEntity } from '@vigie/persistence';
import { PageCursor } from '../http/api-docs';

export function endpointView(e: WebhookEndpointEntity) {
  return {
    id: e.id,
    url: e.url,
    events: e.events,
    description: e.description,
    status: e.status,
    disabledReason: e.disabledReason,
    disabledAt: e.disabledAt,
    scope: { departmentCodes: e.departmentCodes, worryingOnly: e.worryingOnly },
    ownerClientId: e.ownerClientId,
    previousSecretExpiresAt: e.previousSecretExpiresAt,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}

/** The endpoint with its secret in clear: after creation and rotation only. */
export const endpointWithSecretView = ({ endpoint, secret }: EndpointWithSecret) => ({ ...endpointView(endpoint), secret });

function attemptView(a: WebhookAttemptEntity) {
  return { attempt: a.attempt, at: a.startedAt, durationMs: a.durationMs, statusCode: a.statusCode, error: a.error, succeeded: a.succeeded };
}

export function deliveryView({ delivery: d, eventType, attemptLog }: WebhookDeliveryView) {
  return {
    id: d.id,
    eventId: d.eventId,
    eventType,
    endpointId: d.endpointId,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt : null,
    lastAttemptAt: d.lastAttemptAt,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    deliveredAt: d.deliveredAt,
    createdAt: d.createdAt,
    attemptLog: attemptLog.map(attemptView),
  };
}

/*
 * OpenAPI descriptions of the bodies above, so that a client can be generated. The mappers are
 * the truth; these classes only describe them.
 */

export class WebhookEndpointScopeResponse {
  @ApiProperty({ type: [String], nullable: true, description: 'Only events of these départements; null: all' }) departmentCodes: string[] | null;
  @ApiProperty({ description: 'Only events of worrying episodes (endpoints of a hotline client)' }) worryingOnly: boolean;
}

export class WebhookEndpointResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() url: string;
  @ApiProperty({ type: [String], enum: WEBHOOK_EVENT_TYPES }) events: string[];
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ enum: ['active', 'disabled'], description: 'disabled after the endpoint answered 410 Gone' }) status: string;
  @ApiProperty({ type: String, nullable: true }) disabledReason: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) disabledAt: string | null;
  @ApiProperty({ type: WebhookEndpointScopeResponse }) scope: WebhookEndpointScopeResponse;
  @ApiProperty({ format: 'uuid', description: 'The API client that created it' }) ownerClientId: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Until then, requests carry a second signature made with the secret before the last rotation',
  })
  previousSecretExpiresAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class WebhookEndpointWithSecretResponse extends WebhookEndpointResponse {
  @ApiProperty({ description: 'The signing secret, shown this once only', example: 'whsec_…' }) secret: string;
}

export class WebhookEndpointPageResponse extends PageCursor {
  @ApiProperty({ type: [WebhookEndpointResponse] }) items: WebhookEndpointResponse[];
}

export class WebhookAttemptResponse {
  @ApiProperty({ description: '1 for the first attempt' }) attempt: number;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty() durationMs: number;
  @ApiProperty({ type: Number, nullable: true, description: "The receiver's HTTP status, when it answered" }) statusCode: number | null;
  @ApiProperty({ type: String, nullable: true, example: 'timeout after 15000 ms' }) error: string | null;
  @ApiProperty() succeeded: boolean;
}

export class WebhookDeliveryResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid', description: 'The webhook-id header: the same on every attempt' }) eventId: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES }) eventType: string;
  @ApiProperty({ format: 'uuid' }) endpointId: string;
  @ApiProperty({ enum: WEBHOOK_DELIVERY_STATUSES }) status: string;
  @ApiProperty() attempts: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextAttemptAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastAttemptAt: string | null;
  @ApiProperty({ type: Number, nullable: true }) lastStatusCode: number | null;
  @ApiProperty({ type: String, nullable: true }) lastError: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deliveredAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: [WebhookAttemptResponse], description: 'Every attempt, oldest first' }) attemptLog: WebhookAttemptResponse[];
}

export class WebhookDeliveryPageResponse extends PageCursor {
  @ApiProperty({ type: [WebhookDeliveryResponse] }) items: WebhookDeliveryResponse[];
}
