import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { DEPARTMENT_CODE } from '../admin/admin.dto';
import { IsTimestamp } from '../http/validators';

export class StatsQueryDto {
  @ApiPropertyOptional({ example: '75', description: "One of the caller's départements; all of them when absent" })
  @IsOptional()
  @Matches(DEPARTMENT_CODE, { message: 'departmentCode must be an INSEE département code' })
  departmentCode?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Start of the period (included); a year before `to` by default' })
  @IsOptional()
  @IsTimestamp()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'End of the period (excluded); now by default' })
  @IsOptional()
  @IsTimestamp()
  to?: string;
}
