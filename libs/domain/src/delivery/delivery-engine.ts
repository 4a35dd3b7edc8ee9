import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { VigieConfig } from '@vigie/config';
import { DeliveryRowEntity, NotificationEntity, WebhookDeliveryEntity } from '@vigie/persistence';
import { DeliveryResult } from '@vigie/notifications';
import { Clock } from '../clock/clock';
import { errorSummary } from '../errors/database-errors';
import { NotificationSender } from '../escalation/notification-sender';
import { UnitOfWork } from '../unit-of-work/unit-of-work';
import { WebhookSender } from '../webhooks/webhook-sender';
import { DeliveryGuarantee, DeliveryKind, DELIVERY_KINDS } from './delivery-kinds';
import { DeliverySender } from './delivery-sender';
import { nextAttemptAt } from './retry-schedule';

/** The row of each kind of delivery. */
export interface DeliveryRowOf {
  notification: NotificationEntity;
  webhook: WebhookDeliveryEntity;
}

/** A send still `sending` after this many delivery timeouts was interrupted (its process died). */
const INTERRUPTED_AFTER_TIMEOUTS = 4;

/**
 * Pauses between the attempts at settling an outcome that is known: a database hiccup (a pool
 * connect timeout, a restart) must not leave a row `sending`, to be settled as interrupted with
 * its outcome unknown, when the message went out.
 */
const SETTLE_RETRY_MS = [250, 500, 1000, 2000];

/** The last error of a row found interrupted mid-send, by what its kind guarantees. */
const INTERRUPTED_ERROR: Record<DeliveryGuarantee, string> = {
  'at-most-once': 'Interrupted while sending: delivery unknown; replay it if it was not received',
  'at-least-once': 'Interrupted while sending: outcome unknown, sent again',
};

/**
 * Delivers one row of any kind (DELIVERY_KINDS). An attempt is claimed — the row locked, checked
 * by its sender, marked `sending` and committed — before its message leaves; the outcome is then
 * settled in a second transaction: sent, tried again on the kind's schedule (the next attempt's
 * timer added once that transaction commits) or failed for good, into the list an administrator
 * replays from. A process that dies mid-send leaves the row `sending`; the sweep settles it by
 * the kind's guarantee. Nothing a caller must dispatch is returned: timers go through the unit of work.
 */
@Injectable()
export class DeliveryEngine {
  private readonly logger = new Logger(DeliveryEngine.name);
  private readonly senders: { [K in DeliveryKind]: DeliverySender<DeliveryRowOf[K], unknown> };

  constructor(
    private readonly uow: UnitOfWork,
    private readonly config: VigieConfig,
    private readonly clock: Clock,
    notifications: NotificationSender,
    webhooks: WebhookSender,
  ) {
    this.senders = { notification: notifications, webhook: webhooks };
  }

  /** Makes the attempt that is due, if any. */
  deliver(kind: DeliveryKind, id: string, now = this.clock.now()): Promise<void> {
    return this.attempt(this.sender(kind), id, now);
  }

  /**
   * Puts a row back to pending, due now, with a new series of retries. `check` receives the row
   * under its lock (null when there is none) and throws when it may not be replayed.
   */
  replay<K extends DeliveryKind>(kind: K, id: string, check: (manager: EntityManager, row: DeliveryRowOf[K] | null) => Promise<DeliveryRowOf[K]>): Promise<DeliveryRowOf[K]> {
    const sender = this.sender(kind);
    const config = DELIVERY_KINDS[kind];
    return this.uow.run(async (work) => {
      const row = await check(work.manager, await sender.rows.findByIdForUpdate(work.manager, id));
      const now = this.clock.now();
      row.status = 'pending';
      row.nextAttemptAt = now;
      sender.restart(row, now);
      const saved = await sender.rows.save(work.manager, row);
      work.schedule(config.timer(saved.id, saved.attempts + config.firstJobAttempt, now));
      return saved;
    });
  }

  /**
   * What a sweep needs of a kind, in one statement: its pending rows due for at least `graceMs`
   * (their job was lost or is late), and whether a row was left `sending` by a process that died
   * mid-send (then `settleInterrupted` settles it).
   */
  survey(kind: DeliveryKind, now: Date, graceMs: number, limit: number): Promise<{ overdue: string[]; interrupted: boolean }> {
    return this.sender(kind).rows.survey(now, graceMs, limit, this.interruptedAfterMs());
  }

  /**
   * Settles the rows of a kind left `sending` by a process that died mid-send: failed into the
   * dead-letter list when the kind is sent at most once, back to pending when at least once.
   */
  settleInterrupted(kind: DeliveryKind, now: Date): Promise<number> {
    return this.settle(this.sender(kind), now);
  }

  /** A send still `sending` after this long was interrupted. */
  private interruptedAfterMs(): number {
    return INTERRUPTED_AFTER_TIMEOUTS * this.config.VIGIE_DELIVERY_TIMEOUT_MS;
  }

