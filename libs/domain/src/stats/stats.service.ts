import { Injectable } from '@nestjs/common';
import { DataCipher, DepartmentRepository, DisclosureFigures, EpisodeFigures, EpisodeRow, InterviewFigures, slot, StatsRepository, YouthIdentity } from '@vigie/persistence';
import { Caller, requireRole } from '../access/caller';
import { DomainError } from '../errors/domain-error';
import { Clock } from '../clock/clock';
import { type LocalDate } from '../triage/local-time';
import { LINK_REASONS, LinkReason } from '../links/link.rules';
import { AGE_BANDS, ageBandAt, AgeBand, countBy, GroupFigures, percentile, repeatRunaways, share, startOfLocalDay, weeklyEpisodes, WeekFigures } from './stats-figures';

export { share } from './stats-figures';
export type { AgeBand, GroupFigures, WeekFigures } from './stats-figures';

const DAY_MS = 24 * 3600 * 1000;
/** Without `from`, the period is the year before `to`. */
export const DEFAULT_PERIOD_DAYS = 365;
/** A longer period would scan more than the retention keeps meaningful; ten years is plenty. */
export const MAX_PERIOD_DAYS = 3660;
/** The calendar of an answer covering several départements (metropolitan France). */
export const SEVERAL_DEPARTMENTS_TIME_ZONE = 'Europe/Paris';
export const SEXES = ['F', 'M', 'X'] as const;

/** A bound of the period: an instant, or a calendar date read as its local midnight in the answer's time zone. */
export type PeriodBound = Date | LocalDate;

export interface StatsRequest {
  departmentCode?: string;
  from?: PeriodBound | null;
  to?: PeriodBound | null;
}

export interface FoyerFigures extends GroupFigures {
  foyerId: string;
  name: string;
  departmentCode: string;
}

export interface DepartmentStats {
  /** The départements counted: the caller's (or the one asked for); null for every département (admin). */
  departmentCodes: string[] | null;
  from: Date;
  to: Date;
  /** The calendar of `weeks`: the département's zone, or Europe/Paris for several. */
  timeZone: string;
  episodes: EpisodeFigures & { shareEndedWithin24h: number | null; shareEndedWithin48h: number | null; shareWorrying: number | null };
  weeks: WeekFigures[];
  youthsWithRepeatedFugues: number;
  returnInterviews: InterviewFigures & { shareCompletedOnTime: number | null };
  /** What interviews revealed; null for police, who get the counts without interview details. */
  disclosures: DisclosureFigures | null;
  alerts: { opened: number; acknowledged: number; medianSecondsToAcknowledge: number | null; p90SecondsToAcknowledge: number | null };
  /** Links found in the period (spec/links.md), in all and by reason (a link counts under each of its reasons). */
  links: { total: number } & Record<LinkReason, number>;
  /** Foyer-cluster notices of the period: foyers where linked episodes involved 3 or more youths. */
  foyerClusters: { foyerId: string; name: string; departmentCode: string; youths: number; noticedAt: Date }[];
  breakdown: {
    ageBands: ({ key: AgeBand } & GroupFigures)[];
    sexes: ({ key: (typeof SEXES)[number] } & GroupFigures)[];
    foyers: FoyerFigures[];
  };
}

/**
 * GET /v1/stats (api.md § Statistics): the figures of a period for the caller's départements —
 * child protection and police for theirs, the administrator for any. A département outside the
 * caller's scope is a 404.
 */
@Injectable()
export class StatsService {
  constructor(
    private readonly stats: StatsRepository,
    private readonly departments: DepartmentRepository,
    private readonly cipher: DataCipher,
    private readonly clock: Clock,
  ) {}

  async departmentStats(caller: Caller, request: StatsRequest, now = this.clock.now()): Promise<DepartmentStats> {
    requireRole(caller, ['admin', 'child_protection', 'police']);
    const departmentCodes = statsDepartments(caller, request.departmentCode);
    const timeZone = await this.timeZoneOf(departmentCodes);
    const { from, to } = statsPeriod(request, now, timeZone);
    const query = { from, to, departmentCodes };
    const episodes = await this.stats.episodes(query);
    const rows = await this.stats.episodeRows(query);
    const interviews = await this.stats.interviews(query);
    const alerts = await this.stats.alerts(query);
    const links = await this.stats.links(query);
    return {
      departmentCodes,
      from,
      to,
      timeZone,
      episodes: {
        ...episodes,
        shareEndedWithin24h: share(episodes.endedWithin24h, episodes.total),
        shareEndedWithin48h: share(episodes.endedWithin48h, episodes.total),
        shareWorrying: share(episodes.worrying, episodes.total),
      },
      weeks: weeklyEpisodes(rows, from, to, timeZone),
      youthsWithRepeatedFugues: repeatRunaways(await this.stats.repeatWindow(query), from, to),
      returnInterviews: { ...interviews, shareCompletedOnTime: share(interviews.completedOnTime, interviews.due) },
      disclosures: caller.role === 'police' ? null : await this.stats.disclosures(query),
      alerts: {
        opened: alerts.opened,
        acknowledged: alerts.acknowledged,
        medianSecondsToAcknowledge: percentile(alerts.secondsToAcknowledge, 0.5),
        p90SecondsToAcknowledge: percentile(alerts.secondsToAcknowledge, 0.9),
      },
      links: { total: links.total, ...(Object.fromEntries(LINK_REASONS.map((r) => [r, links.byReason[r] ?? 0])) as Record<LinkReason, number>) },
      foyerClusters: await this.stats.foyerClusters(query),
      breakdown: await this.breakdown(rows),
    };
  }

