import { toConnections } from '../links/connections.dto';
import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Caller, ReturnInterviewService } from '@vigie/domain';
import { ApiConflict, ApiErrorResponses } from '../http/api-docs';
import { AuditIdentity } from '../http/audit.interceptor';
import { CurrentCaller } from '../http/auth.guard';
import { DEFAULT_LIMIT } from '../http/pagination.dto';
import { toDate, UuidPipe } from '../http/validators';
import { InterviewListQuery, RecordInterviewDto } from './return-interview.dto';
import { InterviewPageResponse, InterviewResponse, interviewSummary, interviewView, InterviewView } from './return-interview.response';

const audited = (body: InterviewView) => ({ fugueId: body.fugueId, youthId: body.youthId });

@ApiTags('return interviews')
@ApiBearerAuth()
@ApiErrorResponses()
@Controller('v1/return-interviews')
export class ReturnInterviewsController {
  constructor(private readonly interviews: ReturnInterviewService) {}

  @Get()
  @ApiOkResponse({ type: InterviewPageResponse, description: "The caller's interviews (foyer, child_protection, admin), latest due first, without answers" })
  async listInterviews(@CurrentCaller() caller: Caller, @Query() q: InterviewListQuery) {
    const { limit, cursor, overdue, ...filter } = q;
    const page = await this.interviews.listInterviews(caller, { ...filter, overdue: overdue === undefined ? undefined : overdue === 'true' }, limit ?? DEFAULT_LIMIT, cursor ?? null);
    return { items: page.items.map(interviewSummary), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOkResponse({ type: InterviewResponse, description: 'The interview with its answers (audited)' })
  @AuditIdentity(audited)
  async getInterview(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string) {
    return interviewView(await this.interviews.getInterview(caller, id));
  }

  @Put(':id')
  @ApiOkResponse({ type: InterviewResponse, description: 'Records the outcome (foyer, child_protection), once' })
  @ApiConflict('INVALID_TRANSITION: the interview is already recorded')
  @AuditIdentity(audited)
  async recordInterview(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string, @Body() dto: RecordInterviewDto) {
    return interviewView(await this.interviews.recordInterview(caller, id, { ...dto, conductedAt: toDate(dto.conductedAt), connections: toConnections(dto.connections) }));
  }
}
