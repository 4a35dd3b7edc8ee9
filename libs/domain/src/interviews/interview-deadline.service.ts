import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import {
  AlertRepository,
  FugueEntity,
  FugueEventRepository,
  FugueRepository,
  NotificationRepository,
  ReturnInterviewEntity,
  ReturnInterviewRepository,
} from '@vigie/persistence';
import { EscalationJobs, FollowUp } from '../escalation/escalation-jobs';
import { EscalationService } from '../escalation/escalation.service';
import { WebhookEventService } from '../webhooks/webhook-events.service';
import { interviewDeadlines } from './interview-rules';
import { ReferentNotifier } from './referent-notifier';
import { Clock } from '../clock/clock';

const BATCH = 50;

/**
 * The return closes the loop and starts the interview's clock (integrations.md § Return
 * interview). Deadlines live in PostgreSQL (`due_at`, `reminder_due_at`); the worker's sweep
 * reminds foyer duty 24 h before the due time and marks an interview still scheduled overdue at
 * its due time, so a restart or an emptied Redis loses nothing.
 */
@Injectable()
export class InterviewDeadlineService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly interviews: ReturnInterviewRepository,
    private readonly fugues: FugueRepository,
    private readonly events: FugueEventRepository,
    private readonly alerts: AlertRepository,
    private readonly notifications: NotificationRepository,
    private readonly notifier: ReferentNotifier,
    private readonly escalation: EscalationService,
    private readonly jobs: EscalationJobs,
    private readonly webhooks: WebhookEventService,
    private readonly clock: Clock,
  ) {}

  /**
   * In the transaction of the return: the police referents of the département are told, and the
   * one interview of the episode is scheduled. A return declared after the fact may be due
   * already (overdue at once) or within 24 h (reminded at once). Returns the sends to dispatch
   * after commit.
   */
  async onReturned(manager: EntityManager, fugue: FugueEntity, actorId: string | null, now: Date): Promise<FollowUp[]> {
    const returnedAt = fugue.returnedAt as Date;
    // Those the episode's alert reached are told of the return by its resolution (alert.resolved,
    // "returned"); an alert that ended earlier for another reason told them nothing of the return.
    const alert = await this.alerts.findLatestForFugue(fugue.id, manager);
    const resolvedByReturn = alert && (alert.state !== 'resolved' || alert.resolution === 'returned');
    const toldByAlert = resolvedByReturn ? await this.notifications.findSentForAlert(manager, alert.id) : [];
    const told = await this.notifier.notify(
      manager,
      { kind: 'fugue.returned', fugue, roles: ['police'], dedupKey: `return:${fugue.id}`, fallbackToDepartmentDuty: false, except: toldByAlert },
      now,
    );
    if (told.notificationIds.length > 0) {
      await this.events.append(manager, { fugueId: fugue.id, type: 'return.notified', at: now, data: { roles: ['police'], referents: told.referentIds, notifications: told.notificationIds.length } });
    }
    const followUps = [...told.followUps];
    const { dueAt, reminderDueAt } = interviewDeadlines(returnedAt);
    const interview = await this.interviews.insertScheduled(manager, {
      fugueId: fugue.id,
      youthId: fugue.youthId,
      departmentCode: fugue.departmentCode,
      foyerId: fugue.foyerId,
      returnedAt,
      dueAt,
      reminderDueAt,
    });
    if (!interview) return followUps;
    await this.events.append(manager, { fugueId: fugue.id, type: 'interview.scheduled', at: now, actorId, data: { interviewId: interview.id, dueAt: dueAt.toISOString() } });
    if (dueAt <= now) followUps.push(...(await this.markOverdue(manager, interview, now)));
    else if (reminderDueAt <= now) followUps.push(...(await this.remind(manager, interview, now)));
    return followUps;
  }

  /** Marks overdue the interviews whose due time has come, then reminds those whose reminder time has. */
  async sweep(now = this.clock.now()): Promise<number> {
    const { followUps, count } = await this.dataSource.transaction(async (manager) => {
      const followUps: FollowUp[] = [];
      // Overdue first: an interview both due and unreminded (a long outage) gets only the overdue notice.
      const due = await this.interviews.takeDueOverdue(manager, now, BATCH);
      for (const interview of due) followUps.push(...(await this.markOverdue(manager, interview, now)));
      const reminders = await this.interviews.takeDueReminders(manager, now, BATCH);
      for (const interview of reminders) followUps.push(...(await this.remind(manager, interview, now)));
      return { followUps, count: due.length + reminders.length };
    });
    this.jobs.dispatch(followUps);
    return count;
  }

  private async markOverdue(manager: EntityManager, interview: ReturnInterviewEntity, now: Date): Promise<FollowUp[]> {
    interview.overdueAt = now;
    await this.interviews.save(manager, interview);
    const policy = await this.escalation.policyFor(interview.departmentCode, manager);
    const roles = policy.overdueInterview.notify;
    const sent = await this.notifier.notify(
      manager,
      { kind: 'interview.overdue', fugue: episodeOf(interview), roles, dedupKey: `interview:${interview.id}:overdue`, fallbackToDepartmentDuty: true },
      now,
    );
    await this.events.append(manager, {
      fugueId: interview.fugueId,
      type: 'interview.overdue',
      at: now,
      data: {
        interviewId: interview.id,
        dueAt: interview.dueAt.toISOString(),
        roles,
        fallbackToDepartmentDuty: sent.fallback,
        referents: sent.referentIds,
        notifications: sent.notificationIds.length,
      },
    });
    // Outbound subscribers (the 116 000) reach it like the episode's other events.
    const fugue = await this.fugues.findById(interview.fugueId, manager);
    await this.webhooks.emit(
      manager,
      'return_interview.overdue',
      { interviewId: interview.id, fugueId: interview.fugueId, dueAt: interview.dueAt.toISOString() },
      { departmentCode: interview.departmentCode, level: fugue?.effectiveLevel ?? null },
    );
    return sent.followUps;
  }

  private async remind(manager: EntityManager, interview: ReturnInterviewEntity, now: Date): Promise<FollowUp[]> {
    interview.remindedAt = now;
    await this.interviews.save(manager, interview);
    const sent = await this.notifier.notify(
      manager,
      { kind: 'interview.reminder', fugue: episodeOf(interview), roles: ['foyer_duty'], dedupKey: `interview:${interview.id}:reminder`, fallbackToDepartmentDuty: false },
      now,
    );
    await this.events.append(manager, {
      fugueId: interview.fugueId,
      type: 'interview.reminder',
      at: now,
      data: { interviewId: interview.id, dueAt: interview.dueAt.toISOString(), referents: sent.referentIds, notifications: sent.notificationIds.length },
    });
    return sent.followUps;
  }
}

function episodeOf(interview: ReturnInterviewEntity): { id: string; departmentCode: string; foyerId: string } {
  return { id: interview.fugueId, departmentCode: interview.departmentCode, foyerId: interview.foyerId };
}
