import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { ApiClientEntity } from '../entities/api-client.entity';
import { Page, keysetPage } from './pagination';
import { preparedQuery } from './prepared';

@Injectable()
export class ApiClientRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(ApiClientEntity);
  }

  /** The hotline clients that may sign inbound events: not revoked, with an inbound secret. */
  findActiveHotlineSenders(): Promise<ApiClientEntity[]> {
    return this.repo
      .createQueryBuilder('c')
      .where(`c.role = 'hotline' AND c.revoked_at IS NULL AND c.inbound_webhook_secret_enc IS NOT NULL`)
      .orderBy('c.created_at', 'ASC')
      .getMany();
  }

  /**
   * Read on every request, so a revocation takes effect on the next one. Plain SQL: this is on
   * the hot path of every route, and the query builder's cost showed there.
   */
  async findActiveByKeyHash(keyHash: string): Promise<ApiClientEntity | null> {
    const rows: {
      id: string;
      name: string;
      role: ApiClientEntity['role'];
      key_hash: string;
      key_prefix: string;
      foyer_ids: string[];
      department_codes: string[];
      inbound_webhook_secret_enc: string | null;
      created_at: Date;
      revoked_at: Date | null;
    }[] = await preparedQuery(
      this.dataSource.manager,
      'vigie_api_client_by_key',
      `SELECT id, name, role, key_hash, key_prefix, foyer_ids, department_codes, inbound_webhook_secret_enc, created_at, revoked_at
         FROM api_clients WHERE key_hash = $1 AND revoked_at IS NULL`,
      [keyHash],
    );
    const row = rows[0];
    if (!row) return null;
    return Object.assign(new ApiClientEntity(), {
      id: row.id,
      name: row.name,
      role: row.role,
      keyHash: row.key_hash,
      keyPrefix: row.key_prefix,
      foyerIds: row.foyer_ids,
      departmentCodes: row.department_codes,
      inboundWebhookSecretEnc: row.inbound_webhook_secret_enc,
      createdAt: row.created_at,
      revokedAt: row.revoked_at,
    });
  }

  findById(id: string): Promise<ApiClientEntity | null> {
    return this.repo.findOneBy({ id });
  }

  /** `id` is given when an encrypted column is bound to it. */
  create(
    input: Omit<ApiClientEntity, 'createdAt' | 'revokedAt' | 'previousInboundWebhookSecretEnc' | 'previousInboundWebhookSecretExpiresAt'>,
  ): Promise<ApiClientEntity> {
    return this.repo.save(this.repo.create({ ...input, revokedAt: null, previousInboundWebhookSecretEnc: null, previousInboundWebhookSecretExpiresAt: null }));
  }

  /** A live client, locked until the end of `manager`'s transaction. */
  findLiveForUpdate(manager: EntityManager, id: string): Promise<ApiClientEntity | null> {
    return manager.getRepository(ApiClientEntity).createQueryBuilder('c').setLock('pessimistic_write').where('c.id = :id AND c.revoked_at IS NULL', { id }).getOne();
  }

  save(manager: EntityManager, client: ApiClientEntity): Promise<ApiClientEntity> {
    return manager.getRepository(ApiClientEntity).save(client);
  }

  async revoke(id: string): Promise<boolean> {
    const result = await this.repo.update({ id, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
    return (result.affected ?? 0) > 0;
  }

  async list(limit: number, cursor: string | null): Promise<Page<ApiClientEntity>> {
    const qb = this.repo.createQueryBuilder('c');
    return keysetPage(qb, 'c.created_at', 'c.id', cursor, limit);
  }

  /** Makes the bootstrap key an active admin client (idempotent across restarts and processes). */
  async ensureAdmin(keyHash: string, keyPrefix: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO api_clients (name, role, key_hash, key_prefix)
       SELECT 'bootstrap admin', 'admin', $1, $2
       WHERE NOT EXISTS (SELECT 1 FROM api_clients WHERE key_hash = $1 AND revoked_at IS NULL)
       ON CONFLICT (key_hash) DO NOTHING`,
      [keyHash, keyPrefix],
    );
  }
}
