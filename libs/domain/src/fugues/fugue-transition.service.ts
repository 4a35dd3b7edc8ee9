import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  DataCipher,
  FugueEntity,
  FugueEventRepository,
  FugueRepository,
  FugueStatus,
  Role,
  slot,
  StoredLevel,
} from '@vigie/persistence';
import { JobName, TriageCause } from '@vigie/queue';
import { Caller, canReportOnFugue, canSeeFugue, requireRole } from '../access/caller';
import { DomainError } from '../errors/domain-error';
import { AlertNewsService, newsOfChange } from '../escalation/alert-news.service';
import { EscalationService } from '../escalation/escalation.service';
import { NewsFactType } from '../escalation/message-words';
import { InterviewDeadlineService } from '../interviews/interview-deadline.service';
import { fugueClassifiedEvent, fugueClosedEvent, fugueLocatedEvent, fugueReturnedEvent } from '../webhooks/webhook-event-data';
import { WebhookEventService } from '../webhooks/webhook-event.service';
import { HotlineCallInput, HotlineLocatedInput, InboundClaim } from '../integrations/hotline.types';
import { FugueUpdateInput, LocatedInput, MAX_FUTURE_MS, ReturnInput, ReturnPrivate } from './fugue.types';
import { Clock } from '../clock/clock';
import { ConnectionService } from '../links/connection.service';
import { UnitOfWork, Work } from '../unit-of-work/unit-of-work';
import { newRowId } from '../ids/row-id';

const OPEN: FugueStatus[] = ['missing', 'located'];
const FIELD_ROLES: Role[] = ['admin', 'foyer', 'police', 'child_protection'];
/** Declaring the return, closing and cancelling are the foyer's acts (api.md § Roles and scopes). */
const FOYER_ROLES: Role[] = ['admin', 'foyer'];
/** Statuses an episode may be left in after its end, until someone closes it. */
const LEFT_OPEN: FugueStatus[] = ['returned', 'located'];
/** Vigie itself, closing what nobody closed: no API client, every episode in scope. */
const SYSTEM: Caller = { clientId: 'system', role: 'admin', foyerIds: [], departmentCodes: [] };

