import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** A period [from, to) and the départements it covers (`null`: all of them). */
export interface StatsQuery {
  from: Date;
  to: Date;
  departmentCodes: string[] | null;
}

export interface EpisodeFigures {
  total: number;
  routine: number;
  worrying: number;
  unclassified: number;
  missing: number;
  located: number;
  returned: number;
  closed: number;
  ended: number;
  medianDurationSeconds: number | null;
  endedWithin24h: number;
  endedWithin48h: number;
}

export interface InterviewFigures {
  due: number;
  completedOnTime: number;
  completedLate: number;
  declined: number;
  notHeld: number;
  scheduled: number;
  overdue: number;
}

export interface AlertFigures {
  opened: number;
  acknowledged: number;
  medianSecondsToAcknowledge: number | null;
}

/**
 * The département's figures (api.md § Statistics), read from codes, levels and times only:
 * retention erases personal data and leaves every figure unchanged. Cancelled episodes were
 * declared by mistake and never count.
 */
@Injectable()
export class StatsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Episodes noticed in the period; an episode ends at the first of located and returned. */
  async episodes(q: StatsQuery): Promise<EpisodeFigures> {
    const [row]: Record<string, number | null>[] = await this.dataSource.query(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE f.effective_level = 'routine')::int AS routine,
              count(*) FILTER (WHERE f.effective_level = 'worrying')::int AS worrying,
              count(*) FILTER (WHERE f.effective_level IS NULL)::int AS unclassified,
              count(*) FILTER (WHERE f.status = 'missing')::int AS missing,
              count(*) FILTER (WHERE f.status = 'located')::int AS located,
              count(*) FILTER (WHERE f.status = 'returned')::int AS returned,
              count(*) FILTER (WHERE f.status = 'closed')::int AS closed,
              count(e.ended)::int AS ended,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM e.ended - f.noticed_missing_at))::float AS median_duration,
              count(*) FILTER (WHERE e.ended - f.noticed_missing_at < interval '24 hours')::int AS within_24h,
              count(*) FILTER (WHERE e.ended - f.noticed_missing_at < interval '48 hours')::int AS within_48h
         FROM fugues f CROSS JOIN LATERAL (SELECT LEAST(f.located_at, f.returned_at) AS ended) e
        WHERE f.status <> 'cancelled' AND f.noticed_missing_at >= $1 AND f.noticed_missing_at < $2
          AND ($3::text[] IS NULL OR f.department_code = ANY($3::text[]))`,
      [q.from, q.to, q.departmentCodes],
    );
    return {
      total: row.total as number,
      routine: row.routine as number,
      worrying: row.worrying as number,
      unclassified: row.unclassified as number,
      missing: row.missing as number,
      located: row.located as number,
      returned: row.returned as number,
      closed: row.closed as number,
      ended: row.ended as number,
      medianDurationSeconds: row.median_duration,
      endedWithin24h: row.within_24h as number,
      endedWithin48h: row.within_48h as number,
    };
  }

  /**
   * Youths with an episode in the period that was their third (or more) in 30 days: at least 3
   * episodes with `t0` in [t0 − 30 days, t0] — REPEATED_FUGUES of the ruleset, counted once per youth.
   */
  async youthsWithRepeatedFugues(q: StatsQuery): Promise<number> {
    const [row]: { n: number }[] = await this.dataSource.query(
      `SELECT count(DISTINCT f.youth_id)::int AS n
         FROM fugues f
        WHERE f.status <> 'cancelled' AND f.noticed_missing_at >= $1 AND f.noticed_missing_at < $2
          AND ($3::text[] IS NULL OR f.department_code = ANY($3::text[]))
          AND (SELECT count(*) FROM fugues g
                WHERE g.youth_id = f.youth_id AND g.status <> 'cancelled'
                  AND g.noticed_missing_at >= f.noticed_missing_at - interval '30 days'
                  AND g.noticed_missing_at <= f.noticed_missing_at) >= 3`,
      [q.from, q.to, q.departmentCodes],
    );
    return row.n;
  }

  /** Interviews due in the period; on time means conducted at or before the due time (72 h). */
  async interviews(q: StatsQuery): Promise<InterviewFigures> {
    const [row]: Record<string, number>[] = await this.dataSource.query(
      `SELECT count(*)::int AS due,
              count(*) FILTER (WHERE status = 'completed' AND conducted_at <= due_at)::int AS on_time,
              count(*) FILTER (WHERE status = 'completed' AND conducted_at > due_at)::int AS late,
              count(*) FILTER (WHERE status = 'declined')::int AS declined,
              count(*) FILTER (WHERE status = 'not_held')::int AS not_held,
              count(*) FILTER (WHERE status = 'scheduled')::int AS scheduled,
              count(*) FILTER (WHERE status = 'scheduled' AND overdue_at IS NOT NULL)::int AS overdue
         FROM return_interviews
        WHERE due_at >= $1 AND due_at < $2 AND ($3::text[] IS NULL OR department_code = ANY($3::text[]))`,
      [q.from, q.to, q.departmentCodes],
    );
    return {
      due: row.due,
      completedOnTime: row.on_time,
      completedLate: row.late,
      declined: row.declined,
      notHeld: row.not_held,
      scheduled: row.scheduled,
      overdue: row.overdue,
    };
  }

  /** Alerts opened in the period, and the median time from opening to acknowledgement. */
  async alerts(q: StatsQuery): Promise<AlertFigures> {
    const [row]: { opened: number; acknowledged: number; median: number | null }[] = await this.dataSource.query(
      `SELECT count(*)::int AS opened,
              count(acknowledged_at)::int AS acknowledged,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM acknowledged_at - opened_at))
                FILTER (WHERE acknowledged_at IS NOT NULL)::float AS median
         FROM alerts
        WHERE opened_at >= $1 AND opened_at < $2 AND ($3::text[] IS NULL OR department_code = ANY($3::text[]))`,
      [q.from, q.to, q.departmentCodes],
    );
    return { opened: row.opened, acknowledged: row.acknowledged, medianSecondsToAcknowledge: row.median };
  }
}
