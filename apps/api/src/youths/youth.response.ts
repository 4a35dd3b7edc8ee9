import { ApiProperty } from '@nestjs/swagger';
import { FUGUE_STATUSES } from '@vigie/persistence';
import { VULNERABILITY_CODES } from '@vigie/domain';
import type { YouthListItem, YouthProfile } from '@vigie/domain';
import { PageCursor } from '../http/api-docs';
import { vitalTreatmentOf, vulnerabilitiesOf } from '@vigie/persistence';

/** The profile with identity: only for callers in scope, and every such response is audited. */
export function youthView({ youth, identity }: YouthProfile) {
  return {
    id: youth.id,
    foyerId: youth.foyerId,
    firstName: identity?.firstName ?? null,
    lastName: identity?.lastName ?? null,
    birthDate: identity?.birthDate ?? null,
    sex: youth.sex,
    description: identity?.description ?? null,
    photoUrl: identity?.photoUrl ?? null,
    phone: identity?.phone ?? null,
    usualPlaces: identity?.usualPlaces ?? [],
    medical: { vitalTreatment: vitalTreatmentOf(youth, identity), details: identity?.medicalDetails ?? null },
    vulnerabilities: vulnerabilitiesOf(youth, identity),
    externalRef: youth.externalRef,
    erased: youth.erasedAt !== null,
    createdAt: youth.createdAt,
    updatedAt: youth.updatedAt,
  };
}
export type YouthView = ReturnType<typeof youthView>;

/** A youth of a list: the profile and its current episode, without the episode's facts. */
export function youthListItemView(item: YouthListItem) {
  const current = item.currentFugue;
  return {
    ...youthView(item),
    openFugue: current ? { id: current.id, status: current.status, effectiveLevel: current.effectiveLevel, noticedMissingAt: current.noticedMissingAt } : null,
  };
}

/** OpenAPI description of youthView. Identity fields are null once erased (retention). */
export class MedicalResponse {
  @ApiProperty() vitalTreatment: boolean;
  @ApiProperty({ type: String, nullable: true }) details: string | null;
}

export class YouthResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) foyerId: string;
  @ApiProperty({ type: String, nullable: true }) firstName: string | null;
  @ApiProperty({ type: String, nullable: true }) lastName: string | null;
  @ApiProperty({ type: String, format: 'date', nullable: true }) birthDate: string | null;
  @ApiProperty({ enum: ['F', 'M', 'X'] }) sex: string;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ type: String, nullable: true }) photoUrl: string | null;
  @ApiProperty({ type: String, nullable: true }) phone: string | null;
  @ApiProperty({ type: [String] }) usualPlaces: string[];
  @ApiProperty({ type: MedicalResponse }) medical: MedicalResponse;
  @ApiProperty({ type: [String], enum: VULNERABILITY_CODES }) vulnerabilities: string[];
  @ApiProperty({ type: String, nullable: true }) externalRef: string | null;
  @ApiProperty({ description: 'True once the personal data has been erased' }) erased: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class YouthOpenFugueResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: FUGUE_STATUSES.filter((s) => s !== 'closed' && s !== 'cancelled') }) status: string;
  @ApiProperty({ enum: ['routine', 'worrying'], nullable: true, description: 'null until the first triage' }) effectiveLevel: string | null;
  @ApiProperty({ format: 'date-time' }) noticedMissingAt: string;
}

export class YouthListItemResponse extends YouthResponse {
  @ApiProperty({
    type: YouthOpenFugueResponse,
    nullable: true,
    description: 'The current episode: missing, located, or returned and not yet closed; null when there is none',
  })
  openFugue: YouthOpenFugueResponse | null;
}

export class YouthPageResponse extends PageCursor {
  @ApiProperty({ type: [YouthListItemResponse] }) items: YouthListItemResponse[];
}
