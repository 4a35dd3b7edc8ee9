import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { DEPARTED_WITH_VALUES, INDICATOR_CODES, VULNERABILITY_CODES } from '@vigie/domain';
import type { Caller, FugueListItem, FugueRecord, TimelineEntry } from '@vigie/domain';
import { withoutAddresses } from '../escalation/escalation.response';
import { FUGUE_EVENT_TYPES, FUGUE_STATUSES, vitalTreatmentOf, vulnerabilitiesOf } from '@vigie/persistence';
import type { FugueEntity } from '@vigie/persistence';
import { PageCursor } from '../http/api-docs';
import { MedicalResponse } from '../youths/youth.response';
import { ConnectionsResponse } from '../links/links.response';
import { BelongingsDto, ConditionDto, FOUND_BY, PoliceReportDto } from './fugue.dto';

/** Identity-free view: lists, declaration and transition responses. */
export function fugueSummary(f: FugueEntity) {
  return {
    id: f.id,
    youthId: f.youthId,
    foyerId: f.foyerId,
    departmentCode: f.departmentCode,
    status: f.status,
    noticedMissingAt: f.noticedMissingAt,
    lastSeenAt: f.lastSeenAt ?? null,
    locatedAt: f.locatedAt ?? null,
    returnedAt: f.returnedAt ?? null,
    classification: f.classification,
    override: f.overrideLevel ? { level: f.overrideLevel, by: f.overrideBy, at: f.overrideAt } : null,
    effectiveLevel: f.effectiveLevel,
    createdAt: f.createdAt,
    updatedAt: f.updatedAt,
  };
}

/** An episode of the list: the summary, its foyer's name and alert state, and the youth's short identity when asked. */
export function fugueListItemView(item: FugueListItem) {
  return {
    ...fugueSummary(item.fugue),
    foyerName: item.foyerName,
    alertState: item.alertState,
    ...(item.youth !== undefined ? { youth: item.youth } : {}),
  };
}
export type FugueListItemView = ReturnType<typeof fugueListItemView>;

/** The whole episode with the youth's identity: audited on every response. */
export function fugueView(r: FugueRecord) {
  const f = r.fugue;
  const summary = fugueSummary(f);
  return {
    ...summary,
    lastSeenPlace: r.details.lastSeenPlace ?? null,
    clothing: r.details.clothing ?? null,
    circumstances: r.details.circumstances ?? null,
    departedWith: f.departedWith,
    vehicle: r.details.vehicle ?? null,
    belongings: f.belongings,
    indicators: f.indicators,
    staffConcern: f.staffConcernWorrying === null ? null : { worrying: f.staffConcernWorrying, note: r.details.staffConcernNote ?? null },
    policeReport: r.details.policeReport ?? null,
    located: f.locatedAt ? { at: f.locatedAt, place: r.located?.place ?? null } : null,
    returned: f.returnedAt
      ? { at: f.returnedAt, foundBy: f.foundBy, place: r.returned?.place ?? null, condition: r.returned?.condition ?? null }
      : null,
    ended: f.endedAt ? { at: f.endedAt, reason: r.endReason } : null,
    override: summary.override ? { ...summary.override, reason: r.overrideReason } : null,
    nextReviewAt: f.nextReviewAt,
    connections: r.connections,
    youth: r.youth
      ? {
          id: r.youth.id,
          firstName: r.identity?.firstName ?? null,
          lastName: r.identity?.lastName ?? null,
          birthDate: r.identity?.birthDate ?? null,
          sex: r.youth.sex,
          description: r.identity?.description ?? null,
          photoUrl: r.identity?.photoUrl ?? null,
          phone: r.identity?.phone ?? null,
          usualPlaces: r.identity?.usualPlaces ?? [],
          medical: { vitalTreatment: vitalTreatmentOf(r.youth, r.identity), details: r.identity?.medicalDetails ?? null },
          vulnerabilities: vulnerabilitiesOf(r.youth, r.identity),
        }
      : null,
  };
}
export type FugueView = ReturnType<typeof fugueView>;

/** A failed notification's `error` may quote the recipient's address: whole for `admin` only. */
export function timelineView(entries: TimelineEntry[], caller: Pick<Caller, 'role'>) {
  const redact = (data: Record<string, unknown>) =>
    caller.role !== 'admin' && typeof data.error === 'string' ? { ...data, error: withoutAddresses(data.error) } : data;
  return {
    items: entries.map(({ event, text }) => ({
      id: String(event.id),
      type: event.type,
      at: event.at,
      actorId: event.actorId,
      data: redact(event.data),
      text,
    })),
  };
}

/*
 * OpenAPI descriptions of the bodies above, so that a client can be generated. The mappers are
 * the truth; these classes only describe them.
 */

const LEVELS = ['routine', 'worrying'];

export class ReasonResponse {
  @ApiProperty({ example: 'AGE_UNDER_13' }) code: string;
  @ApiProperty({ enum: ['critical', 'aggravating'] }) kind: string;
  @ApiProperty({ type: Number, nullable: true, description: 'null for a critical trigger: it decides the level on its own' }) weight: number | null;
  @ApiProperty({ enum: ['computed', 'youth', 'report', 'update', 'hotline', 'link', 'history'] }) source: string;
}

