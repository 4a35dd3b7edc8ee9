import { Injectable } from '@nestjs/common';
import { AlertRepository, FugueEntity, FugueStatus, NotificationRepository, PeopleRepository, ReferentEntity, ReferentRepository, StoredLevel } from '@vigie/persistence';
import { JobName } from '@vigie/queue';
import type { Caller } from '../access/caller';
import { Work } from '../unit-of-work/unit-of-work';
import { NewsFactType } from './message-words';
import { targetOf } from './escalation.service';

/** A news message waits this long for other facts before it leaves: at most one per window per referent and channel. */
export const NEWS_WINDOW_MS = 5 * 60_000;

/** Facts that end or lower an alert still running: its `alert.resolved` message tells them at once. */
const TOLD_BY_RESOLUTION: ReadonlySet<NewsFactType> = new Set(['located', 'returned', 'level_lowered']);

/** What a change of an episode tells the people its alert reached: its own fact, a new status, a level set by hand. */
export function newsOfChange(
  fugue: Pick<FugueEntity, 'status' | 'effectiveLevel'>,
  statusBefore: FugueStatus,
  levelBefore: StoredLevel | null,
  own: NewsFactType | null,
): NewsFactType[] {
  const facts: NewsFactType[] = own ? [own] : [];
  if (fugue.status !== statusBefore && (fugue.status === 'located' || fugue.status === 'returned')) facts.push(fugue.status);
  if (levelBefore && fugue.effectiveLevel && fugue.effectiveLevel !== levelBefore) facts.push(fugue.effectiveLevel === 'worrying' ? 'level_raised' : 'level_lowered');
  return facts;
}

/**
 * New facts on an episode reach the people its alert already reached (integrations.md §
 * Escalation; docs/architecture.md § News of an alert). One `alert.news` notification per
 * (alert, referent, channel) waits at a time, due at the end of its window (NEWS_WINDOW_MS after
 * the fact that wrote it); the facts that arrive meanwhile are appended to it, so several facts
 * fold into one message and a referent gets at most one per window. The delivery engine sends it
 * like any notification.
 */
@Injectable()
export class AlertNewsService {
  constructor(
    private readonly alerts: AlertRepository,
    private readonly notifications: NotificationRepository,
    private readonly referents: ReferentRepository,
    private readonly persons: PeopleRepository,
  ) {}

  /**
   * In the caller's work: tells of `facts` everyone the episode's latest alert reached, but their
   * author (`by`): a referent is not sent back what they did themselves.
   */
  async report(work: Work, fugueId: string, facts: readonly NewsFactType[], now: Date, by: Caller | null = null): Promise<void> {
    if (facts.length === 0) return;
    const { manager } = work;
    const alert = await this.alerts.findLatestForFugue(fugueId, manager);
    if (!alert) return;
    const told = alert.state === 'resolved' ? facts : facts.filter((type) => !TOLD_BY_RESOLUTION.has(type));
    if (told.length === 0) return;
    const notified = await this.notifications.findReachedByAlert(manager, alert.id);
    const people = await this.referents.findByIds([...new Set(notified.map((n) => n.referentId))], manager);
    const author = await this.authorOf(by);
    const dueAt = new Date(now.getTime() + NEWS_WINDOW_MS);
    for (const n of notified) {
      const referent = people.find((r) => r.id === n.referentId);
      const channel = referent?.channels.find((c) => c.type === n.channel);
      if (!referent || referent.deletedAt || !channel || author(referent)) continue;
      for (const type of told) {
        const id = await this.notifications.addNews(
          manager,
          { alertId: alert.id, fugueId, referentId: referent.id, channel: channel.type, target: targetOf(channel) },
          { type, at: now.toISOString() },
          dueAt,
        );
        if (id) work.schedule({ job: JobName.NotificationSend, notificationId: id, attempt: 0, at: dueAt });
      }
    }
  }

  /**
   * Whether a referent is the author of the facts: the referent bound to the caller's API client,
   * or, for a person signed in, the referent whose e-mail channel is that person's address (people
   * and referents are kept apart; the address is what they share).
   */
  private async authorOf(by: Caller | null): Promise<(referent: ReferentEntity) => boolean> {
    if (!by) return () => false;
    const email = by.personId ? (await this.persons.findById(by.personId))?.email.toLowerCase() : undefined;
    return (referent) =>
      referent.apiClientId === by.clientId || (email !== undefined && referent.channels.some((c) => c.type === 'email' && c.address.toLowerCase() === email));
  }
}
