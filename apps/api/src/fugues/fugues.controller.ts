import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Caller, FugueDeclarationService, FugueReadingService, FugueTransitionService } from '@vigie/domain';
import { AuditIdentity } from '../http/audit.interceptor';
import { CurrentCaller } from '../http/auth.guard';
import { DEFAULT_LIMIT } from '../http/pagination.dto';
import { toDate, UuidPipe } from '../http/validators';
import { DeclareFugueDto, FugueListQuery, FugueUpdateDto, LocatedDto, OverrideDto, ReasonDto, ReturnDto } from './fugue.dto';
import { fugueSummary, fugueView, FugueView, timelineView } from './fugue.response';

@ApiTags('fugues')
@ApiBearerAuth()
@Controller('v1/fugues')
export class FuguesController {
  constructor(
    private readonly declaration: FugueDeclarationService,
    private readonly reading: FugueReadingService,
    private readonly transitions: FugueTransitionService,
  ) {}

  @Post()
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retry with the same key returns the first response' })
  @ApiCreatedResponse({ description: 'The episode, status missing; the triage runs asynchronously' })
  async declareFugue(@CurrentCaller() caller: Caller, @Body() dto: DeclareFugueDto) {
    const fugue = await this.declaration.declareFugue(caller, {
      ...dto,
      noticedMissingAt: toDate(dto.noticedMissingAt),
      lastSeenAt: toDate(dto.lastSeenAt),
    });
    return fugueSummary(fugue);
  }

  @Get()
  @ApiOkResponse({ description: "The caller's episodes, newest first" })
  async listFugues(@CurrentCaller() caller: Caller, @Query() q: FugueListQuery) {
    const { limit, cursor, since, ...filter } = q;
    const page = await this.reading.listFugues(caller, { ...filter, since: toDate(since) ?? undefined }, limit ?? DEFAULT_LIMIT, cursor ?? null);
    return { items: page.items.map(fugueSummary), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @AuditIdentity((body: FugueView) => ({ fugueId: body.id, youthId: body.youthId }))
  async getFugue(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string) {
    return fugueView(await this.reading.getFugue(caller, id));
  }

  @Get(':id/timeline')
  @AuditIdentity((_body: unknown, params: Record<string, string>) => ({ fugueId: params.id }))
  async timeline(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string) {
    return timelineView(await this.reading.timeline(caller, id));
  }

  @Post(':id/updates')
  @ApiCreatedResponse({ description: 'Appended to the timeline; the episode is triaged again' })
  async addUpdate(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string, @Body() dto: FugueUpdateDto) {
    const { fugue, updateId } = await this.transitions.addUpdate(caller, id, {
      ...dto,
      sighting: dto.sighting ? { at: toDate(dto.sighting.at), place: dto.sighting.place } : null,
    });
    return { updateId, fugue: fugueSummary(fugue) };
  }

  @Post(':id/override')
  @HttpCode(200)
  async overrideLevel(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string, @Body() dto: OverrideDto) {
    return fugueSummary(await this.transitions.overrideLevel(caller, id, dto));
  }

  @Delete(':id/override')
  @HttpCode(200)
  async withdrawOverride(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string) {
    return fugueSummary(await this.transitions.withdrawOverride(caller, id));
  }

  @Post(':id/located')
  @HttpCode(200)
  async markLocated(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string, @Body() dto: LocatedDto) {
    return fugueSummary(await this.transitions.markLocated(caller, id, { at: toDate(dto.at), place: dto.place }));
  }

  @Post(':id/return')
  @HttpCode(200)
  async declareReturn(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string, @Body() dto: ReturnDto) {
    return fugueSummary(await this.transitions.declareReturn(caller, id, { ...dto, returnedAt: toDate(dto.returnedAt) }));
  }

  @Post(':id/close')
  @HttpCode(200)
  async closeFugue(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string, @Body() dto: ReasonDto) {
    return fugueSummary(await this.transitions.closeFugue(caller, id, dto.reason));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  async cancelFugue(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string, @Body() dto: ReasonDto) {
    return fugueSummary(await this.transitions.cancelFugue(caller, id, dto.reason));
  }
}
