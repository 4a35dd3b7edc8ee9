import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsEmail, IsIn, IsObject, IsOptional, IsString, IsUrl, IsUUID, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { DomainError } from '@vigie/domain';
import { ALERT_STATES, AlertState, REFERENT_ROLES, ReferentChannel, ReferentRole } from '@vigie/persistence';
import { DEPARTMENT_CODE } from '../admin/admin.dto';
import { PageQuery } from '../http/pagination.dto';
import { IsOptionalNotNull } from '../http/validators';
import { NotifyRolesSchema, WorryingPolicySchema } from './escalation.schemas';

export class ChannelDto {
  @ApiProperty({ enum: ['email', 'sms', 'webhook'] })
  @IsIn(['email', 'sms', 'webhook'])
  type: 'email' | 'sms' | 'webhook';

  @ApiPropertyOptional({ description: 'For type email' })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  address?: string;

  @ApiPropertyOptional({ description: 'For type sms, international format', example: '+33612345678' })
  @IsOptional()
  @Matches(/^\+[1-9][0-9]{6,14}$/, { message: 'phone must be in international format, e.g. +33612345678' })
  phone?: string;

  @ApiPropertyOptional({ description: 'For type webhook: https, not a private address (see integrations.md § Web targets)' })
  @IsOptional()
  @IsUrl({ protocols: ['https', 'http'], require_protocol: true, require_tld: false })
  @MaxLength(2000)
  url?: string;
}

export class CreateReferentDto {
  @ApiProperty({ maxLength: 200 })
  @IsString()
  @Length(1, 200)
  displayName: string;

  @ApiProperty({ enum: REFERENT_ROLES })
  @IsIn(REFERENT_ROLES)
  role: ReferentRole;

  @ApiProperty({ example: '75' })
  @Matches(DEPARTMENT_CODE, { message: 'departmentCode must be an INSEE département code' })
  departmentCode: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Required for foyer_duty, refused otherwise' })
  @IsOptional()
  @IsUUID()
  foyerId?: string;

  @ApiProperty({ type: [ChannelDto], minItems: 1, maxItems: 3 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(3)
  @ValidateNested({ each: true })
  @Type(() => ChannelDto)
  channels: ChannelDto[];

  @ApiPropertyOptional({ format: 'uuid', description: 'The API client through which this referent acknowledges alerts' })
  @IsOptional()
  @IsUUID()
  apiClientId?: string;
}

export class UpdateReferentDto {
  @ApiPropertyOptional({ maxLength: 200 }) @IsOptionalNotNull() @IsString() @Length(1, 200) displayName?: string;

  @ApiPropertyOptional({ type: [ChannelDto], minItems: 1, maxItems: 3 })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(3)
  @ValidateNested({ each: true })
  @Type(() => ChannelDto)
  channels?: ChannelDto[];

  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() apiClientId?: string;
}

export class ReferentListQuery extends PageQuery {
  @ApiPropertyOptional({ example: '75' })
  @IsOptional()
  @Matches(DEPARTMENT_CODE, { message: 'departmentCode must be an INSEE département code' })
  departmentCode?: string;

  @ApiPropertyOptional({ enum: REFERENT_ROLES }) @IsOptional() @IsIn(REFERENT_ROLES) role?: ReferentRole;
}

export class AlertListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ALERT_STATES }) @IsOptional() @IsIn(ALERT_STATES) state?: AlertState;

  @ApiPropertyOptional({ example: '75' })
  @IsOptional()
  @Matches(DEPARTMENT_CODE, { message: 'departmentCode must be an INSEE département code' })
  departmentCode?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "One episode's alerts (at most one is not resolved)" }) @IsOptional() @IsUUID() fugueId?: string;
}

export class AcknowledgeDto {
  @ApiPropertyOptional({ maxLength: 2000 }) @IsOptional() @IsString() @MaxLength(2000) note?: string;
}

/** The escalation policy body (validated in the domain, where the rules of integrations.md live). */
export class EscalationPolicyDto {
  @ApiProperty({ type: WorryingPolicySchema })
  @IsObject()
  worrying: unknown;

  @ApiPropertyOptional({ type: NotifyRolesSchema }) @IsOptional() @IsObject() routine?: unknown;
  @ApiPropertyOptional({ type: NotifyRolesSchema }) @IsOptional() @IsObject() disclosure?: unknown;
  @ApiPropertyOptional({ type: NotifyRolesSchema }) @IsOptional() @IsObject() overdueInterview?: unknown;
}

/** One channel per entry, with exactly the field its type needs. */
export function toChannels(channels: ChannelDto[]): ReferentChannel[] {
  return channels.map((c, i) => {
    const given = (['address', 'phone', 'url'] as const).filter((k) => c[k] !== undefined);
    const needed = c.type === 'email' ? 'address' : c.type === 'sms' ? 'phone' : 'url';
    if (given.length !== 1 || given[0] !== needed) throw DomainError.invalid(`channels.${i}`, `a ${c.type} channel has exactly the field ${needed}`);
    switch (c.type) {
      case 'email':
        return { type: 'email', address: c.address as string };
      case 'sms':
        return { type: 'sms', phone: c.phone as string };
      case 'webhook':
        return { type: 'webhook', url: c.url as string };
    }
  });
}
