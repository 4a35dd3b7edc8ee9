import { EntityManager } from 'typeorm';
import { DeliveryRowEntity, DeliveryRowRepository, InterruptedRow } from '@vigie/persistence';
import { DeliveryResult } from '@vigie/notifications';
import { Work } from '../unit-of-work/unit-of-work';
import { DeliveryKind } from './delivery-kinds';

/** Under the row's lock: what the send needs, or why the row will not be sent (kept as its last error). */
export type Claim<M> = { message: M } | { refused: string };

/** How the engine settled an attempt: sent, tried again later, or failed for good. */
export type Settlement = 'sent' | 'retry' | 'failed';

/**
 * What one kind of delivery supplies to the engine: its table, how a row is claimed or refused,
 * how its message is built and sent, and the effects of each outcome. Everything else (the lock,
 * the claim committed before the message leaves, the retry schedule, the dead-letter status,
 * replay and the sweep) is the engine's, configured by the kind's row in DELIVERY_KINDS.
 * `R` is the row, `M` what a claim hands to the send.
 */
export interface DeliverySender<R extends DeliveryRowEntity, M> {
  readonly kind: DeliveryKind;
  /** How the log names one row ("Notification", "Webhook delivery"). */
  readonly label: string;
  readonly rows: DeliveryRowRepository<R>;
  /** The status of a row once its message was accepted. */
  readonly sentStatus: R['status'];
  /** The status of a row refused at claim time. */
  readonly refusedStatus: R['status'];
  /** Where a row that failed for good waits for a person, for the log. */
  readonly failedList: string;

  /** Called under the row's lock, for a due pending row. */
  claim(manager: EntityManager, row: R, now: Date): Promise<Claim<M>>;
  /** Columns of its own stamped on a claimed row (the engine has set status, attempts and sending_since). */
  claimed?(row: R): void;
  /** Builds and sends the message; `timeoutMs` bounds the wait for the recipient. A throw is a failed attempt. */
  send(row: R, message: M, timeoutMs: number, now: Date): Promise<DeliveryResult>;
  /** The failure kept as the row's last error. */
  describe(result: DeliveryResult): string;
  /** Failures in the current series of retries: what the schedule counts. */
  failures(row: R): number;
  /** Past this time the series is over (the row's retry window), or null. */
  retryUntil(row: R): Date | null;
  /** Starts a new series on a row put back to pending by an administrator (a replay). */
  restart(row: R, now: Date): void;

  /** In the finish transaction, before the row is read: whatever becomes of the row (the attempt log). */
  attempted?(work: Work, id: string, attempt: number, startedAt: Date, result: DeliveryResult): Promise<void>;
  /** A failure that ends the series at once: the error to keep, with its effects (410: the endpoint disabled); null to follow the schedule. */
  finalFailure(work: Work, row: R, result: DeliveryResult): Promise<string | null>;
  /** In the finish transaction, before the row is saved: its own columns and effects (timeline events). */
  settled(work: Work, row: R, settlement: Settlement, result: DeliveryResult, now: Date): Promise<void>;
  /** In the sweep's transaction: effects on rows the sweep found interrupted mid-send. */
  interrupted(work: Work, rows: InterruptedRow<R>[]): Promise<void>;
}
