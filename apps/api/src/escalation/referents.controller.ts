import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Caller, ReferentService, requireRole } from '@vigie/domain';
import { ApiConflict, ApiErrorResponses } from '../http/api-docs';
import { CurrentCaller } from '../http/auth.guard';
import { CreatedAt } from '../http/location.interceptor';
import { DEFAULT_LIMIT } from '../http/pagination.dto';
import { UuidPipe } from '../http/validators';
import { CreateReferentDto, ReferentListQuery, toChannels, UpdateReferentDto } from './escalation.dto';
import { referentView, savedReferentView } from './escalation.response';
import { ReferentPageResponse, ReferentResponse } from './escalation.schemas';
import { RotatedReferentSecretResponse } from './referent.response';

@ApiTags('escalation')
@ApiBearerAuth()
@ApiErrorResponses()
@Controller('v1/referents')
export class ReferentsController {
  constructor(private readonly referents: ReferentService) {}

  @Post()
  @CreatedAt((body: { id: string }) => `/v1/referents/${body.id}`)
  @ApiCreatedResponse({ type: ReferentResponse, description: 'The referent; webhookSecret (whsec_…) is shown once when a webhook channel is given' })
  async createReferent(@CurrentCaller() caller: Caller, @Body() dto: CreateReferentDto) {
    requireRole(caller, ['admin']);
    return savedReferentView(await this.referents.createReferent({ ...dto, channels: toChannels(dto.channels) }));
  }

  @Get()
  @ApiOkResponse({ type: ReferentPageResponse })
  async listReferents(@CurrentCaller() caller: Caller, @Query() q: ReferentListQuery) {
    requireRole(caller, ['admin']);
    const page = await this.referents.listReferents({ departmentCode: q.departmentCode, role: q.role }, q.limit ?? DEFAULT_LIMIT, q.cursor ?? null);
    return { items: page.items.map((r) => referentView(r)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOkResponse({ type: ReferentResponse })
  async getReferent(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string) {
    requireRole(caller, ['admin']);
    return referentView(await this.referents.getReferent(id));
  }

  @Patch(':id')
  @ApiOkResponse({ type: ReferentResponse, description: 'The referent; webhookSecret is shown once when a webhook channel is added' })
  async updateReferent(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string, @Body() dto: UpdateReferentDto) {
    requireRole(caller, ['admin']);
    return savedReferentView(await this.referents.updateReferent(id, { ...dto, channels: dto.channels ? toChannels(dto.channels) : undefined }));
  }

  @Post(':id/rotate-webhook-secret')
  @HttpCode(200)
  @ApiConflict('The referent has no webhook channel, so no secret to rotate')
  @ApiOkResponse({
    type: RotatedReferentSecretResponse,
    description: 'A new webhook secret, shown this once only. For 24 h every webhook to the referent carries two signatures: one with the new secret, one with the previous.',
  })
  async rotateWebhookSecret(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string) {
    requireRole(caller, ['admin']);
    const { referent, webhookSecret } = await this.referents.rotateWebhookSecret(id);
    return { ...referentView(referent, webhookSecret), previousSecretExpiresAt: referent.previousWebhookSecretExpiresAt };
  }

  @Delete(':id')
  @HttpCode(204)
  async deleteReferent(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string) {
    requireRole(caller, ['admin']);
    await this.referents.deleteReferent(id);
  }
}
