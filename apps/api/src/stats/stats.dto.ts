import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches, registerDecorator, ValidationOptions } from 'class-validator';
import { DEPARTMENT_CODE } from '../admin/admin.dto';
import { isCalendarDate, isTimestamp } from '../http/validators';

export const STATS_FORMATS = ['json', 'csv'] as const;

/** An instant with an offset, or a calendar date read as its local midnight in the answer's time zone. */
function IsPeriodBound(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isPeriodBound',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'must be an ISO 8601 date-time with an offset (2025-03-01T00:00:00Z) or a date that exists (2025-03-01)', ...options },
      validator: { validate: (value: unknown) => isTimestamp(value) || isCalendarDate(value) },
    });
}

export class StatsQueryDto {
  @ApiPropertyOptional({ example: '75', description: "One of the caller's départements; all of them when absent" })
  @IsOptional()
  @Matches(DEPARTMENT_CODE, { message: 'departmentCode must be an INSEE département code' })
  departmentCode?: string;

  @ApiPropertyOptional({
    example: '2025-03-01',
    description:
      "Start of the period (included): a date-time with an offset, or a date `YYYY-MM-DD` meaning that day's midnight in the answer's `timeZone` " +
      "(the département's, Europe/Paris for several); a year before `to` by default",
  })
  @IsOptional()
  @IsPeriodBound()
  from?: string;

  @ApiPropertyOptional({ example: '2025-04-01', description: 'End of the period (excluded), written as `from`; now by default' })
  @IsOptional()
  @IsPeriodBound()
  to?: string;

  @ApiPropertyOptional({
    enum: STATS_FORMATS,
    description: '`csv` answers `text/csv` (the same numbers, see the 200 response); without it, `Accept: text/csv` does the same. JSON by default',
  })
  @IsOptional()
  @IsIn(STATS_FORMATS, { message: 'format must be json or csv' })
  format?: (typeof STATS_FORMATS)[number];
}
