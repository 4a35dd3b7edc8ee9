import type { LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { DeliveryResult, elapsedSince } from './delivery-result';

/**
 * POSTs a JSON body once. A 2xx answer is success; a 3xx is a failure and is not followed;
 * a timeout or network error is a failure with its reason. The response body is discarded
 * unread: nothing a receiver answers ends up in a result or a log.
 *
 * `pinned`: the addresses `checkWebTarget` checked. The connection goes to one of them and the
 * name is not resolved again, so a name that changes its answer between the check and the
 * connection cannot lead to an address that was not checked. TLS still verifies the
 * certificate against the URL's host name. Every attempt opens its own connection.
 */
export function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  startedAt: number,
  pinned: readonly LookupAddress[] | null = null,
): Promise<DeliveryResult> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: DeliveryResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      finish({ ok: false, error: 'not a valid absolute URL', durationMs: elapsedSince(startedAt) });
      return;
    }
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        agent: false,
        ...(pinned && pinned.length > 0 ? { lookup: pinnedLookup(pinned) } : {}),
      },
      (response) => {
        const status = response.statusCode ?? 0;
        response.destroy();
        const durationMs = elapsedSince(startedAt);
        if (status >= 200 && status < 300) return finish({ ok: true, status, durationMs });
        const error = status >= 300 && status < 400 ? `redirect ${status} not followed` : `HTTP ${status}`;
        finish({ ok: false, status, error, durationMs });
      },
    );
    const timer = setTimeout(() => {
      finish({ ok: false, error: `timeout after ${timeoutMs} ms`, durationMs: elapsedSince(startedAt) });
      request.destroy();
    }, timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) => {
      finish({ ok: false, error: `network error: ${error.code ?? error.message}`, durationMs: elapsedSince(startedAt) });
    });
    request.end(body);
  });
}

/** A DNS lookup that answers with the checked addresses only (of the family asked, if any). */
export function pinnedLookup(addresses: readonly LookupAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const family = options.family === 4 || options.family === 6 ? options.family : null;
    const usable = family ? addresses.filter((a) => a.family === family) : [...addresses];
    if (usable.length === 0) {
      callback(Object.assign(new Error('no checked address of the family asked'), { code: 'ENOTFOUND' }), '', 0);
    } else if (options.all) {
      (callback as (error: null, addresses: LookupAddress[]) => void)(null, usable);
    } else {
      callback(null, usable[0].address, usable[0].family);
    }
  };
}
