import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Caller, StatsService } from '@vigie/domain';
import { ApiErrorResponses } from '../http/api-docs';
import { CurrentCaller } from '../http/auth.guard';
import { toDate } from '../http/validators';
import { StatsQueryDto } from './stats.dto';
import { StatsResponse, statsView } from './stats.response';

@ApiTags('statistics')
@ApiBearerAuth()
@ApiErrorResponses()
@Controller('v1/stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get()
  @ApiOkResponse({ type: StatsResponse, description: "child_protection (its départements) and admin: the figures of a period, without identity" })
  async departmentStats(@CurrentCaller() caller: Caller, @Query() q: StatsQueryDto) {
    return statsView(await this.stats.departmentStats(caller, { departmentCode: q.departmentCode, from: toDate(q.from), to: toDate(q.to) }));
  }
}
