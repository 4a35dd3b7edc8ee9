/** PostgreSQL error helpers (driver errors carry the SQLSTATE in `code`). */
interface PgError {
  code?: string;
  constraint?: string;
  driverError?: PgError;
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = ((error as PgError)?.driverError ?? error) as PgError;
  return e?.code === '23505' && (!constraint || e.constraint === constraint);
}

/** Connection refused, reset, timed out, server shutting down or too many clients: PostgreSQL is unavailable. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = ((error as PgError)?.driverError ?? error) as PgError & { message?: string };
  if (!e) return false;
  if (e.code && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '53300', '08000', '08003', '08006'].includes(e.code)) {
    return true;
  }
  const message = e.message ?? '';
  return /Connection terminated|timeout exceeded when trying to connect|Connection refused|connect ECONNREFUSED|Client has encountered a connection error/i.test(message);
}

/**
 * What a log line may say of an error: a PostgreSQL error by its SQLSTATE and constraint, never
 * its text, which can quote the values of a row; other errors by their message.
 */
export function errorSummary(error: unknown): string {
  const e = ((error as PgError)?.driverError ?? error) as PgError & { message?: string };
  if (e?.code && /^[0-9A-Z]{5}$/.test(e.code)) return `SQLSTATE ${e.code}${e.constraint ? ` (${e.constraint})` : ''}`;
  return (error as Error)?.message ?? String(error);
}
