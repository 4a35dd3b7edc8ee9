import type { components } from './schema';

/** Raised for any answer that is not a success, with what the console needs to explain it (status 0: no answer). */
export class RequestFailed extends Error {
  constructor(
    readonly status: number,
    readonly body: Partial<components['schemas']['ErrorResponse']> | null,
  ) {
    super(body?.message ?? `HTTP ${status}`);
  }
}
