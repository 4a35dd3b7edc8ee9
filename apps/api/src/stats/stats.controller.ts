import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Response } from 'express';
import { Caller, LocalDate, StatsService } from '@vigie/domain';
import { ApiErrorResponses } from '../http/api-docs';
import { CurrentCaller } from '../http/auth.guard';
import { isCalendarDate } from '../http/validators';
import { StatsQueryDto } from './stats.dto';
import { statsCsv, statsCsvFilename } from './stats.csv';
import { StatsResponse, statsView } from './stats.response';

const CSV_EXAMPLE = 'section,item,measure,value\r\nperiod,,departmentCodes,75\r\nepisodes,,total,8\r\nweeks,2025-W10,episodes,3\r\n';

@ApiTags('statistics')
@ApiBearerAuth()
@ApiErrorResponses()
@ApiExtraModels(StatsResponse)
@Controller('v1/stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get()
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({
    description:
      'child_protection (its départements), police (its départements: every count, without `disclosures`) and admin: the figures of a period, without identity. ' +
      'As `text/csv` (`format=csv`, or `Accept: text/csv` without `format`: the query parameter wins), the same numbers in one long table `section,item,measure,value`, with ' +
      '`Content-Disposition: attachment; filename="vigie-statistiques-{départements}-{from}-{to}.csv"`',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(StatsResponse) } },
      'text/csv': { schema: { type: 'string', example: CSV_EXAMPLE } },
    },
  })
  async departmentStats(@CurrentCaller() caller: Caller, @Query() q: StatsQueryDto, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) res: Response) {
    const stats = await this.stats.departmentStats(caller, { departmentCode: q.departmentCode, from: bound(q.from), to: bound(q.to) });
    if (q.format === 'csv' || (!q.format && wantsCsv(accept))) {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="${statsCsvFilename(stats)}"`);
      return statsCsv(stats);
    }
    return statsView(stats);
  }
}

function bound(value: string | undefined): Date | LocalDate | null {
  if (!value) return null;
  if (!isCalendarDate(value)) return new Date(value);
  const [year, month, day] = value.split('-').map(Number);
  return { year, month, day };
}

/** `Accept: text/csv` (alone or preferred over JSON by its order); browsers' `*\/*` keeps JSON. */
function wantsCsv(accept: string | undefined): boolean {
  const types = (accept ?? '').split(',').map((part) => part.split(';')[0].trim().toLowerCase());
  const csv = types.indexOf('text/csv');
  const json = types.indexOf('application/json');
  return csv >= 0 && (json < 0 || csv < json);
}
