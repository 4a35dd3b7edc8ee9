import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { DEPARTED_WITH_VALUES, INDICATOR_CODES } from '@vigie/domain';
import { FUGUE_STATUSES, FugueStatusFilter } from '@vigie/persistence';
import { Matches } from 'class-validator';
import { DEPARTMENT_CODE } from '../admin/admin.dto';
import { PageQuery } from '../http/pagination.dto';
import { IsCodeList, IsTimestamp } from '../http/validators';
import { ConnectionsDto, ConnectionsField } from '../links/connections.dto';

const TEXT = 2000;

const FUGUE_STATUS_FILTERS = [...FUGUE_STATUSES, 'open'] as const;
export const FUGUE_LIST_INCLUDES = ['youth'] as const;

export class BelongingsDto {
  @ApiPropertyOptional() @IsOptional() @IsBoolean() phone?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() money?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() idDocument?: boolean;
}

export class StaffConcernDto {
  @ApiProperty({ description: 'Professional judgement: true always makes the episode worrying' })
  @IsBoolean()
  worrying: boolean;

  @ApiPropertyOptional({ maxLength: TEXT })
  @IsOptional()
  @IsString()
  @MaxLength(TEXT)
  note?: string;
}

export class PoliceReportDto {
  @ApiPropertyOptional({ maxLength: 200 }) @IsOptional() @IsString() @MaxLength(200) service?: string;
  @ApiPropertyOptional({ maxLength: 200 }) @IsOptional() @IsString() @MaxLength(200) reference?: string;
}

const indicatorsProperty = () =>
  ApiPropertyOptional({ type: [String], enum: INDICATOR_CODES, description: 'Episode indicator codes (GET /v1/vocabularies)' });

export class DeclareFugueDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  youthId: string;

  @ApiProperty({ format: 'date-time', description: 'At most 5 minutes in the future and 365 days in the past' })
  @IsTimestamp()
  noticedMissingAt: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Not after noticedMissingAt' })
  @IsOptional()
  @IsTimestamp()
  lastSeenAt?: string;

  @ApiPropertyOptional({ maxLength: TEXT }) @IsOptional() @IsString() @MaxLength(TEXT) lastSeenPlace?: string;
  @ApiPropertyOptional({ maxLength: TEXT }) @IsOptional() @IsString() @MaxLength(TEXT) clothing?: string;
  @ApiPropertyOptional({ maxLength: TEXT }) @IsOptional() @IsString() @MaxLength(TEXT) circumstances?: string;

  @ApiPropertyOptional({ enum: DEPARTED_WITH_VALUES })
  @IsOptional()
  @IsIn(DEPARTED_WITH_VALUES)
  departedWith?: string;

  @ApiPropertyOptional({ maxLength: 500 }) @IsOptional() @IsString() @MaxLength(500) vehicle?: string;

  @ApiPropertyOptional({ type: BelongingsDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => BelongingsDto)
  belongings?: BelongingsDto;

  @indicatorsProperty()
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

  @ApiPropertyOptional({ type: PoliceReportDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PoliceReportDto)
  policeReport?: PoliceReportDto;

  @ConnectionsField()
  connections?: ConnectionsDto;
}

export class SightingDto {
  @ApiProperty({ format: 'date-time' })
  @IsTimestamp()
  at: string;

  @ApiPropertyOptional({ maxLength: TEXT }) @IsOptional() @IsString() @MaxLength(TEXT) place?: string;
}

export class FugueUpdateDto {
  @indicatorsProperty()
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

  @ApiPropertyOptional({ maxLength: TEXT }) @IsOptional() @IsString() @MaxLength(TEXT) note?: string;

  @ApiPropertyOptional({ type: SightingDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => SightingDto)
  sighting?: SightingDto;

  @ConnectionsField()
  connections?: ConnectionsDto;
}

export class OverrideDto {
  @ApiProperty({ enum: ['routine', 'worrying'] })
  @IsIn(['routine', 'worrying'])
  level: 'routine' | 'worrying';

  @ApiProperty({ maxLength: TEXT })
  @IsString()
  @Length(1, TEXT)
  reason: string;
}

export class LocatedDto {
  @ApiProperty({ format: 'date-time' })
  @IsTimestamp()
  at: string;

  @ApiPropertyOptional({ maxLength: TEXT }) @IsOptional() @IsString() @MaxLength(TEXT) place?: string;
}

export class ConditionDto {
  @ApiPropertyOptional() @IsOptional() @IsBoolean() injured?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() intoxicated?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() needsMedicalCare?: boolean;
}

export const FOUND_BY = ['self', 'police', 'family', 'hotline', 'other'] as const;

export class ReturnDto {
  @ApiProperty({ format: 'date-time', description: 'Between noticedMissingAt and now' })
  @IsTimestamp()
  returnedAt: string;

  @ApiProperty({ enum: FOUND_BY })
  @IsIn(FOUND_BY)
  foundBy: (typeof FOUND_BY)[number];

  @ApiPropertyOptional({ maxLength: TEXT }) @IsOptional() @IsString() @MaxLength(TEXT) place?: string;

  @ApiPropertyOptional({ type: ConditionDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ConditionDto)
  condition?: ConditionDto;

  @ConnectionsField()
  connections?: ConnectionsDto;
}

export class ReasonDto {
  @ApiProperty({ maxLength: TEXT })
  @IsString()
  @Length(1, TEXT)
  reason: string;
}

export class FugueListQuery extends PageQuery {
  @ApiPropertyOptional({ example: '75' })
  @IsOptional()
  @Matches(DEPARTMENT_CODE, { message: 'departmentCode must be an INSEE département code' })
  departmentCode?: string;

  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() foyerId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "One youth's episodes" }) @IsOptional() @IsUUID() youthId?: string;

  @ApiPropertyOptional({ enum: FUGUE_STATUS_FILTERS, description: '`open`: missing or located' })
  @IsOptional()
  @IsIn(FUGUE_STATUS_FILTERS)
  status?: FugueStatusFilter;

  @ApiPropertyOptional({ enum: FUGUE_LIST_INCLUDES, description: "`youth`: each item also carries the youth's first name, last-name initial and age (audited: one entry per episode shown)" })
  @IsOptional()
  @IsIn(FUGUE_LIST_INCLUDES)
  include?: (typeof FUGUE_LIST_INCLUDES)[number];

  @ApiPropertyOptional({ enum: ['routine', 'worrying'], description: 'Filters on effectiveLevel' })
  @IsOptional()
  @IsIn(['routine', 'worrying'])
  level?: 'routine' | 'worrying';

  @ApiPropertyOptional({ format: 'date-time', description: 'Episodes noticed at or after this time' })
  @IsOptional()
  @IsTimestamp()
  since?: string;
}
