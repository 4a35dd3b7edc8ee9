/*
 * Temporary names for the services that still schedule their timers after their own commit:
 * escalation timers go through TimerJobs. Removed once none of them imports this file.
 */
export type { FollowUp } from '../unit-of-work/follow-ups';
export { TimerJobs as EscalationJobs } from '../unit-of-work/timer-jobs';
