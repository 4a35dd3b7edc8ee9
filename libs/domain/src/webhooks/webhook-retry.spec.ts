import { WEBHOOK_RETRY_DELAYS_MS, webhookRetryDelayMs } from './webhook-retry';

describe('the webhook retry schedule', () => {
  it('waits 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h then 24 h after each failure', () => {
    const hours = (h: number) => h * 3600_000;
    expect(WEBHOOK_RETRY_DELAYS_MS).toEqual([5000, 300_000, 1_800_000, hours(2), hours(5), hours(10), hours(14), hours(20), hours(24)]);
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => webhookRetryDelayMs(n, 0.5))).toEqual(WEBHOOK_RETRY_DELAYS_MS);
  });

  it('spreads each wait by at most ±10 %', () => {
    expect(webhookRetryDelayMs(1, 0)).toBe(4500);
    expect(webhookRetryDelayMs(1, 0.999999)).toBe(5500);
    expect(webhookRetryDelayMs(9, 0)).toBe(0.9 * 24 * 3600_000);
    for (let i = 0; i < 1000; i++) {
      const delay = webhookRetryDelayMs(2) as number;
      expect(delay).toBeGreaterThanOrEqual(270_000);
      expect(delay).toBeLessThanOrEqual(330_000);
    }
  });

  it('gives up after the tenth attempt', () => {
    expect(webhookRetryDelayMs(10, 0.5)).toBeNull();
  });
});
