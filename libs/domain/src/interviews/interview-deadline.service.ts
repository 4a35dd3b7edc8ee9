import { Injectable } from '@nestjs/common';
import { AlertRepository, FugueEntity, FugueEventRepository, FugueRepository, ReturnInterviewEntity, ReturnInterviewRepository } from '@vigie/persistence';
import { EscalationService } from '../escalation/escalation.service';
import { WebhookEventService } from '../webhooks/webhook-event.service';
import { interviewDeadlines } from './interview-rules';
import { ReferentNotifier } from './referent-notifier';
import { Clock } from '../clock/clock';
import { UnitOfWork, Work } from '../unit-of-work/unit-of-work';

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
    private readonly uow: UnitOfWork,
    private readonly interviews: ReturnInterviewRepository,
    private readonly fugues: FugueRepository,
    private readonly alerts: AlertRepository,
    private readonly events: FugueEventRepository,
    private readonly notifier: ReferentNotifier,
    private readonly escalation: EscalationService,
    private readonly webhooks: WebhookEventService,
    private readonly clock: Clock,
  ) {}

  /**
   * In the transaction of the return: the police referents of the département are told when the
   * episode concerned them (policeConcerned), and the one interview of the episode is scheduled.
   * A return declared after the fact may be due already (overdue at once) or within 24 h
   * (reminded at once). The sends go out once it commits.
   */
  async onReturned(work: Work, fugue: FugueEntity, actorId: string | null, now: Date): Promise<void> {
    const { manager } = work;
    const returnedAt = fugue.returnedAt as Date;
    if (await this.policeConcerned(work, fugue)) {
      const toldByAlert = await this.notifier.toldOfReturnByAlert(work, fugue.id);
      const told = await this.notifier.notify(
        work,
        { kind: 'fugue.returned', fugue, roles: ['police'], dedupKey: `return:${fugue.id}`, fallbackToDepartmentDuty: false, except: toldByAlert },
        now,
      );
      if (told.notificationIds.length > 0) {
        await this.events.append(manager, { fugueId: fugue.id, type: 'return.notified', at: now, data: { roles: ['police'], referents: told.referentIds, notifications: told.notificationIds.length } });
      }
    }
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
    if (!interview) return;
    await this.events.append(manager, { fugueId: fugue.id, type: 'interview.scheduled', at: now, actorId, data: { interviewId: interview.id, dueAt: dueAt.toISOString() } });
    if (dueAt <= now) await this.markOverdue(work, interview, now);
    else if (reminderDueAt <= now) await this.remind(work, interview, now);
  }

  /**
   * The police hear of a return when it concerns them: the episode was worrying (worrying now, or
   * it had an alert), they found the youth, or they took part (an override, an update or an
   * acknowledgement by police). A routine return without them is the foyer's business.
   */
  private async policeConcerned(work: Work, fugue: FugueEntity): Promise<boolean> {
    if (fugue.effectiveLevel === 'worrying' || fugue.foundBy === 'police') return true;
    if (await this.alerts.findLatestForFugue(fugue.id, work.manager)) return true;
    return this.events.policeInvolved(work.manager, fugue.id);
  }

  /** Marks overdue the interviews whose due time has come, then reminds those whose reminder time has. */
  async sweep(now = this.clock.now()): Promise<number> {
    return this.uow.run(async (work) => {
      // Overdue first: an interview both due and unreminded (a long outage) gets only the overdue notice.
      const due = await this.interviews.takeDueOverdue(work.manager, now, BATCH);
      for (const interview of due) await this.markOverdue(work, interview, now);
      const reminders = await this.interviews.takeDueReminders(work.manager, now, BATCH);
      for (const interview of reminders) await this.remind(work, interview, now);
      return due.length + reminders.length;
    });
  }

  private async markOverdue(work: Work, interview: ReturnInterviewEntity, now: Date): Promise<void> {
    const { manager } = work;
    interview.overdueAt = now;
    await this.interviews.save(manager, interview);
    const policy = await this.escalation.policyFor(interview.departmentCode, manager);
    const roles = policy.overdueInterview.notify;
    const sent = await this.notifier.notify(
      work,
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
      work,
      'return_interview.overdue',
      { interviewId: interview.id, fugueId: interview.fugueId, dueAt: interview.dueAt.toISOString() },
      { departmentCode: interview.departmentCode, level: fugue?.effectiveLevel ?? null },
    );
  }

  private async remind(work: Work, interview: ReturnInterviewEntity, now: Date): Promise<void> {
    const { manager } = work;
    interview.remindedAt = now;
    await this.interviews.save(manager, interview);
    const sent = await this.notifier.notify(
      work,
      { kind: 'interview.reminder', fugue: episodeOf(interview), roles: ['foyer_duty'], dedupKey: `interview:${interview.id}:reminder`, fallbackToDepartmentDuty: false },
      now,
    );
    await this.events.append(manager, {
      fugueId: interview.fugueId,
      type: 'interview.reminder',
      at: now,
      data: { interviewId: interview.id, dueAt: interview.dueAt.toISOString(), referents: sent.referentIds, notifications: sent.notificationIds.length },
    });
  }
}

function episodeOf(interview: ReturnInterviewEntity): { id: string; departmentCode: string; foyerId: string } {
  return { id: interview.fugueId, departmentCode: interview.departmentCode, foyerId: interview.foyerId };
}
