import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { ROLES, Role, FoyerKind } from '@vigie/persistence';
import { PageQuery } from '../http/pagination.dto';
import { IsOptionalNotNull } from '../http/validators';

export const DEPARTMENT_CODE = /^(0[1-9]|[1-8]\d|9[0-5]|2A|2B|97[1-6])$/;

const FOYER_PHONE = /^\+?[0-9][0-9 .()-]{5,29}$/;
const FOYER_PHONE_MESSAGE = 'phone must be a phone number (digits, spaces, dots, dashes, an optional leading +)';

export class CreateFoyerDto {
  @ApiProperty({ maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ example: '75' })
  @IsString()
  @Matches(DEPARTMENT_CODE, { message: 'departmentCode must be an INSEE département code' })
  departmentCode: string;

  @ApiProperty({ enum: ['ase', 'pjj', 'other'] })
  @IsIn(['ase', 'pjj', 'other'])
  kind: FoyerKind;

  @ApiPropertyOptional({ example: '+33 1 23 45 67 89', description: "The foyer's phone, given to the people its alerts reach" })
  @IsOptional()
  @IsString()
  @Matches(FOYER_PHONE, { message: FOYER_PHONE_MESSAGE })
  phone?: string;

  @ApiPropertyOptional({ maxLength: 500, example: '12 rue des Essais, 75011 Paris', description: "The foyer's postal address" })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  address?: string;
}

/** What an administrator may change about an open foyer; null clears the phone or the address. */
export class UpdateFoyerDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptionalNotNull()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: '+33 1 23 45 67 89', description: 'null clears it' })
  @IsOptional()
  @IsString()
  @Matches(FOYER_PHONE, { message: FOYER_PHONE_MESSAGE })
  phone?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 500, description: 'null clears it' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  address?: string | null;
}

/** A role and its scope, as API clients and people both have them (the same rules apply). */
export class RoleAndScopeDto {
  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role: Role;

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'Required for role foyer' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsUUID('all', { each: true })
  foyerIds?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Required for police and child_protection; hotline: empty means all' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(101)
  @Matches(DEPARTMENT_CODE, { each: true, message: 'departmentCodes must contain INSEE département codes' })
  departmentCodes?: string[];
}

export class CreateApiClientDto extends RoleAndScopeDto {
  @ApiProperty({ maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name: string;
}

export class AuditQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  youthId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  fugueId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  clientId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Entries of this person (signed in with a session)' })
  @IsOptional()
  @IsUUID()
  personId?: string;
}
