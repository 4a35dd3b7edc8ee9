import { Client } from 'pg';
import { DataCipher } from './data-cipher';
import { ENCRYPTED_COLUMNS, EncryptedColumn, EncryptedTable, slot } from './encrypted-columns';

export interface RotationProgress {
  table: string;
  column: string;
  /** Values of this column re-encrypted so far in this run. */
  rewritten: number;
  /** Values of this column that needed it when the column was started. */
  total: number;
  /** Values no key opens; left as they are. */
  unreadable: number;
}

export interface RotationResult {
  rewritten: number;
  unreadable: number;
}

/**
 * Re-encrypts every value of every encrypted column that is not written with the current key
 * (values of VIGIE_DATA_KEY_PREVIOUS, and values stored before key ids, which gain their
 * associated data on the way). Batches of `batchSize` rows, one transaction each, in row-key
 * order: a run that is stopped loses at most its current batch, and a new run takes only what is
 * left. A row changed meanwhile by the service is left alone (the service writes with the
 * current key anyway).
 */
export async function rotateDataKey(
  client: Client,
  cipher: DataCipher,
  options: { batchSize: number; onProgress?: (progress: RotationProgress) => void; onUnreadable?: (where: { table: string; column: string; rowId: string[] }) => void },
): Promise<RotationResult> {
  const result: RotationResult = { rewritten: 0, unreadable: 0 };
  const current = `v2.${cipher.keyId}.`;
  for (const table of Object.keys(ENCRYPTED_COLUMNS) as EncryptedTable[]) {
    const { rowKey, columns } = ENCRYPTED_COLUMNS[table];
    const keyList = rowKey.map((k) => `"${k}"`).join(', ');
    for (const column of columns as readonly EncryptedColumn<typeof table>[]) {
      const pending = `"${column}" IS NOT NULL AND NOT starts_with("${column}", $1)`;
      const total = Number((await client.query(`SELECT count(*) AS n FROM "${table}" WHERE ${pending}`, [current])).rows[0].n);
      const progress: RotationProgress = { table, column, rewritten: 0, total, unreadable: 0 };
      let after: string[] | null = null;
      while (total > 0) {
        const keyset: string = after ? ` AND (${keyList}) > (${rowKey.map((_, i) => `$${i + 3}`).join(', ')})` : '';
        const selected: { rows: Record<string, string>[] } = await client.query<Record<string, string>>(
          `SELECT ${rowKey.map((k) => `"${k}"::text AS "${k}"`).join(', ')}, "${column}" AS value
             FROM "${table}" WHERE ${pending}${keyset} ORDER BY ${keyList} LIMIT $2`,
          [current, options.batchSize, ...(after ?? [])],
        );
        const rows = selected.rows;
        if (rows.length === 0) break;
        await client.query('BEGIN');
        try {
          for (const row of rows) {
            const rowId = rowKey.map((k) => row[k]);
            let rewritten: string;
            try {
              rewritten = cipher.reencrypt(row.value, slot(table, column, rowId));
            } catch {
              progress.unreadable += 1;
              options.onUnreadable?.({ table, column, rowId });
              continue;
            }
            const changed = await client.query(
              `UPDATE "${table}" SET "${column}" = $1 WHERE ${rowKey.map((k, i) => `"${k}" = $${i + 3}`).join(' AND ')} AND "${column}" = $2`,
              [rewritten, row.value, ...rowId],
            );
            progress.rewritten += changed.rowCount ?? 0;
          }
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
        const last: Record<string, string> = rows[rows.length - 1];
        after = rowKey.map((k) => last[k]);
        options.onProgress?.({ ...progress });
      }
      if (total === 0) options.onProgress?.({ ...progress });
      result.rewritten += progress.rewritten;
      result.unreadable += progress.unreadable;
    }
  }
  return result;
}
