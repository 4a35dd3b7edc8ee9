import createClient, { type Middleware } from 'openapi-fetch';
import { RequestFailed } from './failure';
import type { components, paths } from './schema';

export { RequestFailed };

export type Schemas = components['schemas'];
export type Me = Schemas['MeResponse'];
export type Youth = Schemas['YouthResponse'];
export type Fugue = Schemas['FugueResponse'];
export type Classification = Schemas['ClassificationResponse'];
export type TimelineEntry = Schemas['TimelineEntryResponse'];
export type Interview = Schemas['InterviewResponse'];
export type ApiError = Schemas['ErrorResponse'];

/** The CSRF token of the person's session (GET /v1/me), kept in memory only. */
let csrfToken: string | null = null;
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Where the console goes when the session has ended: the sign-in page, then back here. */
export function signInAddress(next = `${location.pathname}${location.search}`): string {
  return `/connexion?next=${encodeURIComponent(next)}`;
}

const session: Middleware = {
  onRequest({ request }) {
    if (!['GET', 'HEAD', 'OPTIONS'].includes(request.method) && csrfToken) request.headers.set('X-CSRF-Token', csrfToken);
    return request;
  },
  onResponse({ response, request }) {
    // A session that ended (idle, 12 h, signed out elsewhere): back to the sign-in page, which
    // brings the person back to this address.
    if (response.status === 401 && new URL(request.url).pathname !== '/v1/me' && !location.pathname.startsWith('/connexion')) {
      csrfToken = null;
      window.dispatchEvent(new CustomEvent('vigie:signed-out'));
    }
    return response;
  },
};

/** The API client, generated from the API's OpenAPI document (schema.d.ts). Same origin, cookie session. */
export const api = createClient<paths>({ baseUrl: location.origin, credentials: 'same-origin' });
api.use(session);

/** The data of a successful answer, or a RequestFailed (status 0: the network failed). */
export async function must<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch {
    throw new RequestFailed(0, null);
  }
  if (!result.response.ok) throw new RequestFailed(result.response.status, (result.error as Partial<ApiError> | undefined) ?? null);
  return result.data as T;
}

/** A new idempotency key (a form makes one when it opens, so a double tap never declares twice). */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}
