import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, Not } from 'typeorm';
import { AlertEntity, AlertState } from '../entities/alert.entity';
import { keysetPage, Page } from './pagination';

export interface AlertScope {
  foyerIds: string[] | null;
  departmentCodes: string[] | null;
  /** Only alerts whose episode is worrying now (the hotline's reading rule for episodes). */
  worryingOnly: boolean;
}

export interface AlertListFilter {
  state?: AlertState;
  departmentCode?: string;
  fugueId?: string;
}

@Injectable()
export class AlertRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(AlertEntity);
  }

  insert(manager: EntityManager, alert: Omit<AlertEntity, 'id'>): Promise<AlertEntity> {
    return this.repo(manager).save(this.repo(manager).create(alert));
  }

  save(manager: EntityManager, alert: AlertEntity): Promise<AlertEntity> {
    return this.repo(manager).save(alert);
  }

  findById(id: string, manager?: EntityManager): Promise<AlertEntity | null> {
    return this.repo(manager).findOneBy({ id });
  }

  /** The alert with its episode's effective level, for the readers who see worrying episodes only. */
  async findByIdWithEpisodeLevel(id: string): Promise<{ alert: AlertEntity; episodeLevel: string | null } | null> {
    const alert = await this.repo().findOneBy({ id });
    if (!alert) return null;
    const rows: { effective_level: string | null }[] = await this.dataSource.query(`SELECT effective_level FROM fugues WHERE id = $1`, [alert.fugueId]);
    return { alert, episodeLevel: rows[0]?.effective_level ?? null };
  }

  findByIdForUpdate(manager: EntityManager, id: string): Promise<AlertEntity | null> {
    return this.repo(manager).createQueryBuilder('a').setLock('pessimistic_write').where('a.id = :id', { id }).getOne();
  }

  /** The alert still running for an episode (open or acknowledged), locked. */
  findUnresolvedForUpdate(manager: EntityManager, fugueId: string): Promise<AlertEntity | null> {
    return this.repo(manager)
      .createQueryBuilder('a')
      .setLock('pessimistic_write')
      .where(`a.fugue_id = :fugueId AND a.state <> 'resolved'`, { fugueId })
      .getOne();
  }

  /** The episode's most recent alert, whatever its state. */
  findLatestForFugue(fugueId: string, manager?: EntityManager): Promise<AlertEntity | null> {
    return this.repo(manager).findOne({ where: { fugueId }, order: { openedAt: 'DESC' } });
  }

  findUnresolved(fugueId: string, manager?: EntityManager): Promise<AlertEntity | null> {
    return this.repo(manager).findOneBy({ fugueId, state: Not('resolved') });
  }

  /** Open alerts whose next step is due; a sweep fires them. */
  async findDueSteps(now: Date, limit: number): Promise<{ id: string; step: number }[]> {
    const rows: { id: string; next_step: number }[] = await this.dataSource.query(
      `SELECT id, next_step FROM alerts WHERE state = 'open' AND next_step_at <= $2 ORDER BY next_step_at LIMIT $1`,
      [limit, now],
    );
    return rows.map((r) => ({ id: r.id, step: r.next_step }));
  }

  async list(scope: AlertScope, filter: AlertListFilter, limit: number, cursor: string | null): Promise<Page<AlertEntity>> {
    const qb = this.repo().createQueryBuilder('a');
    if (scope.foyerIds) qb.andWhere('a.foyer_id = ANY(:foyerIds)', { foyerIds: scope.foyerIds });
    if (scope.departmentCodes) qb.andWhere('a.department_code = ANY(:codes)', { codes: scope.departmentCodes });
    if (scope.worryingOnly) qb.andWhere(`EXISTS (SELECT 1 FROM fugues f WHERE f.id = a.fugue_id AND f.effective_level = 'worrying')`);
    if (filter.state) qb.andWhere('a.state = :state', { state: filter.state });
    if (filter.departmentCode) qb.andWhere('a.department_code = :departmentCode', { departmentCode: filter.departmentCode });
    // One episode's alerts: served by alerts_fugue_idx.
    if (filter.fugueId) qb.andWhere('a.fugue_id = :fugueId', { fugueId: filter.fugueId });
    return keysetPage(qb, 'a.opened_at', 'a.id', cursor, limit);
  }

  /** Median seconds from opening to acknowledgement, per département, for alerts opened in [from, to). */
  async medianSecondsToAcknowledge(departmentCodes: string[] | null, from: Date, to: Date): Promise<{ departmentCode: string; medianSeconds: number; acknowledged: number }[]> {
    const rows: { department_code: string; median: number; n: number }[] = await this.dataSource.query(
      `SELECT department_code,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM acknowledged_at - opened_at))::float AS median,
              count(*)::int AS n
         FROM alerts
        WHERE acknowledged_at IS NOT NULL AND opened_at >= $1 AND opened_at < $2
          AND ($3::text[] IS NULL OR department_code = ANY($3::text[]))
        GROUP BY department_code ORDER BY department_code`,
      [from, to, departmentCodes],
    );
    return rows.map((r) => ({ departmentCode: r.department_code, medianSeconds: r.median, acknowledged: r.n }));
  }
}