  private sender<K extends DeliveryKind>(kind: K): DeliverySender<DeliveryRowOf[K], unknown> {
    return this.senders[kind] as DeliverySender<DeliveryRowOf[K], unknown>;
  }

  private settle<R extends DeliveryRowEntity, M>(sender: DeliverySender<R, M>, now: Date): Promise<number> {
    const { guarantee } = DELIVERY_KINDS[sender.kind];
    const olderThanMs = this.interruptedAfterMs();
    return this.uow.run(async (work) => {
      const rows =
        guarantee === 'at-most-once'
          ? await sender.rows.failInterrupted(work.manager, now, olderThanMs, INTERRUPTED_ERROR[guarantee])
          : await sender.rows.requeueInterrupted(work.manager, now, olderThanMs, INTERRUPTED_ERROR[guarantee]);
      if (rows.length === 0) return 0;
      await sender.interrupted(work, rows);
      for (const { row } of rows) {
        if (guarantee === 'at-most-once') this.logger.error(`${sender.label} ${row.id} was interrupted while sending; ${sender.failedList}`);
        else this.logger.warn(`${sender.label} ${row.id} was interrupted while sending; it will be sent again`);
      }
      return rows.length;
    });
  }

  private async attempt<R extends DeliveryRowEntity, M>(sender: DeliverySender<R, M>, id: string, now: Date): Promise<void> {
    const claimed = await this.claim(sender, id, now);
    if (!claimed) return;
    const { row, message } = claimed;
    const startedAt = new Date();
    let result: DeliveryResult;
    try {
      result = await sender.send(row, message, this.config.VIGIE_DELIVERY_TIMEOUT_MS, now);
    } catch (error) {
      result = { ok: false, error: `not sent: ${errorSummary(error)}`, durationMs: Date.now() - startedAt.getTime() };
    }
    for (let retry = 0; ; retry++) {
      try {
        await this.finish(sender, row.id, row.attempts, startedAt, result);
        return;
      } catch (error) {
        if (retry >= SETTLE_RETRY_MS.length) throw error;
        this.logger.warn(`${sender.label} ${row.id}: could not record the outcome of attempt ${row.attempts} (${errorSummary(error)}); trying again`);
        await new Promise((resolve) => setTimeout(resolve, SETTLE_RETRY_MS[retry]));
      }
    }
  }

  /** Locks the row; only a due, pending row that its sender accepts is claimed, and committed before the send. */
  private claim<R extends DeliveryRowEntity, M>(sender: DeliverySender<R, M>, id: string, now: Date): Promise<{ row: R; message: M } | null> {
    return this.uow.run(async ({ manager }) => {
      const row = await sender.rows.findByIdForUpdate(manager, id);
      if (!row || row.status !== 'pending' || row.nextAttemptAt > now) return null;
      const claim = await sender.claim(manager, row, now);
      if ('refused' in claim) {
        row.status = sender.refusedStatus;
        row.lastError = claim.refused;
        await sender.rows.save(manager, row);
        return null;
      }
      row.status = 'sending';
      row.sendingSince = this.clock.now();
      row.attempts += 1;
      sender.claimed?.(row);
      await sender.rows.save(manager, row);
      return { row, message: claim.message };
    });
  }

  private finish<R extends DeliveryRowEntity, M>(sender: DeliverySender<R, M>, id: string, attempt: number, startedAt: Date, result: DeliveryResult): Promise<void> {
    const config = DELIVERY_KINDS[sender.kind];
    return this.uow.run(async (work) => {
      await sender.attempted?.(work, id, attempt, startedAt, result);
      const row = await sender.rows.findByIdForUpdate(work.manager, id);
      // Settled meanwhile by the sweep (this attempt outlived the interruption threshold): nothing more to do.
      if (!row || row.status !== 'sending' || row.attempts !== attempt) return;
      const now = this.clock.now();
      row.sendingSince = null;
      if (result.ok) {
        row.status = sender.sentStatus;
        row.lastError = null;
        await sender.settled(work, row, 'sent', result, now);
        await sender.rows.save(work.manager, row);
        return;
      }
      row.lastError = sender.describe(result).slice(0, 500);
      const final = await sender.finalFailure(work, row, result);
      const retryAt = final === null ? nextAttemptAt(config.schedule, sender.failures(row), now, sender.retryUntil(row)) : null;
      if (retryAt) {
        row.status = 'pending';
        row.nextAttemptAt = retryAt;
        await sender.settled(work, row, 'retry', result, now);
        await sender.rows.save(work.manager, row);
        work.schedule(config.timer(row.id, row.attempts + config.firstJobAttempt, retryAt));
        return;
      }
      if (final !== null) row.lastError = final;
      row.status = 'failed';
      await sender.settled(work, row, 'failed', result, now);
      await sender.rows.save(work.manager, row);
      this.logger.error(`${sender.label} ${id} failed for good after ${row.attempts} attempts; ${sender.failedList}`);
    });
  }
}
