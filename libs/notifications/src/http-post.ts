import { DeliveryResult, elapsedSince } from './delivery-result';

/**
 * POSTs a JSON body once. A 2xx answer is success; a 3xx is a failure and is not followed;
 * a timeout or network error is a failure with its reason. The response body is discarded
 * unread: nothing a receiver answers ends up in a result or a log.
 */
export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  startedAt: number,
): Promise<DeliveryResult> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      body,
      headers: { ...headers, 'content-type': 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel().catch(() => undefined);
    const { status } = response;
    const durationMs = elapsedSince(startedAt);
    if (status >= 200 && status < 300) return { ok: true, status, durationMs };
    const error = status >= 300 && status < 400 ? `redirect ${status} not followed` : `HTTP ${status}`;
    return { ok: false, status, error, durationMs };
  } catch (error) {
    return { ok: false, error: describeFetchError(error, timeoutMs), durationMs: elapsedSince(startedAt) };
  }
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  // Duck-typed: fetch's errors may come from another realm than this module's Error.
  const { name, message, cause } = (error ?? {}) as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (name === 'TimeoutError') return `timeout after ${timeoutMs} ms`;
  // fetch wraps network errors in a TypeError whose cause holds the system error code.
  if (cause?.code) return `network error: ${cause.code}`;
  if (cause?.message) return `network error: ${cause.message}`;
  return message || String(error);
}
