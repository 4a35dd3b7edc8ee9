import { ApiProperty } from '@nestjs/swagger';
import { PLACE_KINDS } from '@vigie/domain';

export class CompanionResponse {
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: "null when the youth named is outside the caller's scope" }) youthId: string | null;
  @ApiProperty({ description: "A youth of Vigie was named who is outside the caller's scope" }) outsideScope: boolean;
  @ApiProperty({ type: String, nullable: true }) alias: string | null;
  @ApiProperty({ type: Number, nullable: true }) approximateAge: number | null;
}

export class VehicleResponse {
  @ApiProperty({ type: String, nullable: true, example: 'AB123CD', description: 'Normalised: upper case, no spaces or dashes' }) plate: string | null;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
}

export class PlaceResponse {
  @ApiProperty({ enum: PLACE_KINDS }) kind: string;
  @ApiProperty({ type: String, nullable: true, example: '75056' }) communeCode: string | null;
  @ApiProperty({ type: String, nullable: true }) address: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) at: string | null;
}

/** The structured facts of an episode (spec/links.md), to those who may read its identity. */
export class ConnectionsResponse {
  @ApiProperty({ type: [CompanionResponse] }) companions: CompanionResponse[];
  @ApiProperty({ type: [VehicleResponse] }) vehicles: VehicleResponse[];
  @ApiProperty({ type: [PlaceResponse] }) places: PlaceResponse[];
}
