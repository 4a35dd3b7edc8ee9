import { ApiProperty } from '@nestjs/swagger';
import { ROLES } from '@vigie/persistence';
import { PageCursor } from '../http/api-docs';

/** OpenAPI descriptions of the people responses (built by personView and the /v1/me handler). */

export class PersonResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ format: 'email' }) email: string;
  @ApiProperty({ enum: ROLES }) role: string;
  @ApiProperty({ type: [String], format: 'uuid' }) foyerIds: string[];
  @ApiProperty({ type: [String], example: ['75'] }) departmentCodes: string[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Set when deactivated: the person can no longer sign in' })
  deactivatedAt: string | null;
}

export class PersonPageResponse extends PageCursor {
  @ApiProperty({ type: [PersonResponse] }) items: PersonResponse[];
}

export class MeResponse {
  @ApiProperty({ format: 'uuid', description: 'The person, or the API client' }) id: string;
  @ApiProperty({ description: "The person's name, or the API client's" }) displayName: string;
  @ApiProperty({ type: String, format: 'email', nullable: true, description: 'null for an API client' }) email: string | null;
  @ApiProperty({ enum: ROLES }) role: string;
  @ApiProperty({ type: [String], format: 'uuid' }) foyerIds: string[];
  @ApiProperty({ type: [String], example: ['75'] }) departmentCodes: string[];
  @ApiProperty({ enum: ['person', 'apiClient'] }) kind: 'person' | 'apiClient';
  @ApiProperty({ type: String, nullable: true, description: 'Send as X-CSRF-Token on every write made with the session cookie; null for a bearer key' })
  csrfToken: string | null;
}
