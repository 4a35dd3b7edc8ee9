import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsEmail, IsIn, IsOptional, IsString, IsUUID, Length, Matches, MaxLength } from 'class-validator';
import { ROLES, Role } from '@vigie/persistence';
import { DEPARTMENT_CODE } from '../admin/admin.dto';

export class CreatePersonDto {
  @ApiProperty({ maxLength: 200, example: 'Camille Exemple' })
  @IsString()
  @Length(1, 200)
  displayName: string;

  @ApiProperty({ format: 'email', maxLength: 320, description: 'Unique among active people, whatever the case' })
  @IsString()
  @MaxLength(320)
  @IsEmail({}, { message: 'email must be an e-mail address' })
  email: string;

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

/** Any of the fields; a new role without a new scope drops the old scope. */
export class UpdatePersonDto extends PartialType(CreatePersonDto, { skipNullProperties: false }) {}

export class EmailLinkRequestDto {
  @ApiProperty({ format: 'email', maxLength: 320 })
  @IsString()
  @MaxLength(320)
  @IsEmail({}, { message: 'email must be an e-mail address' })
  email: string;

  @ApiPropertyOptional({ maxLength: 500, example: '/episodes/4f1c…', description: 'Where to land after sign-in: a path of this site (anything else lands on /)' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  next?: string;
}
