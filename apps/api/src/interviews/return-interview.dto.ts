import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsObject, IsOptional, IsString, IsUUID, Length, MaxLength, ValidateNested } from 'class-validator';
import { EXPLOITATION_INDICATOR_CODES, PULL_FACTOR_CODES, PUSH_FACTOR_CODES, REFERRAL_CODES } from '@vigie/domain';
import { INTERVIEW_STATUSES, InterviewOutcome, InterviewStatus } from '@vigie/persistence';
import { PageQuery } from '../http/pagination.dto';
import { IsCodeList, IsTimestamp } from '../http/validators';
import { ConnectionsDto, ConnectionsField } from '../links/connections.dto';

const TEXT = 2000;
export const INTERVIEW_OUTCOMES = ['completed', 'declined', 'not_held'] as const satisfies readonly InterviewOutcome[];

export class DisclosuresDto {
  @ApiPropertyOptional({ description: 'The youth disclosed sexual exploitation' }) @IsOptional() @IsBoolean() sexualExploitation?: boolean;
  @ApiPropertyOptional({ description: 'The youth disclosed violence' }) @IsOptional() @IsBoolean() violence?: boolean;
  @ApiPropertyOptional({ description: 'The youth disclosed sexual violence' }) @IsOptional() @IsBoolean() sexualViolence?: boolean;
}

const codes = (values: readonly string[], description: string) => ApiPropertyOptional({ type: [String], enum: values, description });
const freeText = (description: string) => ApiPropertyOptional({ maxLength: TEXT, description: `${description} (free text: encrypted at rest, never logged or sent)` });

/**
 * PUT /v1/return-interviews/{id} (integrations.md § Return interview). `completed` needs
 * conductedAt, conductedBy and interviewerIndependent; `not_held` needs a reason and has no
 * conductedAt; `declined` (the youth's right) may carry whatever carers know.
 */
export class RecordInterviewDto {
  @ApiProperty({ enum: INTERVIEW_OUTCOMES })
  @IsIn(INTERVIEW_OUTCOMES)
  outcome: InterviewOutcome;

  @ApiPropertyOptional({ format: 'date-time', description: 'Required when completed; between the return and now; absent when not held' })
  @IsOptional()
  @IsTimestamp()
  conductedAt?: string;

  @ApiPropertyOptional({ maxLength: 200, description: 'Who held the interview; required when completed (encrypted at rest)' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  conductedBy?: string;

  @ApiPropertyOptional({ description: 'The interviewer is not the youth’s daily carer; required when completed' })
  @IsOptional()
  @IsBoolean()
  interviewerIndependent?: boolean;

  @freeText('Where the youth was') @IsOptional() @IsString() @MaxLength(TEXT) whereabouts?: string;
  @freeText('Who the youth was with') @IsOptional() @IsString() @MaxLength(TEXT) companions?: string;
  @freeText('How the youth moved') @IsOptional() @IsString() @MaxLength(TEXT) transport?: string;
  @freeText('How the youth got money, food, shelter') @IsOptional() @IsString() @MaxLength(TEXT) resources?: string;

  @codes(PUSH_FACTOR_CODES, 'Why the youth left (GET /v1/vocabularies)')
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(PUSH_FACTOR_CODES.length)
  @IsCodeList(PUSH_FACTOR_CODES)
  pushFactors?: string[];

  @codes(PULL_FACTOR_CODES, 'What drew the youth away (GET /v1/vocabularies)')
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(PULL_FACTOR_CODES.length)
  @IsCodeList(PULL_FACTOR_CODES)
  pullFactors?: string[];

  @codes(EXPLOITATION_INDICATOR_CODES, 'Any one notifies the disclosure referents and counts in the next triages')
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(EXPLOITATION_INDICATOR_CODES.length)
  @IsCodeList(EXPLOITATION_INDICATOR_CODES)
  exploitationIndicators?: string[];

  @ApiPropertyOptional({ type: DisclosuresDto, description: 'A disclosure notifies the disclosure referents and adds SIGNALEMENT_PROCUREUR' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => DisclosuresDto)
  disclosures?: DisclosuresDto;

  @ApiPropertyOptional() @IsOptional() @IsBoolean() substanceUse?: boolean;
  @freeText('Health needs') @IsOptional() @IsString() @MaxLength(TEXT) healthNeeds?: string;
  @freeText('What the youth wishes') @IsOptional() @IsString() @MaxLength(TEXT) youthWishes?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() safetyAdviceGiven?: boolean;

  @codes(REFERRAL_CODES, 'The follow-up decided')
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(REFERRAL_CODES.length)
  @IsCodeList(REFERRAL_CODES)
  referrals?: string[];

  @ApiPropertyOptional({ maxLength: TEXT, description: 'Why the interview was not held: required for not_held, refused otherwise (encrypted at rest)' })
  @IsOptional()
  @IsString()
  @Length(1, TEXT)
  reason?: string;

  @ConnectionsField()
  connections?: ConnectionsDto;
}

export class InterviewListQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() fugueId?: string;

  @ApiPropertyOptional({ enum: INTERVIEW_STATUSES })
  @IsOptional()
  @IsIn(INTERVIEW_STATUSES)
  status?: InterviewStatus;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'Interviews that passed their due time while still scheduled' })
  @IsOptional()
  @IsIn(['true', 'false'])
  overdue?: 'true' | 'false';
}
