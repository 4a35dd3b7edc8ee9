import { ApiProperty } from '@nestjs/swagger';
import { REFERENT_ROLES } from '@vigie/persistence';

/** OpenAPI description of the answer to a referent's webhook secret rotation (built by referentView). */
export class RotatedReferentSecretResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ enum: REFERENT_ROLES }) role: string;
  @ApiProperty({ example: '75' }) departmentCode: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) foyerId: string | null;
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'E-mail, SMS and webhook channels, in order' }) channels: object[];
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) apiClientId: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({ description: 'The new secret that signs webhooks to this referent, shown this once only', example: 'whsec_…' }) webhookSecret: string;
  @ApiProperty({ format: 'date-time', description: 'Until then, every webhook carries a second signature made with the previous secret' })
  previousSecretExpiresAt: string;
}
