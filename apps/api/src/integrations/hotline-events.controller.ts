import { Body, Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProperty,
  ApiSecurity,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Caller, HotlineInboundService } from '@vigie/domain';
import { ErrorResponse } from '../http/api-docs';
import { CurrentCaller, Public } from '../http/auth.guard';
import type { VigieRequest } from '../http/request-context';
import { HotlineEventDto, toHotlineEvent } from './hotline-event.dto';
import { HotlineSignatureGuard } from './hotline-signature.guard';

export class InboundEventResponse {
  @ApiProperty({ enum: ['accepted', 'duplicate'], description: 'duplicate: this webhook-id was already received; nothing was done again' })
  status: string;
  @ApiProperty({ description: 'The webhook-id received' }) webhookId: string;
}

/** Events from the 116 000, authenticated by their signature (no API key). */
@ApiTags('integrations')
@Controller('v1/integrations/116000')
export class HotlineEventsController {
  constructor(private readonly inbound: HotlineInboundService) {}

  @Post('events')
  @Public()
  @UseGuards(HotlineSignatureGuard)
  @HttpCode(202)
  @ApiSecurity('webhookSignature')
  @ApiHeader({ name: 'webhook-id', required: true, description: 'Unique per event, the same on every retry (deduplicated for at least 7 days)' })
  @ApiHeader({ name: 'webhook-timestamp', required: true, description: 'Unix seconds of this attempt, within 5 minutes of now' })
  @ApiHeader({ name: 'webhook-signature', required: true, description: "v1,<base64 HMAC-SHA256 of {id}.{timestamp}.{raw body}> with the hotline client's inboundWebhookSecret" })
  @ApiAcceptedResponse({ type: InboundEventResponse, description: 'Accepted and applied' })
  @ApiOkResponse({ type: InboundEventResponse, description: 'A replay of a webhook-id already received: no second effect' })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'Invalid body (VALIDATION_FAILED, MALFORMED_JSON)' })
  @ApiUnauthorizedResponse({ type: ErrorResponse, description: 'Missing, bad or stale signature, unknown signer, or a body altered after signing' })
  @ApiNotFoundResponse({ type: ErrorResponse, description: "Unknown episode, or outside the hotline client's départements" })
  @ApiConflictResponse({ type: ErrorResponse, description: 'INVALID_TRANSITION: the episode is closed or cancelled' })
  @ApiTooManyRequestsResponse({ type: ErrorResponse, description: 'Rate limit; see Retry-After' })
  @ApiServiceUnavailableResponse({ type: ErrorResponse, description: 'A dependency is down; send again shortly' })
  async receiveEvent(
    @CurrentCaller() hotline: Caller,
    @Req() req: VigieRequest,
    @Res({ passthrough: true }) res: Response,
    @Body() dto: HotlineEventDto,
  ) {
    const webhookId = req.inboundWebhookId as string;
    const outcome = await this.inbound.receiveEvent(hotline, webhookId, toHotlineEvent(dto));
    if (outcome === 'duplicate') res.status(200);
    return { status: outcome, webhookId };
  }
}
