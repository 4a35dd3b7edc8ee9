import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Caller, LinkReadingService, YouthService } from '@vigie/domain';
import { historyView, YouthHistoryResponse } from '../links/links.response';
import { ApiConflict, ApiErrorResponses, ApiIdempotencyKey } from '../http/api-docs';
import { AuditIdentity } from '../http/audit.interceptor';
import { CurrentCaller } from '../http/auth.guard';
import { CreatedAt } from '../http/location.interceptor';
import { UuidPipe } from '../http/validators';
import { DEFAULT_LIMIT } from '../http/pagination.dto';
import { CreateYouthDto, UpdateYouthDto, YouthListQuery } from './youth.dto';
import { youthListItemView, YouthPageResponse, youthView, YouthResponse, YouthView } from './youth.response';

const auditYouth = (body: YouthView) => ({ youthId: body.id });

@ApiTags('youths')
@ApiBearerAuth()
@ApiErrorResponses()
@Controller('v1/youths')
export class YouthsController {
  constructor(
    private readonly youths: YouthService,
    private readonly links: LinkReadingService,
  ) {}

  @Post()
  @CreatedAt((body: { id: string }) => `/v1/youths/${body.id}`)
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: YouthResponse, description: 'The profile (audited: it carries identity)' })
  @AuditIdentity(auditYouth)
  async registerYouth(@CurrentCaller() caller: Caller, @Body() dto: CreateYouthDto) {
    return youthView(await this.youths.registerYouth(caller, dto));
  }

  @Get()
  @ApiOkResponse({ type: YouthPageResponse, description: 'The youths in scope, newest first, with identity (audited: one entry per youth shown)' })
  @AuditIdentity((body: { items: YouthView[] }) => body.items.map(auditYouth))
  async listYouths(@CurrentCaller() caller: Caller, @Query() q: YouthListQuery) {
    const { limit, cursor, ...filter } = q;
    const page = await this.youths.listYouths(caller, filter, limit ?? DEFAULT_LIMIT, cursor ?? null);
    return { items: page.items.map(youthListItemView), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOkResponse({ type: YouthResponse, description: 'The profile (audited: it carries identity)' })
  @AuditIdentity(auditYouth)
  async getYouth(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string) {
    return youthView(await this.youths.getYouth(caller, id));
  }

  @Get(':id/history')
  @ApiOkResponse({ type: YouthHistoryResponse, description: "The youth's episodes the caller may see, oldest first, with their links (audited like the profile)" })
  @AuditIdentity((body: YouthHistoryResponse) => [{ youthId: body.youthId }, ...body.items.map((e) => ({ youthId: body.youthId, fugueId: e.fugueId }))])
  async youthHistory(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string) {
    return historyView(await this.links.history(caller, id));
  }

  @Patch(':id')
  @ApiConflict('The personal data of this youth has been erased (INVALID_TRANSITION)')
  @ApiOkResponse({ type: YouthResponse, description: 'The changed profile; an open episode is triaged again' })
  @AuditIdentity(auditYouth)
  async updateYouth(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string, @Body() dto: UpdateYouthDto) {
    return youthView(await this.youths.updateYouth(caller, id, dto));
  }
}
