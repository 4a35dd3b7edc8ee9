import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Caller, FugueDeclarationService, FugueReadingService, FugueTransitionService, LinkReadingService } from '@vigie/domain';
import { LinkListResponse, linkItems } from '../links/links.response';
import { ApiConflict, ApiErrorResponses, ApiIdempotencyKey } from '../http/api-docs';
import { AuditIdentity } from '../http/audit.interceptor';
import { CurrentCaller } from '../http/auth.guard';
import { CreatedAt } from '../http/location.interceptor';
import { DEFAULT_LIMIT } from '../http/pagination.dto';
import { toDate, UuidPipe } from '../http/validators';
import { toConnections } from '../links/connections.dto';
import { DeclareFugueDto, FugueListQuery, FugueUpdateDto, LocatedDto, OverrideDto, ReasonDto, ReturnDto } from './fugue.dto';
import {
  FuguePageResponse,
  FugueResponse,
  fugueListItemView,
  FugueListItemView,
  fugueSummary,
  FugueSummaryResponse,
  FugueUpdateCreatedResponse,
  fugueView,
  FugueView,
  TimelineResponse,
  timelineView,
} from './fugue.response';

@ApiTags('fugues')
@ApiBearerAuth()
@ApiErrorResponses()
@Controller('v1/fugues')
export class FuguesController {
  constructor(
    private readonly declaration: FugueDeclarationService,
    private readonly reading: FugueReadingService,
    private readonly transitions: FugueTransitionService,
    private readonly links: LinkReadingService,
  ) {}

  @Post()
  @CreatedAt((body: { id: string }) => `/v1/fugues/${body.id}`)
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: FugueSummaryResponse, description: 'The episode, status missing; the triage runs asynchronously' })
  @ApiConflict('FUGUE_ALREADY_OPEN: the youth already has an episode in missing or located status')
  async declareFugue(@CurrentCaller() caller: Caller, @Body() dto: DeclareFugueDto) {
    const fugue = await this.declaration.declareFugue(caller, {
      ...dto,
      noticedMissingAt: toDate(dto.noticedMissingAt),
      lastSeenAt: toDate(dto.lastSeenAt),
      connections: toConnections(dto.connections),
    });
    return fugueSummary(fugue);
  }

  @Get()
  @ApiOkResponse({
    type: FuguePageResponse,
    description: "The caller's episodes, newest first, each with its foyer's name and alert state; without identity unless include=youth (then audited: one entry per episode shown)",
  })
  @AuditIdentity((body: { items: FugueListItemView[] }) => body.items.filter((i) => i.youth).map((i) => ({ fugueId: i.id, youthId: i.youthId })))
  async listFugues(@CurrentCaller() caller: Caller, @Query() q: FugueListQuery) {
    const { limit, cursor, since, include, ...filter } = q;
    const page = await this.reading.listFugueItems(caller, { ...filter, since: toDate(since) ?? undefined }, limit ?? DEFAULT_LIMIT, cursor ?? null, {
      withYouth: include === 'youth',
    });
    return { items: page.items.map(fugueListItemView), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOkResponse({ type: FugueResponse, description: "The episode with the youth's identity (audited)" })
  @AuditIdentity((body: FugueView) => ({ fugueId: body.id, youthId: body.youthId }))
  async getFugue(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string) {
    return fugueView(await this.reading.getFugue(caller, id));
  }

  @Get(':id/timeline')
  @ApiOkResponse({ type: TimelineResponse, description: 'Every event of the episode, oldest first (audited)' })
  @AuditIdentity((_body: unknown, params: Record<string, string>) => ({ fugueId: params.id }))
  async timeline(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string) {
    return timelineView(await this.reading.timeline(caller, id), caller);
  }

  @Get(':id/links')
  @ApiOkResponse({ type: LinkListResponse, description: "Links to other episodes; another episode's id and level only when the caller may see it (audited)" })
  @AuditIdentity((_body: unknown, params: Record<string, string>) => ({ fugueId: params.id }))
  async listLinks(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string) {
    return linkItems(await this.links.linksOf(caller, id));
  }

  @Post(':id/updates')
  @CreatedAt((_body: unknown, params: Record<string, string>) => `/v1/fugues/${params.id}/timeline`)
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: FugueUpdateCreatedResponse, description: 'Appended to the timeline; the episode is triaged again' })
  @ApiConflict('INVALID_TRANSITION: the episode is no longer open')
  async addUpdate(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string, @Body() dto: FugueUpdateDto) {
    const { fugue, updateId } = await this.transitions.addUpdate(caller, id, {
      ...dto,
      sighting: dto.sighting ? { at: toDate(dto.sighting.at), place: dto.sighting.place } : null,
      connections: toConnections(dto.connections),
    });
    return { updateId, fugue: fugueSummary(fugue) };
  }

  @Post(':id/override')
  @HttpCode(200)
  @ApiOkResponse({ type: FugueSummaryResponse, description: 'police and child_protection; lowering a critical trigger needs child_protection' })
  @ApiConflict('INVALID_TRANSITION: the episode is closed or cancelled')
  async overrideLevel(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string, @Body() dto: OverrideDto) {
    return fugueSummary(await this.transitions.overrideLevel(caller, id, dto));
  }

  @Delete(':id/override')
  @HttpCode(200)
  @ApiOkResponse({ type: FugueSummaryResponse, description: 'Withdraws the override: the computed classification applies again' })
  @ApiConflict('INVALID_TRANSITION: the episode has no override')
  async withdrawOverride(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string) {
    return fugueSummary(await this.transitions.withdrawOverride(caller, id));
  }

  @Post(':id/located')
  @HttpCode(200)
  @ApiOkResponse({ type: FugueSummaryResponse, description: 'missing → located; the episode is triaged again' })
  @ApiConflict('INVALID_TRANSITION: the episode is not missing')
  async markLocated(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string, @Body() dto: LocatedDto) {
    return fugueSummary(await this.transitions.markLocated(caller, id, { at: toDate(dto.at), place: dto.place }));
  }

  @Post(':id/return')
  @HttpCode(200)
  @ApiOkResponse({ type: FugueSummaryResponse, description: 'missing or located → returned; the episode is triaged again' })
  @ApiConflict('INVALID_TRANSITION: the episode is not missing or located')
  async declareReturn(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string, @Body() dto: ReturnDto) {
    return fugueSummary(await this.transitions.declareReturn(caller, id, { ...dto, returnedAt: toDate(dto.returnedAt), connections: toConnections(dto.connections) }));
  }

  @Post(':id/close')
  @HttpCode(200)
  @ApiOkResponse({ type: FugueSummaryResponse, description: 'returned → closed' })
  @ApiConflict('INVALID_TRANSITION: the episode is not returned')
  async closeFugue(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string, @Body() dto: ReasonDto) {
    return fugueSummary(await this.transitions.closeFugue(caller, id, dto.reason));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOkResponse({ type: FugueSummaryResponse, description: 'missing → cancelled (declared by mistake)' })
  @ApiConflict('INVALID_TRANSITION: the episode is not missing')
  async cancelFugue(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string, @Body() dto: ReasonDto) {
    return fugueSummary(await this.transitions.cancelFugue(caller, id, dto.reason));
  }
}
