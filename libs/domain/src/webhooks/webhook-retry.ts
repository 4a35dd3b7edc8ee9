/**
 * Waits after each failed attempt (integrations.md § Outbound webhooks): 5 s, 5 min, 30 min,
 * 2 h, 5 h, 10 h, 14 h, 20 h, 24 h; after the tenth attempt the delivery fails for good.
 */
export const WEBHOOK_RETRY_DELAYS_MS = [5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 86_400].map((s) => s * 1000);

/** Each wait is spread by up to ±10 % so that receivers coming back are not hit all at once. */
export const WEBHOOK_RETRY_JITTER = 0.1;

/**
 * The wait before the next attempt after `failedAttempts` failures in a row (1 for the first),
 * or null when the schedule is exhausted. `random` is a number in [0, 1).
 */
export function webhookRetryDelayMs(failedAttempts: number, random: number = Math.random()): number | null {
  const base = WEBHOOK_RETRY_DELAYS_MS[failedAttempts - 1];
  if (base === undefined) return null;
  return Math.round(base * (1 - WEBHOOK_RETRY_JITTER + 2 * WEBHOOK_RETRY_JITTER * random));
}
