import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { WebhookAttemptEntity, WebhookDeliveryEntity, WebhookDeliveryStatus } from '../entities/webhook-delivery.entity';
import { keysetPage, Page } from './pagination';
import { rowsOf } from './raw-rows';

export type NewWebhookAttempt = Pick<WebhookAttemptEntity, 'deliveryId' | 'attempt' | 'startedAt' | 'durationMs' | 'statusCode' | 'error' | 'succeeded'>;

/** A delivery with its event's type, for the delivery log. */
export interface WebhookDeliveryView {
  delivery: WebhookDeliveryEntity;
  eventType: string;
  attemptLog: WebhookAttemptEntity[];
}

@Injectable()
export class WebhookDeliveryRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(WebhookDeliveryEntity);
  }

  findById(id: string, manager?: EntityManager): Promise<WebhookDeliveryEntity | null> {
    return this.repo(manager).findOneBy({ id });
  }

  findByIdForUpdate(manager: EntityManager, id: string): Promise<WebhookDeliveryEntity | null> {
    return this.repo(manager).createQueryBuilder('d').setLock('pessimistic_write').where('d.id = :id', { id }).getOne();
  }

  save(manager: EntityManager, delivery: WebhookDeliveryEntity): Promise<WebhookDeliveryEntity> {
    return this.repo(manager).save(delivery);
  }

  async addAttempt(manager: EntityManager, attempt: NewWebhookAttempt): Promise<void> {
    await manager.getRepository(WebhookAttemptEntity).insert(attempt);
  }

  /** Pending deliveries whose attempt has been due for at least `graceMs` (their fast-path job was lost or is late). */
  async findOverdue(now: Date, graceMs: number, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $3::timestamptz - ($1::int * interval '1 millisecond')
        ORDER BY next_attempt_at LIMIT $2`,
      [graceMs, limit, now],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Deliveries left in `sending` by a process that died mid-attempt go back to pending: webhooks
   * are delivered at least once (receivers deduplicate on webhook-id). The lost attempt is logged.
   */
  async requeueInterrupted(now: Date, olderThanMs: number): Promise<string[]> {
    return this.dataSource.transaction(async (manager) => {
      const rows = rowsOf<{ id: string; attempts: number; sending_since: Date }>(
        await manager.query(
          `UPDATE webhook_deliveries d
              SET status = 'pending', next_attempt_at = $2, sending_since = NULL, updated_at = now(),
                  last_error = 'Interrupted while sending: outcome unknown, sent again'
             FROM (SELECT id, sending_since FROM webhook_deliveries
                    WHERE status = 'sending' AND sending_since <= $2::timestamptz - ($1::int * interval '1 millisecond')
                    FOR UPDATE SKIP LOCKED) stuck
            WHERE d.id = stuck.id
            RETURNING d.id, d.attempts, stuck.sending_since`,
          [olderThanMs, now],
        ),
      );
      for (const r of rows) {
        await this.addAttempt(manager, {
          deliveryId: r.id,
          attempt: r.attempts,
          startedAt: r.sending_since,
          durationMs: 0,
          statusCode: null,
          error: 'interrupted while sending: outcome unknown',
          succeeded: false,
        });
      }
      return rows.map((r) => r.id);
    });
  }

  /** An endpoint's deliveries, newest first, each with its attempts. */
  async listForEndpoint(endpointId: string, status: WebhookDeliveryStatus | null, limit: number, cursor: string | null): Promise<Page<WebhookDeliveryView>> {
    const qb = this.repo().createQueryBuilder('d').where('d.endpoint_id = :endpointId', { endpointId });
    if (status) qb.andWhere('d.status = :status', { status });
    const page = await keysetPage(qb, 'd.created_at', 'd.id', cursor, limit);
    const views = await this.views(page.items);
    return { items: views, nextCursor: page.nextCursor };
  }

  async view(delivery: WebhookDeliveryEntity): Promise<WebhookDeliveryView> {
    const [view] = await this.views([delivery]);
    return view;
  }

  private async views(deliveries: WebhookDeliveryEntity[]): Promise<WebhookDeliveryView[]> {
    if (deliveries.length === 0) return [];
    const ids = deliveries.map((d) => d.id);
    const types: { id: string; type: string }[] = await this.dataSource.query(
      `SELECT d.id, e.type FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE d.id = ANY($1::uuid[])`,
      [ids],
    );
    const attempts = await this.dataSource
      .getRepository(WebhookAttemptEntity)
      .createQueryBuilder('a')
      .where('a.delivery_id = ANY(:ids)', { ids })
      .orderBy('a.started_at', 'ASC')
      .addOrderBy('a.attempt', 'ASC')
      .getMany();
    const typeOf = new Map(types.map((t) => [t.id, t.type]));
    return deliveries.map((delivery) => ({
      delivery,
      eventType: typeOf.get(delivery.id) ?? '',
      attemptLog: attempts.filter((a) => a.deliveryId === delivery.id),
    }));
  }
}
