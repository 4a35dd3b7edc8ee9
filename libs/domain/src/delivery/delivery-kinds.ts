import { NOTIFICATION_RETRY_WINDOW_MS } from '@vigie/persistence';
import { JobName } from '@vigie/queue';
import type { Timer } from '../unit-of-work/timer-jobs';
import type { RetrySchedule } from './retry-schedule';

/**
 * What becomes of a send interrupted by a crash, when nobody knows whether the message left:
 * `at-most-once` fails it into the dead-letter list, where an administrator decides whether to
 * replay it; `at-least-once` sends it again (the receiver deduplicates).
 */
export type DeliveryGuarantee = 'at-most-once' | 'at-least-once';

export interface DeliveryKindConfig {
  readonly guarantee: DeliveryGuarantee;
  /** When a failed attempt is tried again. */
  readonly schedule: RetrySchedule;
  /**
   * The number the job of a row's first attempt carries; the job of each later attempt counts on
   * from there. Persisted in job ids (notifications count from 0, webhook deliveries from 1).
   */
  readonly firstJobAttempt: 0 | 1;
  /** The timer job of one attempt, added once the transaction that decided it commits. */
  timer(id: string, attempt: number, at: Date): Timer;
}

export type DeliveryKind = 'notification' | 'webhook';

/**
 * Every kind of delivery the engine runs, and all that differs between them but the sender.
 * A new kind is a row here, a sender (delivery-sender.ts) and a Timer variant.
 */
export const DELIVERY_KINDS: Readonly<Record<DeliveryKind, DeliveryKindConfig>> = {
  /** Messages to referents (e-mail, SMS, referent webhook): 1 s, 5 s, 30 s, 2 min, 10 min, then every 30 min, for 24 h. */
  notification: {
    guarantee: 'at-most-once',
    schedule: { delaysMs: [1000, 5000, 30_000, 120_000, 600_000], thenEveryMs: 1_800_000, jitter: 0, windowMs: NOTIFICATION_RETRY_WINDOW_MS },
    firstJobAttempt: 0,
    timer: (notificationId, attempt, at) => ({ job: JobName.NotificationSend, notificationId, attempt, at }),
  },
  /**
   * Outbound webhook events to subscribed endpoints: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h,
   * 20 h, 24 h, each spread by ±10 %; after the tenth attempt the delivery fails for good.
   */
  webhook: {
    guarantee: 'at-least-once',
    schedule: { delaysMs: [5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 86_400].map((s) => s * 1000), thenEveryMs: null, jitter: 0.1, windowMs: null },
    firstJobAttempt: 1,
    timer: (deliveryId, attempt, at) => ({ job: JobName.WebhookDeliver, deliveryId, attempt, at }),
  },
};
