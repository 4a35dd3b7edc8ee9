import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Caller, HOTLINE_EVENT_TYPES, HotlineInboundService } from '@vigie/domain';
import { FugueSummaryResponse, fugueSummary } from '../fugues/fugue.response';
import { ApiConflict, ApiErrorResponses, ApiIdempotencyKey } from '../http/api-docs';
import { CurrentCaller } from '../http/auth.guard';
import { CreatedAt } from '../http/location.interceptor';
import { UuidPipe } from '../http/validators';
import { HotlineReportDto, toHotlineReport } from './hotline-event.dto';

export class HotlineReportCreatedResponse {
  @ApiProperty({ enum: HOTLINE_EVENT_TYPES }) type: string;
  @ApiProperty({ type: FugueSummaryResponse, description: 'The episode after the report (its triage runs again asynchronously)' }) fugue: FugueSummaryResponse;
}

/**
 * What a hotline person (console session) or key (bearer) reports about one episode: the facts of
 * a signed inbound event, through the same domain code, role and scope rules (docs/decisions.md §
 * Console — referents act from the episode).
 */
@ApiTags('integrations')
@ApiBearerAuth()
@ApiErrorResponses()
@Controller('v1/fugues')
export class HotlineReportsController {
  constructor(private readonly inbound: HotlineInboundService) {}

  @Post(':id/hotline-reports')
  @CreatedAt((_body: unknown, params: Record<string, string>) => `/v1/fugues/${params.id}/timeline`)
  @ApiIdempotencyKey()
  @ApiCreatedResponse({
    type: HotlineReportCreatedResponse,
    description:
      'hotline role only. A call: appended to the timeline, its indicators join the episode with source hotline, the episode is triaged again. The child located: missing → located (an episode already located, returned or closed is left as it is)',
  })
  @ApiConflict('INVALID_TRANSITION: the episode is closed or cancelled (a call), or cancelled (the child located); or an Idempotency-Key conflict')
  async reportFromHotline(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string, @Body() dto: HotlineReportDto) {
    const fugue = await this.inbound.receiveReport(caller, id, toHotlineReport(dto));
    return { type: dto.type, fugue: fugueSummary(fugue) };
  }
}
