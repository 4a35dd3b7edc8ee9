/**
 * What one delivery attempt on any channel gives back. Channels never throw for a delivery
 * failure: they return `ok: false` with the reason, which the caller records with the attempt.
 * `error` never holds message contents.
 */
export interface DeliveryResult {
  /** True when the recipient's server accepted the message (HTTP 2xx, SMTP accepted). */
  ok: boolean;
  /** The HTTP status or SMTP reply code, when the server answered. */
  status?: number;
  /** Why the attempt failed; absent when ok. */
  error?: string;
  /** Time spent on the attempt, in milliseconds. */
  durationMs: number;
}

/** A failure decided before anything was sent (refused target, invalid message). */
export function refused(error: string, startedAt: number): DeliveryResult {
  return { ok: false, error, durationMs: elapsedSince(startedAt) };
}

/** Milliseconds since a `performance.now()` reading, rounded. */
export function elapsedSince(startedAt: number): number {
  return Math.round(performance.now() - startedAt);
}
