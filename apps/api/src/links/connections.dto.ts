import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, Length, Matches, Max, Min, registerDecorator, ValidateIf, ValidateNested, ValidationOptions } from 'class-validator';
import {
  ALIAS_LENGTH,
  APPROXIMATE_AGE,
  communeDepartment,
  CONNECTION_TEXT_MAX,
  CONNECTIONS_MAX_ITEMS,
  ConnectionsInput,
  normalisePlate,
  PLACE_KINDS,
  PlaceKind,
} from '@vigie/domain';
import { IsTimestamp, toDate } from '../http/validators';

function custom(name: string, message: string, validate: (value: unknown) => boolean): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({ name, target: target.constructor, propertyName: propertyName as string, options: { message } as ValidationOptions, validator: { validate } });
}

/** A French plate (`AB-123-CD`, `1234 AB 75`) or a foreign one: letters and digits, 2 to 12 once spaces and dashes are removed. */
const IsPlate = () => custom('isPlate', 'must be a vehicle plate: letters and digits, groups separated by a space or a dash (e.g. AB-123-CD, 1234 AB 75)', (v) => typeof v === 'string' && normalisePlate(v) !== null);
const IsCommuneCode = () => custom('isCommuneCode', 'must be an INSEE commune code (e.g. 75056)', (v) => typeof v === 'string' && communeDepartment(v) !== null);

export class CompanionDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'A youth known to Vigie (any foyer); youthId or alias is required' })
  @ValidateIf((o: CompanionDto) => o.youthId !== undefined || o.alias === undefined)
  @IsUUID(undefined, { message: 'youthId must be a UUID (give youthId or alias)' })
  youthId?: string;

  @ApiPropertyOptional({ minLength: ALIAS_LENGTH.min, maxLength: ALIAS_LENGTH.max, description: 'A first name or nickname (encrypted at rest)' })
  @ValidateIf((o: CompanionDto) => o.alias !== undefined || o.youthId === undefined)
  @IsString({ message: 'alias must be a string (give youthId or alias)' })
  @Length(ALIAS_LENGTH.min, ALIAS_LENGTH.max)
  @Matches(/\S/, { message: 'alias must not be blank' })
  alias?: string;

  @ApiPropertyOptional({ minimum: APPROXIMATE_AGE.min, maximum: APPROXIMATE_AGE.max })
  @IsOptional()
  @IsInt()
  @Min(APPROXIMATE_AGE.min)
  @Max(APPROXIMATE_AGE.max)
  approximateAge?: number;
}

export class VehicleDto {
  @ApiPropertyOptional({ example: 'AB-123-CD', description: 'French (AB-123-CD, 1234 AB 75) or foreign; plate or description is required (encrypted at rest)' })
  @ValidateIf((o: VehicleDto) => o.plate !== undefined || o.description === undefined)
  @IsString({ message: 'plate must be a string (give plate or description)' })
  @IsPlate()
  plate?: string;

  @ApiPropertyOptional({ maxLength: CONNECTION_TEXT_MAX })
  @ValidateIf((o: VehicleDto) => o.description !== undefined || o.plate === undefined)
  @IsString({ message: 'description must be a string (give plate or description)' })
  @Length(1, CONNECTION_TEXT_MAX)
  description?: string;
}

export class PlaceDto {
  @ApiProperty({ enum: PLACE_KINDS, description: 'GET /v1/vocabularies (placeKinds)' })
  @IsIn(PLACE_KINDS)
  kind: PlaceKind;

  @ApiPropertyOptional({ example: '75056', description: 'INSEE commune code' })
  @IsOptional()
  @IsString()
  @IsCommuneCode()
  communeCode?: string;

  @ApiPropertyOptional({ maxLength: CONNECTION_TEXT_MAX, description: 'Encrypted at rest' })
  @IsOptional()
  @IsString()
  @Length(1, CONNECTION_TEXT_MAX)
  @Matches(/\S/, { message: 'address must not be blank' })
  address?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsTimestamp()
  at?: string;
}

/** Structured facts of an episode (spec/links.md): appended to the episode's, never replacing them. */
export class ConnectionsDto {
  @ApiPropertyOptional({ type: [CompanionDto], maxItems: CONNECTIONS_MAX_ITEMS })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(CONNECTIONS_MAX_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => CompanionDto)
  companions?: CompanionDto[];

  @ApiPropertyOptional({ type: [VehicleDto], maxItems: CONNECTIONS_MAX_ITEMS })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(CONNECTIONS_MAX_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => VehicleDto)
  vehicles?: VehicleDto[];

  @ApiPropertyOptional({ type: [PlaceDto], maxItems: CONNECTIONS_MAX_ITEMS })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(CONNECTIONS_MAX_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => PlaceDto)
  places?: PlaceDto[];
}

/** The decorators of a `connections` field, the same on every request that takes one. */
export function ConnectionsField(): PropertyDecorator {
  return (target, key) => {
    ApiPropertyOptional({ type: ConnectionsDto, description: 'Companions, vehicles and places (spec/links.md); appended to the episode' })(target, key);
    IsOptional()(target, key);
    IsObject()(target, key);
    ValidateNested()(target, key);
    Type(() => ConnectionsDto)(target, key);
  };
}

export function toConnections(dto: ConnectionsDto | undefined): ConnectionsInput | null {
  if (!dto) return null;
  return {
    companions: dto.companions?.map((c) => ({ youthId: c.youthId, alias: c.alias, approximateAge: c.approximateAge })),
    vehicles: dto.vehicles?.map((v) => ({ plate: v.plate, description: v.description })),
    places: dto.places?.map((p) => ({ kind: p.kind, communeCode: p.communeCode, address: p.address, at: toDate(p.at) ?? undefined })),
  };
}
