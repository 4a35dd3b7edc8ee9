/*
 * Temporary names for the webhook emission, which still schedules its deliveries after the
 * caller's commit: delivery timers go through TimerJobs. Removed once nothing imports this file.
 */
export type { DeliveryFollowUp } from '../unit-of-work/follow-ups';
export { TimerJobs as WebhookJobs } from '../unit-of-work/timer-jobs';
