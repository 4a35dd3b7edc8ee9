import { ApiProperty } from '@nestjs/swagger';
import { LINK_REASONS, PLACE_KINDS } from '@vigie/domain';
import type { HistoryEntry, HotlineMatch, LinkView } from '@vigie/domain';

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

/** One link of an episode: the other episode's id and level only when the caller may see it. */
export class LinkResponse {
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: "null when the other episode is outside the caller's scope" }) fugueId: string | null;
  @ApiProperty({ type: [String], enum: LINK_REASONS }) reasons: string[];
  @ApiProperty({ format: 'date-time', description: 'When the link was first found' }) foundAt: string;
  @ApiProperty({ description: 'Both episodes are of the same foyer' }) sameFoyer: boolean;
  @ApiProperty({ enum: ['routine', 'worrying'], nullable: true, description: "null when the other episode is outside the caller's scope" }) level: string | null;
  @ApiProperty({ description: 'The other episode was cancelled; the link is kept' }) cancelled: boolean;
}

export class LinkListResponse {
  @ApiProperty({ type: [LinkResponse] }) items: LinkResponse[];
}

export class HistoryEntryResponse {
  @ApiProperty({ format: 'uuid' }) fugueId: string;
  @ApiProperty() status: string;
  @ApiProperty({ format: 'date-time', description: 'noticedMissingAt' }) t0: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'returnedAt, else locatedAt, else the end of a closed or cancelled episode' }) end: string | null;
  @ApiProperty({ enum: ['routine', 'worrying'], nullable: true }) level: string | null;
  @ApiProperty({ example: '75' }) departmentCode: string;
  @ApiProperty({ type: String, nullable: true, description: 'Where the youth was found (free text)' }) foundAt: string | null;
  @ApiProperty({ type: [LinkResponse] }) links: LinkResponse[];
}

export class YouthHistoryResponse {
  @ApiProperty({ format: 'uuid' }) youthId: string;
  @ApiProperty({ type: [HistoryEntryResponse] }) items: HistoryEntryResponse[];
}

export class HotlineMatchResponse {
  @ApiProperty({ format: 'uuid' }) fugueId: string;
  @ApiProperty({ example: 'Z' }) firstNameInitial: string;
  @ApiProperty() age: number;
  @ApiProperty({ example: '75' }) departmentCode: string;
  @ApiProperty({ enum: ['routine', 'worrying'], nullable: true }) level: string | null;
  @ApiProperty({ format: 'date-time' }) noticedMissingAt: string;
  @ApiProperty({ description: 'Minutes since the absence was noticed' }) minutesMissing: number;
}

export class HotlineLookupResponse {
  @ApiProperty({ type: [HotlineMatchResponse], maxItems: 20 }) items: HotlineMatchResponse[];
}

export const linkItems = (items: LinkView[]) => ({ items });
export const historyView = (h: { youthId: string; items: HistoryEntry[] }) => h;
export const lookupView = (items: HotlineMatch[]) => ({ items });
