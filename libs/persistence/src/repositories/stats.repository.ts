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

export interface AlertCounts {
  opened: number;
  acknowledged: number;
  /** Seconds from opening to acknowledgement, one per acknowledged alert. */
  secondsToAcknowledge: number[];
}

/** One episode of the period, as the breakdowns read it: codes and times, and the sealed identity for the age. */
export interface EpisodeRow {
  youthId: string;
  foyerId: string;
  foyerName: string;
  departmentCode: string;
  noticedMissingAt: Date;
  level: 'routine' | 'worrying' | null;
  sex: 'F' | 'M' | 'X';
  /** The youth's encrypted identity (birth date inside); null once retention erased it. */
  identityEnc: string | null;
  /** The age band retention kept when it erased the identity; null before. */
  ageBand: string | null;
}

/** What recorded return interviews revealed (integrations.md § Return interview): counts only. */
export interface DisclosureFigures {
  /** Interviews due in the period whose outcome is recorded (completed, declined or not held). */
  recorded: number;
  /** With at least one disclosure or exploitation indicator. */
  withDisclosure: number;
  sexualExploitation: number;
  violence: number;
  sexualViolence: number;
  exploitationIndicators: number;
  /** With SIGNALEMENT_PROCUREUR among the referrals. */
  prosecutorReferrals: number;
}

