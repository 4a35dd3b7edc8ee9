import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { WebhookEventEntity, WebhookEventType } from '../entities/webhook-event.entity';
import { rowsOf } from './raw-rows';

export interface NewWebhookEvent {
  type: WebhookEventType;
  departmentCode: string;
  level: 'routine' | 'worrying' | null;
  data: Record<string, unknown>;
}

@Injectable()
export class WebhookEventRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Written in the caller's transaction, beside the change the event reports. */
  async insert(manager: EntityManager, event: NewWebhookEvent): Promise<string> {
    const [row]: { id: string }[] = await manager.query(
      `INSERT INTO webhook_events (type, department_code, level, data) VALUES ($1, $2, $3, $4) RETURNING id`,
      [event.type, event.departmentCode, event.level, event.data],
    );
    return row.id;
  }

  findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<WebhookEventEntity | null> {
    return manager.getRepository(WebhookEventEntity).findOneBy({ id });
  }

  /**
   * Creates one pending delivery per endpoint that receives the event: active, subscribed to its
   * type since before the event, and within its scope (département, worrying only). An endpoint owned by a hotline
   * client stops receiving when that client is revoked. Returns the new deliveries' ids; a
   * replayed fan-out creates nothing.
   */
  async fanOut(manager: EntityManager, eventId: string): Promise<string[]> {
    const rows = rowsOf<{ id: string }>(
      await manager.query(
        `INSERT INTO webhook_deliveries (event_id, endpoint_id, next_attempt_at)
         SELECT ev.id, ep.id, now()
           FROM webhook_events ev
           JOIN webhook_endpoints ep ON ep.events @> ARRAY[ev.type] AND ep.status = 'active' AND ep.deleted_at IS NULL
                                     AND ep.created_at <= ev.occurred_at
           JOIN api_clients owner ON owner.id = ep.owner_client_id
          WHERE ev.id = $1
            AND (ep.department_codes IS NULL OR ev.department_code = ANY (ep.department_codes))
            AND (NOT ep.worrying_only OR ev.level = 'worrying')
            AND (owner.role <> 'hotline' OR owner.revoked_at IS NULL)
         ON CONFLICT (event_id, endpoint_id) DO NOTHING
         RETURNING id`,
        [eventId],
      ),
    );
    await manager.query(`UPDATE webhook_events SET fanned_out_at = coalesce(fanned_out_at, now()) WHERE id = $1`, [eventId]);
    return rows.map((r) => r.id);
  }
}
