import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { ROLES, Role, FoyerKind } from '@vigie/persistence';
import { PageQuery } from '../http/pagination.dto';

export const DEPARTMENT_CODE = /^(0[1-9]|[1-8]\d|9[0-5]|2A|2B|97[1-6])$/;

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
  @Matches(/^\+?[0-9][0-9 .()-]{5,29}$/, { message: 'phone must be a phone number (digits, spaces, dots, dashes, an optional leading +)' })
  phone?: string;
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
