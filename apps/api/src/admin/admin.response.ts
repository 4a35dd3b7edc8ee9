import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ROLES } from '@vigie/persistence';
import { PageCursor } from '../http/api-docs';

/** OpenAPI descriptions of the administration responses (built by foyerView and clientView). */

export class FoyerResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ example: '75' }) departmentCode: string;
  @ApiProperty({ enum: ['ase', 'pjj', 'other'] }) kind: string;
  @ApiProperty({ type: String, nullable: true, description: "The foyer's phone, shown in its alerts" }) phone: string | null;
  @ApiProperty({ type: String, nullable: true, description: "The foyer's postal address" }) address: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When an administrator closed the foyer; null while open' }) closedAt: string | null;
}

export class FoyerPageResponse extends PageCursor {
  @ApiProperty({ type: [FoyerResponse] }) items: FoyerResponse[];
}

export class ApiClientResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ROLES }) role: string;
  @ApiProperty({ type: [String], format: 'uuid' }) foyerIds: string[];
  @ApiProperty({ type: [String], example: ['75'] }) departmentCodes: string[];
  @ApiProperty({ description: 'The first characters of the key, to recognise it', example: 'vig_1a2b' }) keyPrefix: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt: string | null;
}

export class CreatedApiClientResponse extends ApiClientResponse {
  @ApiProperty({ description: 'The API key, shown this once only: only its hash is stored', example: 'vig_…' }) key: string;
  @ApiPropertyOptional({ description: 'Hotline clients only: the secret that signs their inbound events', example: 'whsec_…' })
  inboundWebhookSecret?: string;
}

export class RotatedInboundSecretResponse extends ApiClientResponse {
  @ApiProperty({ description: 'The new secret that signs inbound events, shown this once only', example: 'whsec_…' }) inboundWebhookSecret: string;
  @ApiProperty({ format: 'date-time', description: 'Until then, events signed with the previous secret are accepted too' })
  previousSecretExpiresAt: string;
}

export class ApiClientPageResponse extends PageCursor {
  @ApiProperty({ type: [ApiClientResponse] }) items: ApiClientResponse[];
}

export class AuditEntryResponse {
  @ApiProperty({ description: 'Increasing number' }) id: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The API client that made the request (null when a person did)' }) clientId: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The person who made the request, signed in with a session' }) personId: string | null;
  @ApiProperty({ enum: ['read_identity', 'change', 'erase'] }) action: string;
  @ApiProperty({ example: 'GET' }) method: string;
  @ApiProperty({ example: '/v1/fugues/:id' }) route: string;
  @ApiProperty({ example: 200 }) statusCode: number;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) youthId: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) fugueId: string | null;
  @ApiProperty({ description: "The server's id of the request" }) correlationId: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The X-Correlation-Id the client sent, when it was a UUID' }) clientCorrelationId: string | null;
}

export class AuditPageResponse extends PageCursor {
  @ApiProperty({ type: [AuditEntryResponse] }) items: AuditEntryResponse[];
}
