import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { VULNERABILITY_CODES } from '@vigie/domain';
import { PageQuery } from '../http/pagination.dto';
import { IsCalendarDate, IsCodeList, IsOptionalNotNull } from '../http/validators';

export class MedicalDto {
  @ApiProperty({ description: 'A treatment whose interruption endangers life' })
  @IsBoolean()
  vitalTreatment: boolean;

  @ApiPropertyOptional({ maxLength: 2000, description: 'Encrypted at rest' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  details?: string;
}

export class CreateYouthDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  foyerId: string;

  @ApiProperty({ maxLength: 100 })
  @IsString()
  @Length(1, 100)
  firstName: string;

  @ApiProperty({ maxLength: 100 })
  @IsString()
  @Length(1, 100)
  lastName: string;

  @ApiProperty({ example: '2012-05-10', description: 'Age at creation must be 0 to 20' })
  @IsCalendarDate()
  birthDate: string;

  @ApiProperty({ enum: ['F', 'M', 'X'] })
  @IsIn(['F', 'M', 'X'])
  sex: 'F' | 'M' | 'X';

  @ApiPropertyOptional({ type: String, maxLength: 2000, nullable: true, description: 'null clears it' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @ApiPropertyOptional({ type: String, maxLength: 2000, nullable: true, description: 'null clears it' })
  @IsOptional()
  @IsUrl({ protocols: ['https', 'http'], require_protocol: true })
  @MaxLength(2000)
  photoUrl?: string | null;

  @ApiPropertyOptional({ type: String, example: '+33612345678', nullable: true, description: 'null clears it' })
  @IsOptional()
  @IsString()
  @Matches(/^\+?[0-9 .-]{6,20}$/, { message: 'phone must be a phone number' })
  phone?: string | null;

  @ApiPropertyOptional({ type: [String], maxItems: 20 })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  usualPlaces?: string[];

  @ApiPropertyOptional({ type: MedicalDto })
  @IsOptionalNotNull()
  @IsObject()
  @ValidateNested()
  @Type(() => MedicalDto)
  medical?: MedicalDto;

  @ApiPropertyOptional({ type: [String], enum: VULNERABILITY_CODES })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(VULNERABILITY_CODES.length)
  @IsCodeList(VULNERABILITY_CODES)
  vulnerabilities?: string[];

  @ApiPropertyOptional({ type: String, maxLength: 100, nullable: true, description: "The foyer's own reference; null clears it" })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  externalRef?: string | null;
}

/**
 * Every field optional; `null` is refused on the fields a profile cannot be without (those
 * required at creation, the lists and the medical block) and clears the optional texts
 * (description, photoUrl, phone, externalRef).
 */
export class UpdateYouthDto extends PartialType(CreateYouthDto, { skipNullProperties: false }) {}

export class YouthListQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only the youths of this foyer (which must be in scope)' })
  @IsOptional()
  @IsUUID()
  foyerId?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 100, description: 'Part of the first name, last name or external reference; case and accents ignored' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  q?: string;
}
