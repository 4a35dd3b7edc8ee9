import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { WEBHOOK_DELIVERY_STATUSES, WEBHOOK_EVENT_TYPES, WebhookDeliveryStatus, WebhookEventType } from '@vigie/persistence';
import { PageQuery } from '../http/pagination.dto';

export class CreateWebhookEndpointDto {
  @ApiProperty({
    maxLength: 2000,
    example: 'https://hooks.example.org/vigie',
    description: 'https:// and a public address (integrations.md § Web targets)',
  })
  @IsString()
  @MaxLength(2000)
  url: string;

  @ApiProperty({ type: [String], enum: WEBHOOK_EVENT_TYPES, description: 'The event types to receive (at least one)' })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true, message: `events must contain only these types: ${WEBHOOK_EVENT_TYPES.join(', ')}` })
  events: WebhookEventType[];

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;
}

export class DeliveryListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: WEBHOOK_DELIVERY_STATUSES, description: 'failed: the deliveries listed for replay' })
  @IsOptional()
  @IsIn(WEBHOOK_DELIVERY_STATUSES)
  status?: WebhookDeliveryStatus;
}