/** Everything that happens to a declared episode. Each change re-triages it through the outbox. */
@Injectable()
export class FugueTransitionService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly fugues: FugueRepository,
    private readonly events: FugueEventRepository,
    private readonly cipher: DataCipher,
    private readonly escalation: EscalationService,
    private readonly news: AlertNewsService,
    private readonly webhooks: WebhookEventService,
    private readonly interviewDeadlines: InterviewDeadlineService,
    private readonly clock: Clock,
    private readonly connections: ConnectionService,
  ) {}

  async addUpdate(caller: Caller, id: string, input: FugueUpdateInput, now = this.clock.now()): Promise<{ fugue: FugueEntity; updateId: string }> {
    let updateId = '';
    const fugue = await this.change(caller, id, FIELD_ROLES, 'updated', async (manager, fugue) => {
      requireStatus(fugue, OPEN, 'add information to');
      if (input.sighting) {
        checkNotFuture(input.sighting.at, now, 'sighting.at');
        if (input.sighting.at < (fugue.lastSeenAt ?? new Date(0))) throw DomainError.invalid('sighting.at', 'must not be before lastSeenAt');
      }
      await this.connections.check(input.connections, manager);
      const text = { note: input.note, staffConcernNote: input.staffConcern?.note, sightingPlace: input.sighting?.place };
      const newId = newRowId();
      const update = await this.fugues.insertUpdate(manager, {
        id: newId,
        fugueId: fugue.id,
        source: 'update',
        indicators: [...new Set(input.indicators ?? [])],
        staffConcernWorrying: input.staffConcern ? input.staffConcern.worrying : null,
        sightingAt: input.sighting?.at ?? null,
        privateEnc: this.cipher.encryptOptional(text, slot('fugue_updates', 'private_enc', newId)),
        createdBy: caller.clientId,
      });
      updateId = update.id;
      await this.events.append(manager, {
        fugueId: fugue.id,
        type: input.sighting ? 'sighting' : 'updated',
        actorId: caller.clientId,
        data: {
          updateId: update.id,
          indicators: update.indicators,
          staffConcern: input.staffConcern ? { worrying: input.staffConcern.worrying } : undefined,
          sightingAt: input.sighting?.at.toISOString(),
        },
        private: text,
      });
      await this.connections.store(manager, fugue.id, 'update', input.connections);
    }, { news: input.sighting ? 'sighting' : 'update' });
    return { fugue, updateId };
  }

  /** A referent sets the level by hand; it stands until a computed level is higher or it is withdrawn. */
  overrideLevel(caller: Caller, id: string, input: { level: StoredLevel; reason: string }): Promise<FugueEntity> {
    return this.change(caller, id, ['police', 'child_protection'], 'override', async (manager, fugue) => {
      if (fugue.status === 'cancelled' || fugue.status === 'closed') throw DomainError.transition(`A ${fugue.status} episode cannot be overridden`);
      const hasCriticalTrigger = fugue.classification?.reasons.some((r) => r.kind === 'critical') ?? false;
      if (input.level === 'routine' && hasCriticalTrigger && caller.role !== 'child_protection') {
        throw DomainError.forbidden('Lowering an episode with a critical trigger requires the child_protection role');
      }
      const previous = fugue.effectiveLevel;
      fugue.overrideLevel = input.level;
      fugue.overrideBy = caller.clientId;
      fugue.overrideAt = this.clock.now();
      fugue.overrideReasonEnc = this.cipher.encrypt({ reason: input.reason }, slot('fugues', 'override_reason_enc', fugue.id));
      fugue.overrideBasis = fugue.classification?.reasons.map((r) => r.code) ?? [];
      fugue.effectiveLevel = input.level;
      await this.fugues.save(manager, fugue);
      await this.events.append(manager, {
        fugueId: fugue.id,
        type: 'override.set',
        actorId: caller.clientId,
        data: { level: input.level, previousLevel: previous, role: caller.role },
        private: { reason: input.reason },
      });
    });
  }

  withdrawOverride(caller: Caller, id: string): Promise<FugueEntity> {
    return this.change(caller, id, ['police', 'child_protection'], 'override', async (manager, fugue) => {
      if (!fugue.overrideLevel) throw DomainError.transition('This episode has no override to withdraw');
      const previous = fugue.effectiveLevel;
      fugue.overrideLevel = null;
      fugue.overrideBy = null;
      fugue.overrideAt = null;
      fugue.overrideReasonEnc = null;
      fugue.overrideBasis = null;
      fugue.effectiveLevel = fugue.classification?.level ?? null;
      await this.fugues.save(manager, fugue);
      await this.events.append(manager, {
        fugueId: fugue.id,
        type: 'override.withdrawn',
        actorId: caller.clientId,
        data: { previousLevel: previous, level: fugue.effectiveLevel },
      });
    });
  }

  markLocated(caller: Caller, id: string, input: LocatedInput, now = this.clock.now()): Promise<FugueEntity> {
    return this.change(caller, id, FIELD_ROLES, 'located', async (manager, fugue) => {
      requireStatus(fugue, ['missing'], 'mark as located');
      await this.locate(manager, fugue, input, caller, now);
    });
  }

  /**
   * A call to the 116 000 about the episode: its indicators join the episode's observed ones with
   * source `hotline`, and the episode is triaged again. `claim` records the inbound event id in
   * the same transaction (a signed event; a report through the API has its Idempotency-Key
   * instead). The hotline reports on episodes of its départements, whatever their level.
   */
  recordHotlineCall(hotline: Caller, id: string, input: HotlineCallInput, claim: InboundClaim | null, now = this.clock.now()): Promise<FugueEntity> {
    return this.change(
      hotline,
      id,
      ['hotline'],
      'hotline',
      async (manager, fugue) => {
        requireStatus(fugue, ['missing', 'located', 'returned'], 'record a hotline call about');
        checkNotFuture(input.receivedAt, now, 'data.receivedAt');
        if (input.sighting) checkNotFuture(input.sighting.at, now, 'data.sighting.at');
        await this.connections.check(input.connections, manager, 'data.connections');
        const text = { summary: input.summary, sightingPlace: input.sighting?.place };
        const newId = newRowId();
        const update = await this.fugues.insertUpdate(manager, {
          id: newId,
          fugueId: fugue.id,
          source: 'hotline',
          indicators: [...new Set(input.indicators)],
          staffConcernWorrying: null,
          sightingAt: input.sighting?.at ?? null,
          privateEnc: this.cipher.encryptOptional(text, slot('fugue_updates', 'private_enc', newId)),
          createdBy: hotline.clientId,
        });
        await this.events.append(manager, {
          fugueId: fugue.id,
          type: 'hotline.call',
          actorId: hotline.clientId,
          data: {
            updateId: update.id,
            source: 'hotline',
            caller: input.caller,
            receivedAt: input.receivedAt.toISOString(),
            indicators: update.indicators,
            sightingAt: input.sighting?.at.toISOString(),
          },
          private: text,
        });
        await this.connections.store(manager, fugue.id, 'hotline', input.connections);
      },
      { first: claim ?? undefined, canSee: (fugue) => canReportOnFugue(hotline, fugue), news: 'hotline' },
    );
  }

  /**
   * The 116 000 reports the child located: the located transition. An episode already located,
   * returned or closed is left as it is (the report came after the facts); a cancelled one is a 409.
   */
  markLocatedByHotline(hotline: Caller, id: string, input: HotlineLocatedInput, claim: InboundClaim | null, now = this.clock.now()): Promise<FugueEntity> {
    return this.change(
      hotline,
      id,
      ['hotline'],
      'located',
      async (manager, fugue) => {
        requireStatus(fugue, ['missing', 'located', 'returned', 'closed'], 'mark as located');
        if (fugue.status !== 'missing') return 'unchanged';
        await this.locate(manager, fugue, input, hotline, now, 'data.at');
      },
      { first: claim ?? undefined, canSee: (fugue) => canReportOnFugue(hotline, fugue) },
    );
  }

  private async locate(manager: EntityManager, fugue: FugueEntity, input: LocatedInput, caller: Caller, now: Date, field = 'at'): Promise<void> {
    checkWithinEpisode(input.at, fugue, now, field);
    fugue.status = 'located';
    fugue.locatedAt = input.at;
    fugue.locatedEnc = this.cipher.encryptOptional({ place: input.place }, slot('fugues', 'located_enc', fugue.id));
    await this.fugues.save(manager, fugue);
    await this.events.append(manager, {
      fugueId: fugue.id,
      type: 'located',
      actorId: caller.clientId,
      data: caller.role === 'hotline' ? { at: input.at.toISOString(), source: 'hotline' } : { at: input.at.toISOString() },
      private: { place: input.place },
    });
  }

  declareReturn(caller: Caller, id: string, input: ReturnInput, now = this.clock.now()): Promise<FugueEntity> {
    return this.change(caller, id, FOYER_ROLES, 'returned', async (manager, fugue) => {
      requireStatus(fugue, OPEN, 'declare the return of');
      checkWithinEpisode(input.returnedAt, fugue, now, 'returnedAt');
      if (fugue.locatedAt && input.returnedAt < fugue.locatedAt) throw DomainError.invalid('returnedAt', 'must not be before the time the youth was located');
      await this.connections.check(input.connections, manager);
      const details: ReturnPrivate = { place: input.place, condition: input.condition };
      fugue.status = 'returned';
      fugue.returnedAt = input.returnedAt;
      fugue.foundBy = input.foundBy;
      fugue.returnEnc = this.cipher.encryptOptional({ ...details }, slot('fugues', 'return_enc', fugue.id));
      await this.fugues.save(manager, fugue);
      await this.events.append(manager, {
        fugueId: fugue.id,
        type: 'returned',
        actorId: caller.clientId,
        data: { returnedAt: input.returnedAt.toISOString(), foundBy: input.foundBy },
        private: { ...details },
      });
      await this.connections.store(manager, fugue.id, 'return', input.connections);
    }, {
      // The loop closes once the return itself is recorded, its alert resolved and fugue.returned
      // emitted (before any return_interview.overdue of a late declaration): the police are told
      // and the return interview is scheduled.
      then: (work, fugue) => this.interviewDeadlines.onReturned(work, fugue, caller.clientId, now),
    });
  }

  closeFugue(caller: Caller, id: string, reason: string): Promise<FugueEntity> {
    return this.end(caller, id, FOYER_ROLES, 'returned', 'closed', reason);
  }

  cancelFugue(caller: Caller, id: string, reason: string): Promise<FugueEntity> {
    return this.end(caller, id, FOYER_ROLES, 'missing', 'cancelled', reason);
  }

  /**
   * Closes an episode left `returned` or `located` since before `cutoff` (the worker's sweep, see
   * AutoCloseService), with the usual effects of a close; false when it changed meanwhile.
   */
  async closeLeftOpen(id: string, cutoff: Date, afterDays: number, now: Date): Promise<boolean> {
    let closed = false;
    await this.change(SYSTEM, id, FOYER_ROLES, null, async (manager, fugue) => {
      const since = fugue.returnedAt ?? fugue.locatedAt;
      if (!LEFT_OPEN.includes(fugue.status) || !since || since >= cutoff) return 'unchanged';
      fugue.status = 'closed';
      fugue.endedAt = now;
      fugue.nextReviewAt = null;
      await this.fugues.save(manager, fugue);
      await this.events.append(manager, { fugueId: fugue.id, type: 'closed', at: now, actorId: null, data: { status: 'closed', automatic: true, afterDays } });
      closed = true;
    }, { canSee: () => true });
    return closed;
  }

  private end(caller: Caller, id: string, roles: Role[], from: FugueStatus, to: 'closed' | 'cancelled', reason: string): Promise<FugueEntity> {
    return this.change(caller, id, roles, null, async (manager, fugue) => {
      requireStatus(fugue, [from], to === 'closed' ? 'close' : 'cancel');
      fugue.status = to;
      fugue.endedAt = this.clock.now();
      fugue.endReasonEnc = this.cipher.encrypt({ reason }, slot('fugues', 'end_reason_enc', fugue.id));
      fugue.nextReviewAt = null;
      await this.fugues.save(manager, fugue);
      await this.events.append(manager, { fugueId: fugue.id, type: to, actorId: caller.clientId, data: { status: to }, private: { reason } });
    });
  }

  /** Locks the episode, checks role and scope, applies the change and asks for a re-triage, in one transaction. */
  private async change(
    caller: Caller,
    id: string,
    roles: Role[],
    triageCause: TriageCause | null,
    apply: (manager: EntityManager, fugue: FugueEntity) => Promise<void | 'unchanged'>,
    options: ChangeOptions = {},
  ): Promise<FugueEntity> {
    requireRole(caller, roles);
    return this.uow.run(async (work) => {
      const { manager } = work;
      await options.first?.(manager);
      const fugue = await this.fugues.findByIdForUpdate(manager, id);
      const visible = options.canSee ?? ((f: FugueEntity) => canSeeFugue(caller, f));
      if (!fugue || !visible(fugue)) throw DomainError.notFound('Fugue');
      const statusBefore = fugue.status;
      const levelBefore = fugue.effectiveLevel;
      const outcome = await apply(manager, fugue);
      if (outcome === 'unchanged') return fugue;
      // Before the alert is resolved: a fact its resolution tells (located, returned) is not told twice.
      await this.news.report(work, fugue.id, newsOfChange(fugue, statusBefore, levelBefore, options.news ?? null), this.clock.now(), caller);
      // Located, returned, closed or cancelled: the episode's alert stops and everyone notified is told.
      if (fugue.status !== statusBefore && fugue.status !== 'missing') {
        await this.escalation.resolveForFugue(work, fugue, fugue.status);
      }
      await this.emitWebhookEvents(work, fugue, statusBefore, levelBefore);
      await options.then?.(work, fugue);
      if (triageCause) await work.enqueue(JobName.FugueTriage, { fugueId: fugue.id, cause: triageCause });
      return fugue;
    });
  }

  /** The outbound events of a change: a new status, or an effective level set by hand. */
  private async emitWebhookEvents(work: Work, fugue: FugueEntity, statusBefore: FugueStatus, levelBefore: StoredLevel | null): Promise<void> {
    if (fugue.effectiveLevel !== levelBefore) {
      const event = fugueClassifiedEvent(fugue, levelBefore);
      await this.webhooks.emit(work, 'fugue.classified', event.data, event.scope);
    }
    if (fugue.status === statusBefore) return;
    const event =
      fugue.status === 'located'
        ? { type: 'fugue.located' as const, ...fugueLocatedEvent(fugue) }
        : fugue.status === 'returned'
          ? { type: 'fugue.returned' as const, ...fugueReturnedEvent(fugue) }
          : fugue.status === 'closed' || fugue.status === 'cancelled'
            ? { type: 'fugue.closed' as const, ...fugueClosedEvent(fugue) }
            : null;
    if (event) await this.webhooks.emit(work, event.type, event.data, event.scope);
  }
}