  private async timeZoneOf(departmentCodes: string[] | null): Promise<string> {
    if (departmentCodes?.length !== 1) return SEVERAL_DEPARTMENTS_TIME_ZONE;
    const department = await this.departments.findByCode(departmentCodes[0]);
    if (!department) throw DomainError.invalid('departmentCode', 'is not a département code');
    return department.timeZone;
  }

  private async breakdown(rows: EpisodeRow[]): Promise<DepartmentStats['breakdown']> {
    const birthDates = new Map<string, string | null>();
    const ages: { key: AgeBand; level: EpisodeRow['level'] }[] = [];
    for (const row of rows) {
      if (!birthDates.has(row.youthId)) {
        const identity = this.cipher.decryptOptional<YouthIdentity>(row.identityEnc, slot('youths', 'identity_enc', row.youthId));
        birthDates.set(row.youthId, identity?.birthDate ?? null);
      }
      const birthDate = birthDates.get(row.youthId) ?? null;
      const department = await this.departments.findByCode(row.departmentCode);
      // Once retention erased the birth date, the band it kept on the episode.
      const key = birthDate ? ageBandAt(birthDate, row.noticedMissingAt, department?.timeZone ?? SEVERAL_DEPARTMENTS_TIME_ZONE) : ((row.ageBand as AgeBand | null) ?? 'unknown');
      ages.push({ key, level: row.level });
    }
    const foyers = new Map<string, FoyerFigures>();
    for (const row of rows) {
      const foyer = foyers.get(row.foyerId) ?? { foyerId: row.foyerId, name: row.foyerName, departmentCode: row.departmentCode, episodes: 0, worrying: 0 };
      foyer.episodes += 1;
      if (row.level === 'worrying') foyer.worrying += 1;
      foyers.set(row.foyerId, foyer);
    }
    return {
      ageBands: countBy(ages, AGE_BANDS),
      sexes: countBy(
        rows.map((r) => ({ key: r.sex, level: r.level })),
        SEXES,
      ),
      foyers: [...foyers.values()].sort((a, b) => b.episodes - a.episodes || a.name.localeCompare(b.name, 'fr') || a.foyerId.localeCompare(b.foyerId)),
    };
  }
}

const instantOf = (bound: PeriodBound, timeZone: string): Date => (bound instanceof Date ? bound : startOfLocalDay(bound, timeZone));

/**
 * The period [from, to): `to` defaults to now, `from` to a year before `to`. A calendar date
 * stands for its local midnight in `timeZone` (`to` being excluded, `to=2025-04-01` ends the
 * period at the end of 31 March).
 */
export function statsPeriod(request: Pick<StatsRequest, 'from' | 'to'>, now: Date, timeZone = SEVERAL_DEPARTMENTS_TIME_ZONE): { from: Date; to: Date } {
  const to = request.to ? instantOf(request.to, timeZone) : now;
  const from = request.from ? instantOf(request.from, timeZone) : new Date(to.getTime() - DEFAULT_PERIOD_DAYS * DAY_MS);
  if (from >= to) throw DomainError.invalid('from', 'must be before to');
  if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * DAY_MS) throw DomainError.invalid('from', `the period must not exceed ${MAX_PERIOD_DAYS} days`);
  return { from, to };
}

/** The départements counted; a département outside the caller's scope does not exist for them. */
export function statsDepartments(caller: Caller, departmentCode: string | undefined): string[] | null {
  if (caller.role === 'admin') return departmentCode ? [departmentCode] : null;
  if (!departmentCode) return [...caller.departmentCodes].sort();
  if (!caller.departmentCodes.includes(departmentCode)) throw DomainError.notFound('Department');
  return [departmentCode];
}
