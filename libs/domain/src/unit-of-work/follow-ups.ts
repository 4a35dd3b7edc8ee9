import { JobName } from '@vigie/queue';
import type { Timer } from './timer-jobs';

/*
 * Timers in the shapes returned by the services that still schedule after their own commit
 * (escalation steps, interview deadlines, triage, webhook emission). Temporary: once each
 * schedules through `Work.schedule`, these types and `TimerJobs.dispatch` go.
 */

/** An escalation step or a first notification attempt. */
export type FollowUp = { kind: 'step'; alertId: string; step: number; at: Date } | { kind: 'send'; notificationId: string; attempt: number; at: Date };

/** A webhook delivery attempt. */
export interface DeliveryFollowUp {
  deliveryId: string;
  attempt: number;
  at: Date;
}

export function timersOf(followUps: readonly (FollowUp | DeliveryFollowUp)[]): Timer[] {
  return followUps.map((f): Timer => {
    if ('deliveryId' in f) return { job: JobName.WebhookDeliver, deliveryId: f.deliveryId, attempt: f.attempt, at: f.at };
    if (f.kind === 'step') return { job: JobName.AlertStep, alertId: f.alertId, step: f.step, at: f.at };
    return { job: JobName.NotificationSend, notificationId: f.notificationId, attempt: f.attempt, at: f.at };
  });
}