interface ChangeOptions {
  /** Runs first in the transaction (an inbound event's deduplication). */
  first?: (manager: EntityManager) => Promise<void>;
  /** Replaces the caller's read scope as the test of which episodes it may change. */
  canSee?: (fugue: FugueEntity) => boolean;
  /** Runs last in the transaction, after the change's own events (what the change sets off). */
  then?: (work: Work, fugue: FugueEntity) => Promise<void>;
  /** The new fact the change brings, told to the people the episode's alert reached (a sighting, an update, a hotline call). */
  news?: NewsFactType;
}

function requireStatus(fugue: FugueEntity, allowed: FugueStatus[], action: string): void {
  if (!allowed.includes(fugue.status)) {
    throw DomainError.transition(`Cannot ${action} an episode in status ${fugue.status} (allowed: ${allowed.join(', ')})`);
  }
}

function checkNotFuture(at: Date, now: Date, field: string): void {
  if (at.getTime() > now.getTime() + MAX_FUTURE_MS) throw DomainError.invalid(field, 'must not be in the future');
}

/** Between the moment the absence was noticed and now. */
function checkWithinEpisode(at: Date, fugue: FugueEntity, now: Date, field: string): void {
  checkNotFuture(at, now, field);
  if (at < fugue.noticedMissingAt) throw DomainError.invalid(field, 'must not be before noticedMissingAt');
}
