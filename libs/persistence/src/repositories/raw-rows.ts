import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

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

/**
 * Builds an entity from a raw row that holds its table's columns (`SELECT t.* …`), converting
 * each value as TypeORM does when it loads the entity itself. Columns absent from the row are
 * left unset.
 */
export function entityFromRow<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, row: Record<string, unknown>): T {
  const metadata = manager.connection.getMetadata(target);
  const entity = metadata.create() as T;
  for (const column of metadata.columns) {
    if (column.databaseName in row) column.setEntityValue(entity, manager.connection.driver.prepareHydratedValue(row[column.databaseName], column));
  }
  return entity;
}

const columnLists = new WeakMap<object, Map<string, string>>();

/**
 * The select list of an entity's columns (`alias.column, …`), for raw statements read back with
 * `entityFromRow`. Listing the columns, rather than `alias.*`, keeps a prepared statement valid
 * when a later migration adds a column while the process runs.
 */
export function columnList<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, alias: string): string {
  const metadata = manager.connection.getMetadata(target);
  let byAlias = columnLists.get(metadata);
  if (!byAlias) columnLists.set(metadata, (byAlias = new Map()));
  let list = byAlias.get(alias);
  if (!list) byAlias.set(alias, (list = metadata.columns.map((c) => `${alias}.${c.databaseName}`).join(', ')));
  return list;
}
