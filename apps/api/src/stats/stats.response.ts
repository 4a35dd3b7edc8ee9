import { ApiProperty } from '@nestjs/swagger';
import type { DepartmentStats } from '@vigie/domain';

export const statsView = (s: DepartmentStats) => s;

/* OpenAPI descriptions of GET /v1/stats; DepartmentStats is the truth. */

const count = (description: string) => ApiProperty({ type: Number, description });
const nullableNumber = (description: string) => ApiProperty({ type: Number, nullable: true, description });

export class EpisodeStatsResponse {
  @count('Episodes noticed in the period (cancelled ones never count)') total: number;
  @count('Effective level routine') routine: number;
  @count('Effective level worrying') worrying: number;
  @count('Not triaged yet') unclassified: number;
  @count('Status missing') missing: number;
  @count('Status located') located: number;
  @count('Status returned') returned: number;
  @count('Status closed') closed: number;
  @count('Ended: located or returned') ended: number;
  @nullableNumber('Median seconds from noticedMissingAt to the end, over ended episodes') medianDurationSeconds: number | null;
  @count('Ended less than 24 h after noticedMissingAt') endedWithin24h: number;
  @count('Ended less than 48 h after noticedMissingAt') endedWithin48h: number;
  @nullableNumber('endedWithin24h / total, 4 decimals') shareEndedWithin24h: number | null;
  @nullableNumber('endedWithin48h / total, 4 decimals') shareEndedWithin48h: number | null;
}

export class InterviewStatsResponse {
  @count('Return interviews due in the period') due: number;
  @count('Completed at or before the due time (72 h after the return)') completedOnTime: number;
  @count('Completed after the due time') completedLate: number;
  @count('Declined by the youth') declined: number;
  @count('Not held') notHeld: number;
  @count('Not recorded yet') scheduled: number;
  @count('Not recorded yet and past their due time') overdue: number;
}

export class AlertStatsResponse {
  @count('Alerts opened in the period') opened: number;
  @count('Of which acknowledged') acknowledged: number;
  @nullableNumber('Median seconds from opening to acknowledgement') medianSecondsToAcknowledge: number | null;
}

export class StatsResponse {
  @ApiProperty({ type: [String], nullable: true, description: 'The départements counted; null for all (admin)' }) departmentCodes: string[] | null;
  @ApiProperty({ format: 'date-time' }) from: string;
  @ApiProperty({ format: 'date-time' }) to: string;
  @ApiProperty({ type: EpisodeStatsResponse }) episodes: EpisodeStatsResponse;
  @count('Youths with an episode in the period that was their third or more in 30 days') youthsWithRepeatedFugues: number;
  @ApiProperty({ type: InterviewStatsResponse }) returnInterviews: InterviewStatsResponse;
  @ApiProperty({ type: AlertStatsResponse }) alerts: AlertStatsResponse;
}
