import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { rowsOf } from './raw-rows';

@Injectable()
export class InboundEventRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Records an inbound event id in the caller's transaction, with the event's effect. Returns
   * false when the sender already sent this id (a replay: the caller does nothing).
   */
  async recordOnce(manager: EntityManager, clientId: string, webhookId: string, type: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO inbound_events (client_id, webhook_id, type) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING webhook_id`,
      [clientId, webhookId, type],
    );
    return rows.length === 1;
  }

  async isKnown(clientId: string, webhookId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM inbound_events WHERE client_id = $1 AND webhook_id = $2`, [clientId, webhookId]);
    return rows.length === 1;
  }

  /** Ids older than the retention are forgotten (kept at least 7 days, beyond any sender's retry horizon). */
  async pruneOlderThan(days: number): Promise<number> {
    return rowsOf<unknown>(
      await this.dataSource.query(`DELETE FROM inbound_events WHERE received_at < now() - ($1::int * interval '1 day') RETURNING 1`, [days]),
    ).length;
  }
}
