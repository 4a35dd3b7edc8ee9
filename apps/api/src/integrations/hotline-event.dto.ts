import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsObject, IsOptional, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import { HOTLINE_CALLERS, HOTLINE_EVENT_TYPES, HotlineCaller, HotlineEvent, HotlineEventType, HotlineReport, INDICATOR_CODES } from '@vigie/domain';
import { IsCodeList, IsTimestamp, toDate } from '../http/validators';
import { ConnectionsDto, ConnectionsField, toConnections } from '../links/connections.dto';

export class HotlineSightingDto {
  @ApiProperty({ format: 'date-time' })
  @IsTimestamp()
  at: string;

  @ApiPropertyOptional({ maxLength: 500, description: 'Free text: encrypted at rest, never logged or sent on' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  place?: string;
}

export class CallReceivedDataDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  fugueId: string;

  @ApiProperty({ format: 'date-time' })
  @IsTimestamp()
  receivedAt: string;

  @ApiProperty({ enum: HOTLINE_CALLERS })
  @IsIn(HOTLINE_CALLERS)
  caller: HotlineCaller;

  @ApiPropertyOptional({ type: HotlineSightingDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => HotlineSightingDto)
  sighting?: HotlineSightingDto;

  @ApiPropertyOptional({ type: [String], enum: INDICATOR_CODES, description: 'Indicator codes (GET /v1/vocabularies); they join the episode with source hotline' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(INDICATOR_CODES.length)
  @IsCodeList(INDICATOR_CODES)
  indicators?: string[];

  @ApiPropertyOptional({ maxLength: 4000, description: 'Free text: encrypted at rest, never logged or sent on' })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  summary?: string;

  @ConnectionsField()
  connections?: ConnectionsDto;
}

export class ChildLocatedDataDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  fugueId: string;

  @ApiProperty({ format: 'date-time' })
  @IsTimestamp()
  at: string;

  @ApiPropertyOptional({ maxLength: 500, description: 'Free text: encrypted at rest, never logged or sent on' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  place?: string;
}

/** An event from the 116 000 (integrations.md § Inbound events); `data` follows `type`. */
@ApiExtraModels(CallReceivedDataDto, ChildLocatedDataDto)
export class HotlineEventDto {
  @ApiProperty({ enum: HOTLINE_EVENT_TYPES })
  @IsIn(HOTLINE_EVENT_TYPES)
  type: HotlineEventType;

  @ApiProperty({ format: 'date-time' })
  @IsTimestamp()
  timestamp: string;

  @ApiProperty({ oneOf: [{ $ref: getSchemaPath(CallReceivedDataDto) }, { $ref: getSchemaPath(ChildLocatedDataDto) }] })
  @IsObject()
  @ValidateNested()
  @Type((options) => ((options?.object as { type?: unknown } | undefined)?.type === 'hotline.child_located' ? ChildLocatedDataDto : CallReceivedDataDto))
  data: CallReceivedDataDto | ChildLocatedDataDto;
}

export function toHotlineEvent(dto: HotlineEventDto): HotlineEvent {
  if (dto.type === 'hotline.child_located') {
    const data = dto.data as ChildLocatedDataDto;
    return { type: dto.type, data: { fugueId: data.fugueId, at: toDate(data.at), place: data.place } };
  }
  const data = dto.data as CallReceivedDataDto;
  return {
    type: dto.type,
    data: {
      fugueId: data.fugueId,
      receivedAt: toDate(data.receivedAt),
      caller: data.caller,
      sighting: data.sighting ? { at: toDate(data.sighting.at), place: data.sighting.place } : undefined,
      indicators: data.indicators ?? [],
      summary: data.summary,
      connections: toConnections(data.connections),
    },
  };
}

/** A call's facts, the episode in the path. */
export class HotlineCallReportDataDto extends OmitType(CallReceivedDataDto, ['fugueId'] as const) {}

/** The child located, the episode in the path. */
export class HotlineLocatedReportDataDto extends OmitType(ChildLocatedDataDto, ['fugueId'] as const) {}

/**
 * A hotline person's or key's report on one episode (POST /v1/fugues/{id}/hotline-reports): the
 * `type` and `data` of an inbound event (integrations.md § Inbound events), without `fugueId`.
 */
@ApiExtraModels(HotlineCallReportDataDto, HotlineLocatedReportDataDto)
export class HotlineReportDto {
  @ApiProperty({ enum: HOTLINE_EVENT_TYPES })
  @IsIn(HOTLINE_EVENT_TYPES)
  type: HotlineEventType;

  @ApiProperty({ oneOf: [{ $ref: getSchemaPath(HotlineCallReportDataDto) }, { $ref: getSchemaPath(HotlineLocatedReportDataDto) }] })
  @IsObject()
  @ValidateNested()
  @Type((options) => ((options?.object as { type?: unknown } | undefined)?.type === 'hotline.child_located' ? HotlineLocatedReportDataDto : HotlineCallReportDataDto))
  data: HotlineCallReportDataDto | HotlineLocatedReportDataDto;
}

export function toHotlineReport(dto: HotlineReportDto): HotlineReport {
  if (dto.type === 'hotline.child_located') {
    const data = dto.data as HotlineLocatedReportDataDto;
    return { type: dto.type, data: { at: toDate(data.at), place: data.place } };
  }
  const data = dto.data as HotlineCallReportDataDto;
  return {
    type: dto.type,
    data: {
      receivedAt: toDate(data.receivedAt),
      caller: data.caller,
      sighting: data.sighting ? { at: toDate(data.sighting.at), place: data.sighting.place } : undefined,
      indicators: data.indicators ?? [],
      summary: data.summary,
      connections: toConnections(data.connections),
    },
  };
}
