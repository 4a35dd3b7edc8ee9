import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { rowsOf } from './raw-rows';

export interface StoredIdempotency {
  requestHash: string;
  statusCode: number | null;
  responseEnc: string | null;
  /** The work committed (its response may not be stored yet). */
  committed: boolean;
  /** The lease of the request holding the key is still running. */
  leaseActive: boolean;
  createdAt: Date;
}

export type IdempotencyClaimResult = { owned: true; leaseToken: string } | { owned: false; existing: StoredIdempotency };

@Injectable()
export class IdempotencyRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Claims the key for this request with a lease: a new key, a key older than `keepHours`, or a
   * key whose holder let its lease run out without committing (it crashed before its work
   * committed, so running the request again is safe). Otherwise returns the existing row.
   */
  async claim(clientId: string, key: string, requestHash: string, leaseMs: number, keepHours: number): Promise<IdempotencyClaimResult> {
    const leaseToken = randomUUID();
    const claimed = rowsOf<unknown>(
      await this.dataSource.query(
        `INSERT INTO idempotency_keys AS k (client_id, key, request_hash, lease_token, lease_until)
         VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))
         ON CONFLICT (client_id, key) DO UPDATE
           SET request_hash = EXCLUDED.request_hash, lease_token = EXCLUDED.lease_token, lease_until = EXCLUDED.lease_until,
               created_at = now(), committed_at = NULL, status_code = NULL, response_enc = NULL
           WHERE k.created_at < now() - make_interval(hours => $6)
              OR (k.committed_at IS NULL AND k.status_code IS NULL AND k.request_hash = EXCLUDED.request_hash
                  AND coalesce(k.lease_until, '-infinity') < now())
         RETURNING key`,
        [clientId, key, requestHash, leaseToken, leaseMs / 1000, keepHours],
      ),
    );
    if (claimed.length > 0) return { owned: true, leaseToken };
    const rows: {
      request_hash: string;
      status_code: number | null;
      response_enc: string | null;
      committed: boolean;
      lease_active: boolean;
      created_at: Date;
    }[] = await this.dataSource.query(
      `SELECT request_hash, status_code, response_enc, committed_at IS NOT NULL AS committed,
              coalesce(lease_until > now(), false) AS lease_active, created_at
       FROM idempotency_keys WHERE client_id = $1 AND key = $2`,
      [clientId, key],
    );
    const row = rows[0];
    if (!row) return this.claim(clientId, key, requestHash, leaseMs, keepHours);
    return {
      owned: false,
      existing: {
        requestHash: row.request_hash,
        statusCode: row.status_code,
        responseEnc: row.response_enc,
        committed: row.committed,
        leaseActive: row.lease_active,
        createdAt: row.created_at,
      },
    };
  }

  /** Stores the response of a request that still holds the key; false when it no longer does. */
  async complete(clientId: string, key: string, leaseToken: string, statusCode: number, responseEnc: string): Promise<boolean> {
    const updated = rowsOf<unknown>(
      await this.dataSource.query(
        `UPDATE idempotency_keys SET status_code = $4, response_enc = $5, committed_at = coalesce(committed_at, now())
         WHERE client_id = $1 AND key = $2 AND lease_token = $3 RETURNING key`,
        [clientId, key, leaseToken, statusCode, responseEnc],
      ),
    );
    return updated.length > 0;
  }

  /**
   * A request failed: gives its key back when its work did not commit, so that it can be retried at
   * once; otherwise ends its lease, so that a retry learns at once that it was applied.
   */
  async release(clientId: string, key: string, leaseToken: string): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM idempotency_keys WHERE client_id = $1 AND key = $2 AND lease_token = $3 AND committed_at IS NULL AND status_code IS NULL`,
      [clientId, key, leaseToken],
    );
    await this.dataSource.query(`UPDATE idempotency_keys SET lease_until = now() WHERE client_id = $1 AND key = $2 AND lease_token = $3`, [
      clientId,
      key,
      leaseToken,
    ]);
  }
}
