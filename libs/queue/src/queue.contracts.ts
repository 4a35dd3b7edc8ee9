/**
 * Queue contracts shared by the API (which enqueues) and the worker (which processes).
 * This file imports nothing from the domain, so the API can enqueue without loading worker code.
 *
 * PERSISTED NAMES: queue names and job names live in Redis and in the outbox table.
 * Never rename one; add a new name and drain the old one instead.
 */
export const QueueName = {
  Triage: 'triage',
  Escalation: 'escalation',
  Webhooks: 'webhooks',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const JobName = {
  FugueTriage: 'fugue.triage',
  AlertStep: 'alert.step',
  NotificationSend: 'notification.send',
  WebhookDeliver: 'webhook.deliver',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

/**
 * Why an episode is triaged again; shown in its classification history. `history`: the youth's
 * history changed (a return interview was recorded).
 */
export type TriageCause = 'declared' | 'updated' | 'hotline' | 'located' | 'returned' | 'override' | 'review' | 'profile' | 'history' | 'linked';

/** Job payloads carry ids, codes and times only: never names, dates of birth or free text. */
export interface JobPayloads {
  /** Triage one episode from its current facts. */
  'fugue.triage': { fugueId: string; cause: TriageCause; /** ISO time the review was due, for cause 'review' */ reviewAt?: string };
  /** Fire an escalation step that is due. The fast path: the deadline lives in PostgreSQL and a sweep fires it too. */
  'alert.step': { alertId: string; step: number };
  /** One delivery attempt of one notification row. */
  'notification.send': { notificationId: string; attempt: number };
  /** One attempt of one webhook delivery. The fast path: the due time lives in PostgreSQL and a sweep delivers it too. */
  'webhook.deliver': { deliveryId: string; attempt: number };
}

/** Jobs published through the transactional outbox; the others are timers rebuilt from PostgreSQL by sweeps. */
export type OutboxJobName = typeof JobName.FugueTriage;

/** The queue each job goes to. */
export const JOB_QUEUE: { [N in JobName]: QueueName } = {
  'fugue.triage': QueueName.Triage,
  'alert.step': QueueName.Escalation,
  'notification.send': QueueName.Escalation,
  'webhook.deliver': QueueName.Webhooks,
};

/**
 * What the worker receives: for outbox jobs, the payload plus the outbox row that asked for it and
 * the correlation id of the request that wrote the row (an id, for the logs; none for sweeps).
 */
export type JobData<N extends JobName> = N extends OutboxJobName ? JobPayloads[N] & { outboxId: string; correlationId?: string } : JobPayloads[N];

/** Deterministic job id: publishing the same outbox row twice is a no-op in BullMQ. */
export function outboxJobId(outboxId: string): string {
  return `outbox-${outboxId}`;
}

export function alertStepJobId(alertId: string, step: number): string {
  return `alert-${alertId}-step-${step}`;
}

export function notificationJobId(notificationId: string, attempt: number): string {
  return `notification-${notificationId}-attempt-${attempt}`;
}

export function webhookDeliveryJobId(deliveryId: string, attempt: number): string {
  return `webhook-${deliveryId}-attempt-${attempt}`;
}

export const ALL_JOB_NAMES = Object.values(JobName) as JobName[];
export const ALL_QUEUE_NAMES = Object.values(QueueName) as QueueName[];
