import { ApiProperty } from '@nestjs/swagger';
import { EXPLOITATION_INDICATOR_CODES, PULL_FACTOR_CODES, PUSH_FACTOR_CODES, REFERRAL_CODES } from '@vigie/domain';
import type { InterviewRecord } from '@vigie/domain';
import { INTERVIEW_STATUSES } from '@vigie/persistence';
import type { ReturnInterviewEntity } from '@vigie/persistence';
import { PageCursor } from '../http/api-docs';
import { DisclosuresDto } from './return-interview.dto';

/** Lists: deadlines and status only, no answers. */
export function interviewSummary(i: ReturnInterviewEntity) {
  return {
    id: i.id,
    fugueId: i.fugueId,
    youthId: i.youthId,
    foyerId: i.foyerId,
    departmentCode: i.departmentCode,
    status: i.status,
    returnedAt: i.returnedAt,
    dueAt: i.dueAt,
    overdue: i.overdueAt !== null,
    overdueAt: i.overdueAt,
    reminderDueAt: i.reminderDueAt,
    remindedAt: i.remindedAt,
    recordedAt: i.recordedAt,
    recordedBy: i.recordedBy,
  };
}

/** The whole interview with its free-text answers: audited on every response. */
export function interviewView({ interview: i, answers }: InterviewRecord) {
  const recorded = i.status !== 'scheduled';
  return {
    ...interviewSummary(i),
    conductedAt: i.conductedAt,
    conductedBy: answers.conductedBy ?? null,
    interviewerIndependent: i.interviewerIndependent,
    whereabouts: answers.whereabouts ?? null,
    companions: answers.companions ?? null,
    transport: answers.transport ?? null,
    resources: answers.resources ?? null,
    pushFactors: i.pushFactors,
    pullFactors: i.pullFactors,
    exploitationIndicators: i.exploitationIndicators,
    disclosures: recorded
      ? { sexualExploitation: i.disclosedSexualExploitation, violence: i.disclosedViolence, sexualViolence: i.disclosedSexualViolence }
      : null,
    substanceUse: i.substanceUse,
    healthNeeds: answers.healthNeeds ?? null,
    youthWishes: answers.youthWishes ?? null,
    safetyAdviceGiven: i.safetyAdviceGiven,
    referrals: i.referrals,
    reason: answers.reason ?? null,
    erased: i.erasedAt !== null,
  };
}
export type InterviewView = ReturnType<typeof interviewView>;

/* OpenAPI descriptions of the bodies above; the mappers are the truth. */

const nullableTime = () => ApiProperty({ type: String, format: 'date-time', nullable: true });
const nullableText = () => ApiProperty({ type: String, nullable: true });

export class InterviewSummaryResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) fugueId: string;
  @ApiProperty({ format: 'uuid' }) youthId: string;
  @ApiProperty({ format: 'uuid' }) foyerId: string;
  @ApiProperty({ example: '75' }) departmentCode: string;
  @ApiProperty({ enum: INTERVIEW_STATUSES }) status: string;
  @ApiProperty({ format: 'date-time' }) returnedAt: string;
  @ApiProperty({ format: 'date-time', description: 'returnedAt + 72 h' }) dueAt: string;
  @ApiProperty({ description: 'The interview passed its due time while still scheduled (it stays true once recorded late)' }) overdue: boolean;
  @nullableTime() overdueAt: string | null;
  @ApiProperty({ format: 'date-time', description: 'dueAt − 24 h: foyer duty is reminded' }) reminderDueAt: string;
  @nullableTime() remindedAt: string | null;
  @nullableTime() recordedAt: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The API client that recorded the outcome' }) recordedBy: string | null;
}

export class InterviewPageResponse extends PageCursor {
  @ApiProperty({ type: [InterviewSummaryResponse] }) items: InterviewSummaryResponse[];
}

export class InterviewResponse extends InterviewSummaryResponse {
  @nullableTime() conductedAt: string | null;
  @nullableText() conductedBy: string | null;
  @ApiProperty({ type: Boolean, nullable: true }) interviewerIndependent: boolean | null;
  @nullableText() whereabouts: string | null;
  @nullableText() companions: string | null;
  @nullableText() transport: string | null;
  @nullableText() resources: string | null;
  @ApiProperty({ type: [String], enum: PUSH_FACTOR_CODES }) pushFactors: string[];
  @ApiProperty({ type: [String], enum: PULL_FACTOR_CODES }) pullFactors: string[];
  @ApiProperty({ type: [String], enum: EXPLOITATION_INDICATOR_CODES }) exploitationIndicators: string[];
  @ApiProperty({ type: DisclosuresDto, nullable: true, description: 'null until recorded' }) disclosures: DisclosuresDto | null;
  @ApiProperty({ type: Boolean, nullable: true }) substanceUse: boolean | null;
  @nullableText() healthNeeds: string | null;
  @nullableText() youthWishes: string | null;
  @ApiProperty({ type: Boolean, nullable: true }) safetyAdviceGiven: boolean | null;
  @ApiProperty({ type: [String], enum: REFERRAL_CODES, description: 'SIGNALEMENT_PROCUREUR is added after a disclosure' }) referrals: string[];
  @ApiProperty({ type: String, nullable: true, description: 'Why a not_held interview was not held' }) reason: string | null;
  @ApiProperty({ description: 'True once retention erased the free text' }) erased: boolean;
}
