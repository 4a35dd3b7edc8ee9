import { ApiProperty } from '@nestjs/swagger';
import { AGE_BANDS, SEXES, type DepartmentStats } from '@vigie/domain';

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
  @nullableNumber('worrying / total, 4 decimals') shareWorrying: number | null;
}

export class InterviewStatsResponse {
  @count('Return interviews due in the period') due: number;
  @count('Completed at or before the due time (72 h after the return)') completedOnTime: number;
  @count('Completed after the due time') completedLate: number;
  @count('Declined by the youth') declined: number;
  @count('Not held') notHeld: number;
  @count('Not recorded yet') scheduled: number;
  @count('Not recorded yet and past their due time') overdue: number;
  @nullableNumber('completedOnTime / due, 4 decimals: the returns whose interview was held within 72 h') shareCompletedOnTime: number | null;
}

export class DisclosureStatsResponse {
  @count('Interviews due in the period whose outcome is recorded (completed, declined, not held)') recorded: number;
  @count('Of which at least one disclosure or exploitation indicator') withDisclosure: number;
  @count('Disclosed sexual exploitation') sexualExploitation: number;
  @count('Disclosed violence') violence: number;
  @count('Disclosed sexual violence') sexualViolence: number;
  @count('Recorded at least one exploitation indicator') exploitationIndicators: number;
  @count('Referred to the prosecutor (SIGNALEMENT_PROCUREUR among the referrals)') prosecutorReferrals: number;
}

export class WeekStatsResponse {
  @ApiProperty({ example: '2025-W10', description: 'ISO 8601 week, in the time zone of the answer' }) week: string;
  @ApiProperty({ format: 'date', description: 'Its Monday' }) start: string;
  @count('Episodes noticed that week') episodes: number;
  @count('Of which worrying') worrying: number;
}

export class AgeBandStatsResponse {
  @ApiProperty({ enum: AGE_BANDS, description: "Age at the episode (whole years on the local date of noticedMissingAt in the episode's département); unknown once retention erased the birth date" })
  key: string;
  @count('Episodes') episodes: number;
  @count('Of which worrying') worrying: number;
}

export class SexStatsResponse {
  @ApiProperty({ enum: SEXES }) key: string;
  @count('Episodes') episodes: number;
  @count('Of which worrying') worrying: number;
}

export class FoyerStatsResponse {
  @ApiProperty({ format: 'uuid' }) foyerId: string;
  @ApiProperty() name: string;
  @ApiProperty() departmentCode: string;
  @count('Episodes') episodes: number;
  @count('Of which worrying') worrying: number;
}

export class BreakdownStatsResponse {
  @ApiProperty({ type: [AgeBandStatsResponse], description: 'Every band, in order, zeros included' }) ageBands: AgeBandStatsResponse[];
  @ApiProperty({ type: [SexStatsResponse], description: 'F, M, X, zeros included' }) sexes: SexStatsResponse[];
  @ApiProperty({ type: [FoyerStatsResponse], description: 'Foyers with at least one episode, most episodes first' }) foyers: FoyerStatsResponse[];
}

export class AlertStatsResponse {
  @count('Alerts opened in the period') opened: number;
  @count('Of which acknowledged') acknowledged: number;
  @nullableNumber('Median seconds from opening to acknowledgement (linear interpolation, as percentile_cont)') medianSecondsToAcknowledge: number | null;
  @nullableNumber('90th percentile of the seconds from opening to acknowledgement (linear interpolation)') p90SecondsToAcknowledge: number | null;
}

export class LinkStatsResponse {
  @count('Links found in the period') total: number;
  @count('Links with this reason') NAMED_COMPANION: number;
  @count('Links with this reason') SAME_VEHICLE: number;
  @count('Links with this reason') SAME_PLACE: number;
  @count('Links with this reason') SAME_ALIAS: number;
  @count('Links with this reason') LEFT_TOGETHER: number;
}

export class FoyerClusterStatsResponse {
  @ApiProperty({ format: 'uuid' }) foyerId: string;
  @ApiProperty() name: string;
  @ApiProperty({ example: '75' }) departmentCode: string;
  @count('Distinct youths of the foyer in linked episodes of the 30 days before the notice') youths: number;
  @ApiProperty({ format: 'date-time' }) noticedAt: string;
}

export class StatsResponse {
  @ApiProperty({ type: [String], nullable: true, description: 'The départements counted; null for all (admin)' }) departmentCodes: string[] | null;
  @ApiProperty({ format: 'date-time' }) from: string;
  @ApiProperty({ format: 'date-time' }) to: string;
  @ApiProperty({ example: 'Europe/Paris', description: "The calendar of `weeks` and of dates given as from/to: the département's IANA zone, Europe/Paris for several" })
  timeZone: string;
  @ApiProperty({ type: EpisodeStatsResponse }) episodes: EpisodeStatsResponse;
  @ApiProperty({ type: [WeekStatsResponse], description: 'Every ISO week the period touches, in order, zeros included' }) weeks: WeekStatsResponse[];
  @count('Youths with an episode in the period that was their third or more in 30 days') youthsWithRepeatedFugues: number;
  @ApiProperty({ type: InterviewStatsResponse }) returnInterviews: InterviewStatsResponse;
  @ApiProperty({ type: DisclosureStatsResponse, nullable: true, description: 'What the interviews revealed; null for police (counts without interview details)' })
  disclosures: DisclosureStatsResponse | null;
  @ApiProperty({ type: AlertStatsResponse }) alerts: AlertStatsResponse;
  @ApiProperty({ type: LinkStatsResponse }) links: LinkStatsResponse;
  @ApiProperty({ type: [FoyerClusterStatsResponse], description: 'Foyer-cluster notices of the period: linked episodes of one foyer involving 3 or more youths' })
  foyerClusters: FoyerClusterStatsResponse[];
  @ApiProperty({ type: BreakdownStatsResponse }) breakdown: BreakdownStatsResponse;
}
