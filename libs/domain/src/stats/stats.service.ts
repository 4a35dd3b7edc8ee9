import { Injectable } from '@nestjs/common';
import { AlertFigures, EpisodeFigures, InterviewFigures, StatsRepository } from '@vigie/persistence';
import { Caller, requireRole } from '../access/caller';
import { DomainError } from '../errors/domain-error';
import { Clock } from '../clock/clock';

const DAY_MS = 24 * 3600 * 1000;
/** Without `from`, the period is the year before `to`. */
export const DEFAULT_PERIOD_DAYS = 365;
/** A longer period would scan more than the retention keeps meaningful; ten years is plenty. */
export const MAX_PERIOD_DAYS = 3660;

export interface StatsRequest {
  departmentCode?: string;
  from?: Date | null;
  to?: Date | null;
}

export interface DepartmentStats {
  /** The départements counted: the caller's (or the one asked for); null for every département (admin). */
  departmentCodes: string[] | null;
  from: Date;
  to: Date;
  episodes: EpisodeFigures & { shareEndedWithin24h: number | null; shareEndedWithin48h: number | null };
  youthsWithRepeatedFugues: number;
  returnInterviews: InterviewFigures;
  alerts: AlertFigures;
}

/**
 * GET /v1/stats (api.md § Statistics): child protection's figures for its départements over a
 * period, and the administrator's for any. A département outside the caller's scope is a 404.
 */
@Injectable()
export class StatsService {
  constructor(private readonly stats: StatsRepository, private readonly clock: Clock) {}

  async departmentStats(caller: Caller, request: StatsRequest, now = this.clock.now()): Promise<DepartmentStats> {
    requireRole(caller, ['admin', 'child_protection']);
    const { from, to } = statsPeriod(request, now);
    const departmentCodes = statsDepartments(caller, request.departmentCode);
    const query = { from, to, departmentCodes };
    const episodes = await this.stats.episodes(query);
    return {
      departmentCodes,
      from,
      to,
      episodes: { ...episodes, shareEndedWithin24h: share(episodes.endedWithin24h, episodes.total), shareEndedWithin48h: share(episodes.endedWithin48h, episodes.total) },
      youthsWithRepeatedFugues: await this.stats.youthsWithRepeatedFugues(query),
      returnInterviews: await this.stats.interviews(query),
      alerts: await this.stats.alerts(query),
    };
  }
}

/** The period [from, to): `to` defaults to now, `from` to a year before `to`. */
export function statsPeriod(request: Pick<StatsRequest, 'from' | 'to'>, now: Date): { from: Date; to: Date } {
  const to = request.to ?? now;
  const from = request.from ?? new Date(to.getTime() - DEFAULT_PERIOD_DAYS * DAY_MS);
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

/** count / total, rounded to 4 decimals; null when there is nothing to divide. */
export function share(count: number, total: number): number | null {
  return total === 0 ? null : Math.round((count / total) * 10_000) / 10_000;
}
