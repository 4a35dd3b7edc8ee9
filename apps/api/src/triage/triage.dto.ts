import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsObject, IsOptional, Matches, ValidateNested } from 'class-validator';
import { DEPARTED_WITH_VALUES, INDICATOR_CODES, VULNERABILITY_CODES } from '@vigie/domain';
import { DEPARTMENT_CODE } from '../admin/admin.dto';
import { BelongingsDto, StaffConcernDto } from '../fugues/fugue.dto';
import { MedicalDto } from '../youths/youth.dto';
import { IsCalendarDate, IsCodeList, IsTimestamp } from '../http/validators';

export class PreviewYouthDto {
  @ApiProperty({ example: '2012-05-10' })
  @IsCalendarDate()
  birthDate: string;

  @ApiPropertyOptional({ type: [String], enum: VULNERABILITY_CODES })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(VULNERABILITY_CODES.length)
  @IsCodeList(VULNERABILITY_CODES)
  vulnerabilities?: string[];

  @ApiPropertyOptional({ type: MedicalDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => MedicalDto)
  medical?: MedicalDto;
}

export class PreviewEpisodeDto {
  @ApiProperty({ format: 'date-time' }) @IsTimestamp() noticedMissingAt: string;
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsTimestamp() lastSeenAt?: string;

  @ApiPropertyOptional({ enum: DEPARTED_WITH_VALUES })
  @IsOptional()
  @IsIn(DEPARTED_WITH_VALUES)
  departedWith?: string;

  @ApiPropertyOptional({ type: BelongingsDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => BelongingsDto)
  belongings?: BelongingsDto;

  @ApiPropertyOptional({ type: [String], enum: INDICATOR_CODES })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(INDICATOR_CODES.length)
  @IsCodeList(INDICATOR_CODES)
  indicators?: string[];

  @ApiPropertyOptional({ type: StaffConcernDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => StaffConcernDto)
  staffConcern?: StaffConcernDto;
}

export class TriagePreviewDto {
  @ApiProperty({ type: PreviewYouthDto })
  @IsObject()
  @ValidateNested()
  @Type(() => PreviewYouthDto)
  youth: PreviewYouthDto;

  @ApiProperty({ example: '75' })
  @Matches(DEPARTMENT_CODE, { message: 'departmentCode must be an INSEE département code' })
  departmentCode: string;

  @ApiProperty({ type: PreviewEpisodeDto })
  @IsObject()
  @ValidateNested()
  @Type(() => PreviewEpisodeDto)
  episode: PreviewEpisodeDto;
}
