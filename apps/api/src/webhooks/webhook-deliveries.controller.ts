import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Caller, WebhookEndpointService } from '@vigie/domain';
import { ApiConflict, ApiErrorResponses } from '../http/api-docs';
import { CurrentCaller } from '../http/auth.guard';
import { UuidPipe } from '../http/validators';
import { deliveryView, WebhookDeliveryResponse } from './webhook.response';

@ApiTags('webhooks')
@ApiBearerAuth()
@ApiErrorResponses()
@Controller('v1/webhook-deliveries')
export class WebhookDeliveriesController {
  constructor(private readonly endpoints: WebhookEndpointService) {}

  @Post(':id/redeliver')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: WebhookDeliveryResponse, description: 'Sent again now, same webhook-id, with a fresh retry schedule' })
  @ApiConflict('CONFLICT: an attempt is under way, or the endpoint is disabled')
  async redeliver(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string) {
    return deliveryView(await this.endpoints.redeliver(caller, id));
  }
}
