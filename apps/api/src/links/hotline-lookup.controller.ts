import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { Caller, Clock, DomainError, LinkReadingService } from '@vigie/domain';
import { DEPARTMENT_CODE } from '../admin/admin.dto';
import { ApiErrorResponses } from '../http/api-docs';
import { AuditIdentity } from '../http/audit.interceptor';
import { CurrentCaller } from '../http/auth.guard';
import { HotlineLookupResponse, lookupView } from './links.response';

/** What the hotline knows of the youth a caller tells of; at least one field. */
export class HotlineLookupDto {
  @ApiPropertyOptional({ maxLength: 100, description: 'Compared without accents or case' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  @Matches(/\S/, { message: 'firstName must not be blank' })
  firstName?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 25, description: 'Matches within 2 years' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(25)
  approximateAge?: number;

  @ApiPropertyOptional({ example: '75' })
  @IsOptional()
  @Matches(DEPARTMENT_CODE, { message: 'departmentCode must be an INSEE département code' })
  departmentCode?: string;

  @ApiPropertyOptional({ maxLength: 200, description: 'Words of the place the youth was last seen at (compared without accents or case)' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @Matches(/\S/, { message: 'place must not be blank' })
  place?: string;
}

@ApiTags('hotline')
@ApiBearerAuth()
@ApiErrorResponses()
@Controller('v1/hotline')
export class HotlineLookupController {
  constructor(
    private readonly links: LinkReadingService,
    private readonly clock: Clock,
  ) {}

  @Post('lookup')
  @HttpCode(200)
  @ApiOkResponse({ type: HotlineLookupResponse, description: 'Open episodes of the hotline’s scope whose youth matches, oldest first, at most 20: a first-name initial, never the full identity (audited)' })
  @AuditIdentity((body: HotlineLookupResponse) => (body.items.length > 0 ? body.items.map((m) => ({ fugueId: m.fugueId })) : [{}]))
  async lookup(@CurrentCaller() caller: Caller, @Body() dto: HotlineLookupDto) {
    if (dto.firstName === undefined && dto.approximateAge === undefined && dto.departmentCode === undefined && dto.place === undefined) {
      throw DomainError.invalid('firstName', 'give at least one of firstName, approximateAge, departmentCode, place');
    }
    return lookupView(await this.links.hotlineLookup(caller, dto, this.clock.now()));
  }
}
