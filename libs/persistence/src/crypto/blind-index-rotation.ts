import { Client } from 'pg';
import { BlindIndex, ConnectionValue } from './blind-index';
import { DataCipher } from './data-cipher';
import { slot } from './encrypted-columns';

/**
 * Recomputes, under the current key, the blind indexes of connections computed under another
 * one (after VIGIE_DATA_KEY changed), from the normalised value kept in their encrypted value.
 * Batches in id order, one transaction each; a row changed meanwhile is left alone. Returns the
 * number of indexes recomputed and of values no key opens.
 */
export async function rotateBlindIndexes(
  client: Client,
  cipher: DataCipher,
  blindIndex: BlindIndex,
  batchSize: number,
): Promise<{ recomputed: number; unreadable: number }> {
  const result = { recomputed: 0, unreadable: 0 };
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const { rows } = await client.query<{ id: string; value_enc: string; index_key_id: string }>(
      `SELECT id::text AS id, value_enc, index_key_id FROM fugue_connections
        WHERE blind_index IS NOT NULL AND index_key_id <> $1 AND id > $2 ORDER BY id LIMIT $3`,
      [blindIndex.keyId, after, batchSize],
    );
    if (rows.length === 0) return result;
    await client.query('BEGIN');
    try {
      for (const row of rows) {
        let value: ConnectionValue;
        try {
          value = cipher.decrypt<ConnectionValue>(row.value_enc, slot('fugue_connections', 'value_enc', row.id));
        } catch {
          result.unreadable += 1;
          continue;
        }
        if (!value.indexed) continue;
        const changed = await client.query(
          `UPDATE fugue_connections SET blind_index = $1, index_key_id = $2 WHERE id = $3 AND index_key_id = $4`,
          [blindIndex.of(value.indexed.kind, value.indexed.value), blindIndex.keyId, row.id, row.index_key_id],
        );
        result.recomputed += changed.rowCount ?? 0;
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    after = rows[rows.length - 1].id;
  }
}
