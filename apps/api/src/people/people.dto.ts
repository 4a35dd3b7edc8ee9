import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { RoleAndScopeDto } from '../admin/admin.dto';

export class CreatePersonDto extends RoleAndScopeDto {
  @ApiProperty({ maxLength: 200, example: 'Camille Exemple' })
  @IsString()
  @Length(1, 200)
  displayName: string;

  @ApiProperty({ format: 'email', maxLength: 320, description: 'Unique among active people, whatever the case' })
  @IsString()
  @MaxLength(320)
  @IsEmail({}, { message: 'email must be an e-mail address' })
  email: string;
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
