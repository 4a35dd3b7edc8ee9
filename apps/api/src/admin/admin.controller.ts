import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiClientService, Caller, FoyerService, requireRole } from '@vigie/domain';
import { ApiClientEntity, AuditRepository, FoyerEntity } from '@vigie/persistence';
import { ApiConflict, ApiErrorResponses, ApiIdempotencyKey } from '../http/api-docs';
import { CurrentCaller } from '../http/auth.guard';
import { CreatedAt } from '../http/location.interceptor';
import { DEFAULT_LIMIT, PageQuery } from '../http/pagination.dto';
import { UuidPipe } from '../http/validators';
import { AuditQuery, CreateApiClientDto, CreateFoyerDto, UpdateFoyerDto } from './admin.dto';
import {
  ApiClientPageResponse,
  AuditPageResponse,
  CreatedApiClientResponse,
  FoyerPageResponse,
  FoyerResponse,
  RotatedInboundSecretResponse,
} from './admin.response';

export const foyerView = (f: FoyerEntity) => ({
  id: f.id,
  name: f.name,
  departmentCode: f.departmentCode,
  kind: f.kind,
  phone: f.phone ?? null,
  address: f.address ?? null,
  createdAt: f.createdAt,
  closedAt: f.closedAt ?? null,
});

const clientView = (c: ApiClientEntity) => ({
  id: c.id,
  name: c.name,
  role: c.role,
  foyerIds: c.foyerIds,
  departmentCodes: c.departmentCodes,
  keyPrefix: c.keyPrefix,
  createdAt: c.createdAt,
  revokedAt: c.revokedAt,
});

@ApiTags('administration')
@ApiBearerAuth()
@ApiErrorResponses()
@Controller('v1')
export class AdminController {
  constructor(
    private readonly foyers: FoyerService,
    private readonly clients: ApiClientService,
    private readonly audit: AuditRepository,
  ) {}

  @Post('foyers')
  @CreatedAt((body: { id: string }) => `/v1/foyers/${body.id}`)
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: FoyerResponse, description: 'The foyer' })
  async createFoyer(@CurrentCaller() caller: Caller, @Body() dto: CreateFoyerDto) {
    requireRole(caller, ['admin']);
    return foyerView(await this.foyers.createFoyer(dto));
  }

  @Get('foyers')
  @ApiOkResponse({ type: FoyerPageResponse, description: "The foyers in the caller's scope" })
  async listFoyers(@CurrentCaller() caller: Caller, @Query() q: PageQuery) {
    const page = await this.foyers.listFoyers(caller, q.limit ?? DEFAULT_LIMIT, q.cursor ?? null);
    return { items: page.items.map(foyerView), nextCursor: page.nextCursor };
  }

  @Get('foyers/:id')
  @ApiOkResponse({ type: FoyerResponse })
  async getFoyer(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string) {
    return foyerView(await this.foyers.getFoyer(caller, id));
  }

  @Patch('foyers/:id')
  @ApiOkResponse({ type: FoyerResponse })
  @ApiConflict('INVALID_TRANSITION: the foyer is closed')
  async updateFoyer(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string, @Body() dto: UpdateFoyerDto) {
    return foyerView(await this.foyers.updateFoyer(caller, id, dto));
  }

  @Post('foyers/:id/close')
  @HttpCode(200)
  @ApiOkResponse({ type: FoyerResponse, description: 'The closed foyer: it takes no new youth; its history stays' })
  @ApiConflict('CONFLICT: an episode of the foyer is still open (missing or located); INVALID_TRANSITION: already closed')
  async closeFoyer(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string) {
    return foyerView(await this.foyers.closeFoyer(caller, id));
  }

  @Post('api-clients')
  @CreatedAt((body: { id: string }) => `/v1/api-clients/${body.id}`)
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: CreatedApiClientResponse, description: 'The client with its key, shown once (and inboundWebhookSecret for a hotline client)' })
  async createApiClient(@CurrentCaller() caller: Caller, @Body() dto: CreateApiClientDto) {
    requireRole(caller, ['admin']);
    const { client, key, inboundWebhookSecret } = await this.clients.createClient(dto);
    return { ...clientView(client), key, ...(inboundWebhookSecret ? { inboundWebhookSecret } : {}) };
  }

  @Get('api-clients')
  @ApiOkResponse({ type: ApiClientPageResponse })
  async listApiClients(@CurrentCaller() caller: Caller, @Query() q: PageQuery) {
    requireRole(caller, ['admin']);
    const page = await this.clients.listClients(q.limit ?? DEFAULT_LIMIT, q.cursor ?? null);
    return { items: page.items.map(clientView), nextCursor: page.nextCursor };
  }

  @Delete('api-clients/:id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Revoked: the key stops working at once' })
  async revokeApiClient(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string) {
    requireRole(caller, ['admin']);
    await this.clients.revokeClient(id);
  }

  @Post('api-clients/:id/rotate-inbound-secret')
  @HttpCode(200)
  @ApiConflict('The client is not a hotline client, so it has no inbound secret')
  @ApiOkResponse({
    type: RotatedInboundSecretResponse,
    description: 'Hotline clients: a new inbound secret, shown this once only. For 24 h events signed with either the new or the previous secret are accepted.',
  })
  async rotateInboundSecret(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string) {
    requireRole(caller, ['admin']);
    const { client, inboundWebhookSecret } = await this.clients.rotateInboundSecret(id);
    return { ...clientView(client), inboundWebhookSecret, previousSecretExpiresAt: client.previousInboundWebhookSecretExpiresAt };
  }

  @Get('audit')
  @ApiOkResponse({ type: AuditPageResponse, description: 'Audit entries, newest first' })
  async listAudit(@CurrentCaller() caller: Caller, @Query() q: AuditQuery) {
    requireRole(caller, ['admin']);
    return this.audit.list({ youthId: q.youthId, fugueId: q.fugueId, clientId: q.clientId, personId: q.personId }, q.limit ?? DEFAULT_LIMIT, q.cursor ?? null);
  }
}