/**
 * The département's figures (api.md § Statistics), read from codes, levels and times only — the
 * youth's sealed identity is read for the age band alone, and once retention erased it, the band
 * it kept on the episode: every figure stays unchanged. Cancelled episodes were declared by mistake and never count.
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

  /** Alerts opened in the period, and how long each acknowledged one waited. */
  /**
   * Links found in the period touching an episode of the départements, by reason (a link with two
   * reasons counts under each), and the total of links.
   */
  async links(q: StatsQuery): Promise<{ total: number; byReason: Record<string, number> }> {
    const rows: { reason: string | null; n: number }[] = await this.dataSource.query(
      `WITH l AS (
         SELECT l.fugue_a, l.fugue_b, l.reasons FROM fugue_links l
          WHERE l.found_at >= $1 AND l.found_at < $2
            AND ($3::text[] IS NULL OR EXISTS (SELECT 1 FROM fugues f WHERE f.id IN (l.fugue_a, l.fugue_b) AND f.department_code = ANY($3::text[])))
       )
       SELECT r AS reason, count(*)::int AS n FROM l, unnest(l.reasons) r GROUP BY r
       UNION ALL SELECT NULL, count(*)::int FROM l`,
      [q.from, q.to, q.departmentCodes],
    );
    const byReason: Record<string, number> = {};
    let total = 0;
    for (const row of rows) {
      if (row.reason === null) total = row.n;
      else byReason[row.reason] = row.n;
    }
    return { total, byReason };
  }

  /** The foyer-cluster notices of the period in the départements, oldest first. */
  async foyerClusters(q: StatsQuery): Promise<{ foyerId: string; name: string; departmentCode: string; youths: number; noticedAt: Date }[]> {
    return this.dataSource.query(
      `SELECT c.foyer_id AS "foyerId", fo.name, c.department_code AS "departmentCode", c.youth_count AS youths, c.noticed_at AS "noticedAt"
         FROM foyer_clusters c JOIN foyers fo ON fo.id = c.foyer_id
        WHERE c.noticed_at >= $1 AND c.noticed_at < $2 AND ($3::text[] IS NULL OR c.department_code = ANY($3::text[]))
        ORDER BY c.noticed_at, c.id`,
      [q.from, q.to, q.departmentCodes],
    );
  }

  async alerts(q: StatsQuery): Promise<AlertCounts> {
    const rows: { acknowledged: boolean; seconds: number | null }[] = await this.dataSource.query(
      `SELECT acknowledged_at IS NOT NULL AS acknowledged, EXTRACT(EPOCH FROM acknowledged_at - opened_at)::float AS seconds
         FROM alerts
        WHERE opened_at >= $1 AND opened_at < $2 AND ($3::text[] IS NULL OR department_code = ANY($3::text[]))`,
      [q.from, q.to, q.departmentCodes],
    );
    const secondsToAcknowledge = rows.filter((r) => r.acknowledged).map((r) => r.seconds as number);
    return { opened: rows.length, acknowledged: secondsToAcknowledge.length, secondsToAcknowledge };
  }

  /** The episodes noticed in the period, with their foyer and youth's sex. */
  async episodeRows(q: StatsQuery): Promise<EpisodeRow[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT f.youth_id, f.foyer_id, fo.name AS foyer_name, f.department_code, f.noticed_missing_at, f.effective_level, y.sex, y.identity_enc, f.age_band
         FROM fugues f JOIN foyers fo ON fo.id = f.foyer_id JOIN youths y ON y.id = f.youth_id
        WHERE f.status <> 'cancelled' AND f.noticed_missing_at >= $1 AND f.noticed_missing_at < $2
          AND ($3::text[] IS NULL OR f.department_code = ANY($3::text[]))
        ORDER BY f.noticed_missing_at, f.id`,
      [q.from, q.to, q.departmentCodes],
    );
    return rows.map((r) => ({
      youthId: r.youth_id as string,
      foyerId: r.foyer_id as string,
      foyerName: r.foyer_name as string,
      departmentCode: r.department_code as string,
      noticedMissingAt: r.noticed_missing_at as Date,
      level: r.effective_level as EpisodeRow['level'],
      sex: r.sex as EpisodeRow['sex'],
      identityEnc: r.identity_enc as string | null,
      ageBand: r.age_band as string | null,
    }));
  }

  /**
   * For every youth with an episode in the period, their episodes (in any foyer) noticed from 30
   * days before the period to its end: what repeat detection reads.
   */
  async repeatWindow(q: StatsQuery): Promise<{ youthId: string; noticedMissingAt: Date }[]> {
    const rows: { youth_id: string; noticed_missing_at: Date }[] = await this.dataSource.query(
      `SELECT g.youth_id, g.noticed_missing_at
         FROM fugues g
        WHERE g.status <> 'cancelled' AND g.noticed_missing_at >= $1::timestamptz - interval '30 days' AND g.noticed_missing_at < $2
          AND g.youth_id IN (SELECT f.youth_id FROM fugues f
                              WHERE f.status <> 'cancelled' AND f.noticed_missing_at >= $1 AND f.noticed_missing_at < $2
                                AND ($3::text[] IS NULL OR f.department_code = ANY($3::text[])))`,
      [q.from, q.to, q.departmentCodes],
    );
    return rows.map((r) => ({ youthId: r.youth_id, noticedMissingAt: r.noticed_missing_at }));
  }

  /** Disclosures and referrals of the interviews due in the period whose outcome is recorded. */
  async disclosures(q: StatsQuery): Promise<DisclosureFigures> {
    const [row]: Record<string, number>[] = await this.dataSource.query(
      `SELECT count(*)::int AS recorded,
              count(*) FILTER (WHERE disclosed_sexual_exploitation OR disclosed_violence OR disclosed_sexual_violence
                                  OR cardinality(exploitation_indicators) > 0)::int AS with_disclosure,
              count(*) FILTER (WHERE disclosed_sexual_exploitation)::int AS sexual_exploitation,
              count(*) FILTER (WHERE disclosed_violence)::int AS violence,
              count(*) FILTER (WHERE disclosed_sexual_violence)::int AS sexual_violence,
              count(*) FILTER (WHERE cardinality(exploitation_indicators) > 0)::int AS exploitation_indicators,
              count(*) FILTER (WHERE 'SIGNALEMENT_PROCUREUR' = ANY(referrals))::int AS prosecutor_referrals
         FROM return_interviews
        WHERE status <> 'scheduled' AND due_at >= $1 AND due_at < $2 AND ($3::text[] IS NULL OR department_code = ANY($3::text[]))`,
      [q.from, q.to, q.departmentCodes],
    );
    return {
      recorded: row.recorded,
      withDisclosure: row.with_disclosure,
      sexualExploitation: row.sexual_exploitation,
      violence: row.violence,
      sexualViolence: row.sexual_violence,
      exploitationIndicators: row.exploitation_indicators,
      prosecutorReferrals: row.prosecutor_referrals,
    };
  }
}
