/**
 * Every encrypted column of the schema, by table, with the columns that identify a row. Each
 * ciphertext is bound to its table, column and row (AES-GCM associated data), so a value copied
 * to another row or column does not decrypt; `npm run rotate-data-key` re-encrypts exactly these.
 * A new `*_enc` column must be listed here (a test compares this list with the schema).
 */
export const ENCRYPTED_COLUMNS = {
  youths: { rowKey: ['id'], columns: ['identity_enc'] },
  fugues: { rowKey: ['id'], columns: ['details_enc', 'located_enc', 'return_enc', 'end_reason_enc', 'override_reason_enc'] },
  fugue_updates: { rowKey: ['id'], columns: ['private_enc'] },
  fugue_events: { rowKey: ['id'], columns: ['private_enc'] },
  alerts: { rowKey: ['id'], columns: ['acknowledgement_note_enc'] },
  return_interviews: { rowKey: ['id'], columns: ['answers_enc'] },
  api_clients: { rowKey: ['id'], columns: ['inbound_webhook_secret_enc', 'previous_inbound_webhook_secret_enc'] },
  referents: { rowKey: ['id'], columns: ['webhook_secret_enc', 'previous_webhook_secret_enc'] },
  webhook_endpoints: { rowKey: ['id'], columns: ['secret_enc', 'previous_secret_enc'] },
  idempotency_keys: { rowKey: ['client_id', 'key'], columns: ['response_enc'] },
  fugue_connections: { rowKey: ['id'], columns: ['value_enc'] },
} as const;

export type EncryptedTable = keyof typeof ENCRYPTED_COLUMNS;
export type EncryptedColumn<T extends EncryptedTable> = (typeof ENCRYPTED_COLUMNS)[T]['columns'][number];

/** Where a ciphertext lives: its associated data. */
export interface CipherSlot {
  readonly associatedData: Buffer;
}

/** The place of one value: table, column and the row's key (several columns for a composite key). */
export function slot<T extends EncryptedTable>(table: T, column: EncryptedColumn<T>, rowId: string | readonly string[]): CipherSlot {
  const ids = typeof rowId === 'string' ? [rowId] : [...rowId];
  return { associatedData: Buffer.from(JSON.stringify(['vigie', table, column, ...ids]), 'utf8') };
}
