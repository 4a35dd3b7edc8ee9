import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface StoredIdempotency {
  requestHash: string;
  statusCode: number | null;
  responseEnc: string | null;
  createdAt: Date;
}

@Injectable()
export class IdempotencyRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Claims the key for this request; returns the existing row when another request holds it. */
  async claim(clientId: string, key: string, requestHash: string): Promise<StoredIdempotency | null> {
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO idempotency_keys (client_id, key, request_hash) VALUES ($1, $2, $3)
       ON CONFLICT (client_id, key) DO NOTHING RETURNING key`,
      [clientId, key, requestHash],
    );
    if (inserted.length > 0) return null;
    const rows: { request_hash: string; status_code: number | null; response_enc: string | null; created_at: Date }[] =
      await this.dataSource.query(
        `SELECT request_hash, status_code, response_enc, created_at FROM idempotency_keys WHERE client_id = $1 AND key = $2`,
        [clientId, key],
      );
    const row = rows[0];
    if (!row) return this.claim(clientId, key, requestHash);
    return { requestHash: row.request_hash, statusCode: row.status_code, responseEnc: row.response_enc, createdAt: row.created_at };
  }

  async complete(clientId: string, key: string, statusCode: number, responseEnc: string): Promise<void> {
    await this.dataSource.query(`UPDATE idempotency_keys SET status_code = $3, response_enc = $4 WHERE client_id = $1 AND key = $2`, [
      clientId,
      key,
      statusCode,
      responseEnc,
    ]);
  }

  async release(clientId: string, key: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM idempotency_keys WHERE client_id = $1 AND key = $2 AND status_code IS NULL`, [clientId, key]);
  }
}
