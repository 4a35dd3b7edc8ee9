import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Caller, WebhookEndpointService } from '@vigie/domain';
import { ApiErrorResponses, ApiIdempotencyKey } from '../http/api-docs';
import { CurrentCaller } from '../http/auth.guard';
import { CreatedAt } from '../http/location.interceptor';
import { DEFAULT_LIMIT, PageQuery } from '../http/pagination.dto';
import { UuidPipe } from '../http/validators';
import { CreateWebhookEndpointDto, DeliveryListQuery } from './webhook.dto';
import {
  deliveryView,
  endpointView,
  endpointWithSecretView,
  WebhookDeliveryPageResponse,
  WebhookEndpointPageResponse,
  WebhookEndpointResponse,
  WebhookEndpointWithSecretResponse,
} from './webhook.response';

/** Subscribers' endpoints (admin; a hotline client manages its own). */
@ApiTags('webhooks')
@ApiBearerAuth()
@ApiErrorResponses()
@Controller('v1/webhook-endpoints')
export class WebhookEndpointsController {
  constructor(private readonly endpoints: WebhookEndpointService) {}

  @Post()
  @CreatedAt((body: { id: string }) => `/v1/webhook-endpoints/${body.id}`)
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: WebhookEndpointWithSecretResponse, description: 'The endpoint with its whsec_ signing secret, shown this once only' })
  async createEndpoint(@CurrentCaller() caller: Caller, @Body() dto: CreateWebhookEndpointDto) {
    return endpointWithSecretView(await this.endpoints.createEndpoint(caller, dto));
  }

  @Get()
  @ApiOkResponse({ type: WebhookEndpointPageResponse, description: "Every endpoint (admin) or the caller's own (hotline), newest first" })
  async listEndpoints(@CurrentCaller() caller: Caller, @Query() q: PageQuery) {
    const page = await this.endpoints.listEndpoints(caller, q.limit ?? DEFAULT_LIMIT, q.cursor ?? null);
    return { items: page.items.map(endpointView), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOkResponse({ type: WebhookEndpointResponse })
  async getEndpoint(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string) {
    return endpointView(await this.endpoints.getEndpoint(caller, id));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted: nothing more is sent to it; its deliveries stay listed' })
  async deleteEndpoint(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string) {
    await this.endpoints.deleteEndpoint(caller, id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOkResponse({
    type: WebhookEndpointWithSecretResponse,
    description: 'A new secret, shown this once only. For 24 h every request carries two signatures: one with the new secret, one with the previous.',
  })
  async rotateSecret(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string) {
    return endpointWithSecretView(await this.endpoints.rotateSecret(caller, id));
  }

  @Post(':id/enable')
  @HttpCode(200)
  @ApiOkResponse({ type: WebhookEndpointResponse, description: 'Active again after being disabled by a 410; failed deliveries can then be redelivered' })
  async enableEndpoint(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string) {
    return endpointView(await this.endpoints.enableEndpoint(caller, id));
  }

  @Get(':id/deliveries')
  @ApiOkResponse({ type: WebhookDeliveryPageResponse, description: 'The delivery log, newest first, each delivery with every attempt' })
  async listDeliveries(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string, @Query() q: DeliveryListQuery) {
    const page = await this.endpoints.listDeliveries(caller, id, q.status ?? null, q.limit ?? DEFAULT_LIMIT, q.cursor ?? null);
    return { items: page.items.map(deliveryView), nextCursor: page.nextCursor };
  }
}
