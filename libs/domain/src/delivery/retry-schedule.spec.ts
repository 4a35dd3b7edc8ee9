import { JobName } from '@vigie/queue';
import { DELIVERY_KINDS } from './delivery-kinds';
import { nextAttemptAt, RetrySchedule, retryDelayMs, windowEnd } from './retry-schedule';

const { notification, webhook } = DELIVERY_KINDS;
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const at = (iso: string) => new Date(iso);

describe('the referent notification schedule', () => {
  it('waits 1 s, 5 s, 30 s, 2 min and 10 min, then every 30 min', () => {
    expect(notification.schedule.delaysMs).toEqual([SECOND, 5 * SECOND, 30 * SECOND, 2 * MINUTE, 10 * MINUTE]);
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((n) => retryDelayMs(notification.schedule, n, 0.5))).toEqual([
      SECOND,
      5 * SECOND,
      30 * SECOND,
      2 * MINUTE,
      10 * MINUTE,
      30 * MINUTE,
      30 * MINUTE,
      30 * MINUTE,
    ]);
  });

  it('does not spread its waits', () => {
    expect(retryDelayMs(notification.schedule, 1, 0)).toBe(SECOND);
    expect(retryDelayMs(notification.schedule, 1, 0.999999)).toBe(SECOND);
    expect(retryDelayMs(notification.schedule, 6, 0)).toBe(30 * MINUTE);
  });

  it('retries for 24 h from the start of the series, an attempt due on the last instant included', () => {
    const start = at('2026-03-02T10:00:00Z');
    const until = windowEnd(notification.schedule, start);
    expect(until).toEqual(at('2026-03-03T10:00:00Z'));
    expect(nextAttemptAt(notification.schedule, 6, at('2026-03-03T09:30:00Z'), until, 0.5)).toEqual(at('2026-03-03T10:00:00Z'));
    expect(nextAttemptAt(notification.schedule, 6, at('2026-03-03T09:30:00.001Z'), until, 0.5)).toBeNull();
    expect(nextAttemptAt(notification.schedule, 1, at('2026-03-02T10:00:00Z'), until, 0.5)).toEqual(at('2026-03-02T10:00:01Z'));
  });

  it('is sent at most once, its jobs counting attempts from 0', () => {
    expect(notification.guarantee).toBe('at-most-once');
    expect(notification.firstJobAttempt).toBe(0);
    const when = at('2026-03-02T10:00:05Z');
    expect(notification.timer('n-1', 3, when)).toEqual({ job: JobName.NotificationSend, notificationId: 'n-1', attempt: 3, at: when });
  });
});

describe('the outbound webhook schedule', () => {
  it('waits 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h then 24 h after each failure', () => {
    expect(webhook.schedule.delaysMs).toEqual([5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 14 * HOUR, 20 * HOUR, 24 * HOUR]);
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => retryDelayMs(webhook.schedule, n, 0.5))).toEqual(webhook.schedule.delaysMs);
  });

  it('spreads each wait by at most ±10 %, rounded to the millisecond', () => {
    expect(webhook.schedule.jitter).toBe(0.1);
    expect(retryDelayMs(webhook.schedule, 1, 0)).toBe(4500);
    expect(retryDelayMs(webhook.schedule, 1, 0.999999)).toBe(5500);
    expect(retryDelayMs(webhook.schedule, 1, 0.123456)).toBe(4623);
    expect(retryDelayMs(webhook.schedule, 9, 0)).toBe(0.9 * 24 * HOUR);
    for (let i = 0; i < 1000; i++) {
      const delay = retryDelayMs(webhook.schedule, 2) as number;
      expect(delay).toBeGreaterThanOrEqual(270_000);
      expect(delay).toBeLessThanOrEqual(330_000);
    }
  });

  it('gives up after the tenth attempt, whatever the time', () => {
    expect(retryDelayMs(webhook.schedule, 10, 0.5)).toBeNull();
    expect(nextAttemptAt(webhook.schedule, 10, at('2026-03-02T10:00:00Z'), null, 0.5)).toBeNull();
    expect(webhook.schedule.windowMs).toBeNull();
    expect(windowEnd(webhook.schedule, at('2026-03-02T10:00:00Z'))).toBeNull();
  });

  it('has no window: the last wait of a day is still taken', () => {
    expect(nextAttemptAt(webhook.schedule, 9, at('2026-03-02T10:00:00Z'), null, 0.5)).toEqual(at('2026-03-03T10:00:00Z'));
  });

  it('is sent at least once, its jobs counting attempts from 1', () => {
    expect(webhook.guarantee).toBe('at-least-once');
    expect(webhook.firstJobAttempt).toBe(1);
    const when = at('2026-03-02T10:00:05Z');
    expect(webhook.timer('d-1', 2, when)).toEqual({ job: JobName.WebhookDeliver, deliveryId: 'd-1', attempt: 2, at: when });
  });
});

describe('a schedule', () => {
  const schedule: RetrySchedule = { delaysMs: [100, 200], thenEveryMs: null, jitter: 0.5, windowMs: 1000 };

  it('applies its spread around each wait', () => {
    expect(retryDelayMs(schedule, 2, 0)).toBe(100);
    expect(retryDelayMs(schedule, 2, 0.75)).toBe(250);
    expect(retryDelayMs(schedule, 3, 0.5)).toBeNull();
  });

  it('dates the next attempt from the failure, bounded by the window when there is one', () => {
    const failedAt = at('2026-03-02T10:00:00Z');
    expect(nextAttemptAt(schedule, 1, failedAt, null, 0.5)).toEqual(at('2026-03-02T10:00:00.100Z'));
    expect(nextAttemptAt(schedule, 1, failedAt, at('2026-03-02T10:00:00.099Z'), 0.5)).toBeNull();
    expect(nextAttemptAt(schedule, 1, failedAt, at('2026-03-02T10:00:00.100Z'), 0.5)).toEqual(at('2026-03-02T10:00:00.100Z'));
    expect(windowEnd(schedule, failedAt)).toEqual(at('2026-03-02T10:00:01Z'));
  });
});
