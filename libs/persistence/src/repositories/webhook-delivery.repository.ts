import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { WebhookAttemptEntity, WebhookDeliveryEntity, WebhookDeliveryStatus } from '../entities/webhook-delivery.entity';
import { DeliveryRowRepository } from './delivery-rows';
import { keysetPage, Page } from './pagination';

export type NewWebhookAttempt = Pick<WebhookAttemptEntity, 'deliveryId' | 'attempt' | 'startedAt' | 'durationMs' | 'statusCode' | 'error' | 'succeeded'>;

/** A delivery with its event's type, for the delivery log. */
export interface WebhookDeliveryView {
  delivery: WebhookDeliveryEntity;
  eventType: string;
  attemptLog: WebhookAttemptEntity[];
}

/** The webhook_deliveries table: the delivery engine's queries (DeliveryRowRepository), the attempt log and the delivery log. */
@Injectable()
export class WebhookDeliveryRepository extends DeliveryRowRepository<WebhookDeliveryEntity> {
  constructor(dataSource: DataSource) {
    super(dataSource, WebhookDeliveryEntity, 'webhook_deliveries');
  }

  async addAttempt(manager: EntityManager, attempt: NewWebhookAttempt): Promise<void> {
    await manager.getRepository(WebhookAttemptEntity).insert(attempt);
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
