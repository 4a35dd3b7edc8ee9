import { EntityManager, QueryFailedError } from 'typeorm';

interface PgClient {
  query<T>(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: T[] }>;
}

/**
 * Runs a statement of the intake and triage path as a named prepared statement: PostgreSQL
 * parses and plans it once per connection instead of on every call, which is most of what those
 * statements cost the server. A name always goes with the same text (the statements are
 * constants). Runs in the caller's transaction when it has one, otherwise on a pooled
 * connection. Errors are TypeORM's `QueryFailedError`, as for `manager.query`.
 */
export async function preparedQuery<T>(manager: EntityManager, name: string, text: string, values: unknown[]): Promise<T[]> {
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  const ownRunner = !manager.queryRunner;
  try {
    const client = (await runner.connect()) as PgClient;
    try {
      return (await client.query<T>({ name, text, values })).rows;
    } catch (error) {
      throw new QueryFailedError(text, values, error as Error);
    }
  } finally {
    if (ownRunner) await runner.release();
  }
}