/** The result of the triage ruleset (spec/risk-model.md). */
export class ClassificationResponse {
  @ApiProperty({ enum: LEVELS }) level: string;
  @ApiProperty() score: number;
  @ApiProperty({ type: [ReasonResponse] }) reasons: ReasonResponse[];
  @ApiProperty({ example: '2026.1' }) rulesetVersion: string;
  @ApiProperty({ format: 'date-time' }) evaluatedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextReviewAt: string | null;
}

export class OverrideResponse {
  @ApiProperty({ enum: LEVELS }) level: string;
  @ApiProperty({ format: 'uuid', description: 'The API client that set it' }) by: string;
  @ApiProperty({ format: 'date-time' }) at: string;
}

export class OverrideWithReasonResponse extends OverrideResponse {
  @ApiProperty({ type: String, nullable: true }) reason: string | null;
}

/** fugueSummary: no identity, no free text. */
export class FugueSummaryResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) youthId: string;
  @ApiProperty({ format: 'uuid' }) foyerId: string;
  @ApiProperty({ example: '75' }) departmentCode: string;
  @ApiProperty({ enum: FUGUE_STATUSES }) status: string;
  @ApiProperty({ format: 'date-time' }) noticedMissingAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastSeenAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) locatedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) returnedAt: string | null;
  @ApiProperty({ type: ClassificationResponse, nullable: true, description: 'null until the first triage' }) classification: ClassificationResponse | null;
  @ApiProperty({ type: OverrideResponse, nullable: true }) override: OverrideResponse | null;
  @ApiProperty({ enum: LEVELS, nullable: true, description: 'The override when there is one, else the classification' }) effectiveLevel: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class FugueListYouthResponse {
  @ApiProperty() firstName: string;
  @ApiProperty({ example: 'D', description: 'The initial of the last name' }) lastNameInitial: string;
  @ApiProperty({ description: "Whole years today, in the département's time zone" }) age: number;
}

export class FugueListItemResponse extends FugueSummaryResponse {
  @ApiProperty({ type: String, nullable: true, description: 'null for the hotline, which does not read foyers' }) foyerName: string | null;
  @ApiProperty({ enum: ['none', 'open', 'acknowledged'], description: 'The running alert: none, open (not acknowledged yet) or acknowledged' }) alertState: string;
  @ApiPropertyOptional({ type: FugueListYouthResponse, nullable: true, description: 'With include=youth only; null once the identity is erased' })
  youth?: FugueListYouthResponse | null;
}

export class FuguePageResponse extends PageCursor {
  @ApiProperty({ type: [FugueListItemResponse] }) items: FugueListItemResponse[];
}

export class StaffConcernResponse {
  @ApiProperty() worrying: boolean;
  @ApiProperty({ type: String, nullable: true }) note: string | null;
}

export class LocatedResponse {
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ type: String, nullable: true }) place: string | null;
}

export class ReturnedResponse {
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ enum: FOUND_BY }) foundBy: string;
  @ApiProperty({ type: String, nullable: true }) place: string | null;
  @ApiProperty({ type: ConditionDto, nullable: true }) condition: ConditionDto | null;
}

export class EndedResponse {
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ type: String, nullable: true }) reason: string | null;
}

export class FugueYouthResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
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
}

/** fugueView: the whole episode with the youth's identity (audited). */
export class FugueResponse extends OmitType(FugueSummaryResponse, ['override'] as const) {
  @ApiProperty({ type: OverrideWithReasonResponse, nullable: true }) override: OverrideWithReasonResponse | null;
  @ApiProperty({ type: String, nullable: true }) lastSeenPlace: string | null;
  @ApiProperty({ type: String, nullable: true }) clothing: string | null;
  @ApiProperty({ type: String, nullable: true }) circumstances: string | null;
  @ApiProperty({ enum: DEPARTED_WITH_VALUES, nullable: true }) departedWith: string | null;
  @ApiProperty({ type: String, nullable: true }) vehicle: string | null;
  @ApiProperty({ type: BelongingsDto, nullable: true }) belongings: BelongingsDto | null;
  @ApiProperty({ type: [String], enum: INDICATOR_CODES }) indicators: string[];
  @ApiProperty({ type: StaffConcernResponse, nullable: true }) staffConcern: StaffConcernResponse | null;
  @ApiProperty({ type: PoliceReportDto, nullable: true }) policeReport: PoliceReportDto | null;
  @ApiProperty({ type: LocatedResponse, nullable: true }) located: LocatedResponse | null;
  @ApiProperty({ type: ReturnedResponse, nullable: true }) returned: ReturnedResponse | null;
  @ApiProperty({ type: EndedResponse, nullable: true, description: 'Closed or cancelled' }) ended: EndedResponse | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextReviewAt: string | null;
  @ApiProperty({ type: FugueYouthResponse, nullable: true }) youth: FugueYouthResponse | null;
  @ApiProperty({ type: ConnectionsResponse }) connections: ConnectionsResponse;
}

export class FugueUpdateCreatedResponse {
  @ApiProperty({ format: 'uuid' }) updateId: string;
  @ApiProperty({ type: FugueSummaryResponse }) fugue: FugueSummaryResponse;
}

export class TimelineEntryResponse {
  @ApiProperty({ description: 'Increasing number' }) id: string;
  @ApiProperty({ enum: FUGUE_EVENT_TYPES, example: 'classified' })
  type: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) actorId: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Codes, levels and times of the event' }) data: Record<string, unknown>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true, description: 'Free text of the event (note, place, reason)' })
  text: Record<string, unknown> | null;
}

export class TimelineResponse {
  @ApiProperty({ type: [TimelineEntryResponse] }) items: TimelineEntryResponse[];
}
