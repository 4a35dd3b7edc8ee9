import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { WebhookEndpointEntity } from '../entities/webhook-endpoint.entity';
import { keysetPage, Page } from './pagination';

export type NewWebhookEndpoint = Pick<
  WebhookEndpointEntity,
  'id' | 'url' | 'events' | 'description' | 'secretEnc' | 'ownerClientId' | 'departmentCodes' | 'worryingOnly'
>;

@Injectable()
export class WebhookEndpointRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(WebhookEndpointEntity);
  }

  create(endpoint: NewWebhookEndpoint): Promise<WebhookEndpointEntity> {
    return this.repo().save(this.repo().create({ ...endpoint, status: 'active', previousSecretEnc: null, previousSecretExpiresAt: null }));
  }

  /** A live (not deleted) endpoint. */
  findLive(id: string, manager?: EntityManager): Promise<WebhookEndpointEntity | null> {
    return this.repo(manager).createQueryBuilder('e').where('e.id = :id AND e.deleted_at IS NULL', { id }).getOne();
  }

  findLiveForUpdate(manager: EntityManager, id: string): Promise<WebhookEndpointEntity | null> {
    return this.repo(manager).createQueryBuilder('e').setLock('pessimistic_write').where('e.id = :id AND e.deleted_at IS NULL', { id }).getOne();
  }

  /** Any endpoint, deleted ones included (a delivery keeps its endpoint). */
  findById(id: string, manager?: EntityManager): Promise<WebhookEndpointEntity | null> {
    return this.repo(manager).findOneBy({ id });
  }

  save(manager: EntityManager, endpoint: WebhookEndpointEntity): Promise<WebhookEndpointEntity> {
    return this.repo(manager).save(endpoint);
  }

  /** Live endpoints, newest first; `ownerClientId` restricts them to one owner's. */
  async list(ownerClientId: string | null, limit: number, cursor: string | null): Promise<Page<WebhookEndpointEntity>> {
    const qb = this.repo().createQueryBuilder('e').where('e.deleted_at IS NULL');
    if (ownerClientId) qb.andWhere('e.owner_client_id = :ownerClientId', { ownerClientId });
    return keysetPage(qb, 'e.created_at', 'e.id', cursor, limit);
  }
}
