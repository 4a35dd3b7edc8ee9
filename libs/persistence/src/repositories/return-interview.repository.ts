import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { InterviewStatus, ReturnInterviewEntity } from '../entities/return-interview.entity';
import { keysetPage, Page } from './pagination';

/** What a caller may see; `null` means no restriction on that axis. */
export interface InterviewScope {
  foyerIds: string[] | null;
  departmentCodes: string[] | null;
}

export interface InterviewListFilter {
  fugueId?: string;
  status?: InterviewStatus;
  overdue?: boolean;
}

export type NewReturnInterview = Pick<ReturnInterviewEntity, 'fugueId' | 'youthId' | 'departmentCode' | 'foyerId' | 'returnedAt' | 'dueAt' | 'reminderDueAt'>;

@Injectable()
export class ReturnInterviewRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(ReturnInterviewEntity);
  }

  /** Schedules the episode's interview; returns null when it already has one (unique per episode). */
  async insertScheduled(manager: EntityManager, row: NewReturnInterview): Promise<ReturnInterviewEntity | null> {
    const result = await manager
      .createQueryBuilder()
      .insert()
      .into(ReturnInterviewEntity)
      .values({ ...row, status: 'scheduled' })
      .orIgnore()
      .returning(['id'])
      .execute();
    const id = (result.raw as { id: string }[])[0]?.id;
    return id ? this.repo(manager).findOneBy({ id }) : null;
  }

  findById(id: string, manager?: EntityManager): Promise<ReturnInterviewEntity | null> {
    return this.repo(manager).findOneBy({ id });
  }

  findByFugue(fugueId: string, manager?: EntityManager): Promise<ReturnInterviewEntity | null> {
    return this.repo(manager).findOneBy({ fugueId });
  }

  findByIdForUpdate(manager: EntityManager, id: string): Promise<ReturnInterviewEntity | null> {
    return this.repo(manager).createQueryBuilder('i').setLock('pessimistic_write').where('i.id = :id', { id }).getOne();
  }

  save(manager: EntityManager, interview: ReturnInterviewEntity): Promise<ReturnInterviewEntity> {
    return this.repo(manager).save(interview);
  }

  /** Newest due time first. */
  async list(scope: InterviewScope, filter: InterviewListFilter, limit: number, cursor: string | null): Promise<Page<ReturnInterviewEntity>> {
    const qb = this.repo().createQueryBuilder('i');
    if (scope.foyerIds) qb.andWhere('i.foyer_id = ANY(:scopeFoyers)', { scopeFoyers: scope.foyerIds });
    if (scope.departmentCodes) qb.andWhere('i.department_code = ANY(:scopeDepartments)', { scopeDepartments: scope.departmentCodes });
    if (filter.fugueId) qb.andWhere('i.fugue_id = :fugueId', { fugueId: filter.fugueId });
    if (filter.status) qb.andWhere('i.status = :status', { status: filter.status });
    if (filter.overdue !== undefined) qb.andWhere(filter.overdue ? 'i.overdue_at IS NOT NULL' : 'i.overdue_at IS NULL');
    return keysetPage(qb, 'i.due_at', 'i.id', cursor, limit);
  }


  /**
   * Interviews still scheduled whose due time has come and that are not yet marked overdue,
   * locked (SKIP LOCKED: several workers may sweep at once).
   */
  takeDueOverdue(manager: EntityManager, now: Date, limit: number): Promise<ReturnInterviewEntity[]> {
    return this.repo(manager)
      .createQueryBuilder('i')
      .where(`i.status = 'scheduled' AND i.overdue_at IS NULL AND i.due_at <= :now`, { now })
      .orderBy('i.due_at', 'ASC')
      .limit(limit)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
  }

  /**
   * Interviews still scheduled, not overdue, whose reminder time has come and that were not
   * reminded; locked. One already due by `now` is left to the overdue notice, whether or not it
   * was marked overdue yet: a row changed between the sweep's two statements never gets both.
   */
  takeDueReminders(manager: EntityManager, now: Date, limit: number): Promise<ReturnInterviewEntity[]> {
    return this.repo(manager)
      .createQueryBuilder('i')
      .where(`i.status = 'scheduled' AND i.reminded_at IS NULL AND i.overdue_at IS NULL AND i.reminder_due_at <= :now AND i.due_at > :now`, { now })
      .orderBy('i.reminder_due_at', 'ASC')
      .limit(limit)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
  }
}
