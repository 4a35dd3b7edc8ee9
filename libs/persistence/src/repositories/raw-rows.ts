/**
 * TypeORM's PostgreSQL driver returns `[rows, affectedCount]` for UPDATE and DELETE queries
 * and plain rows otherwise; this gives the rows in both cases.
 */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}
