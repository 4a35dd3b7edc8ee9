import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApiClientEntity, ApiClientRepository, DataCipher, DepartmentRepository, FoyerRepository, Page, Role, slot } from '@vigie/persistence';
import { Caller } from '../access/caller';
import { Clock } from '../clock/clock';
import { DomainError } from '../errors/domain-error';
import { SECRET_ROTATION_OVERLAP_MS } from '../webhooks/webhook-endpoint.service';
import { generateApiKey, generateWebhookSecret, hashApiKey, keyPrefix } from './api-keys';
import { newRowId } from '../ids/row-id';

export interface NewApiClient {
  name: string;
  role: Role;
  foyerIds?: string[];
  departmentCodes?: string[];
}

export interface CreatedApiClient {
  client: ApiClientEntity;
  key: string;
  inboundWebhookSecret: string | null;
}

export interface RotatedInboundSecret {
  client: ApiClientEntity;
  inboundWebhookSecret: string;
}

@Injectable()
export class ApiClientService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clients: ApiClientRepository,
    private readonly foyers: FoyerRepository,
    private readonly departments: DepartmentRepository,
    private readonly cipher: DataCipher,
    private readonly clock: Clock,
  ) {}

  /** Resolves a Bearer key; revoked and unknown keys are the same: no caller. */
  async authenticate(key: string): Promise<Caller | null> {
    const client = await this.clients.findActiveByKeyHash(hashApiKey(key));
    if (!client) return null;
    return { clientId: client.id, role: client.role, foyerIds: client.foyerIds, departmentCodes: client.departmentCodes };
  }

  async createClient(input: NewApiClient): Promise<CreatedApiClient> {
    const foyerIds = [...new Set(input.foyerIds ?? [])];
    const departmentCodes = [...new Set(input.departmentCodes ?? [])];
    await this.checkScope(input.role, foyerIds, departmentCodes);
    const key = generateApiKey();
    const inboundWebhookSecret = input.role === 'hotline' ? generateWebhookSecret() : null;
    const id = newRowId();
    const client = await this.clients.create({
      id,
      name: input.name,
      role: input.role,
      keyHash: hashApiKey(key),
      keyPrefix: keyPrefix(key),
      foyerIds,
      departmentCodes,
      inboundWebhookSecretEnc: inboundWebhookSecret ? this.cipher.encrypt(inboundWebhookSecret, slot('api_clients', 'inbound_webhook_secret_enc', id)) : null,
    });
    return { client, key, inboundWebhookSecret };
  }

  /**
   * A new inbound secret for a hotline client, returned once. The previous one is still accepted
   * for 24 h, so the 116 000 can deploy the new one without a refused event; a rotation during
   * that overlap drops the oldest secret.
   */
  async rotateInboundSecret(id: string, now = this.clock.now()): Promise<RotatedInboundSecret> {
    return this.dataSource.transaction(async (manager) => {
      const client = await this.clients.findLiveForUpdate(manager, id);
      if (!client) throw DomainError.notFound('API client');
      if (!client.inboundWebhookSecretEnc) throw new DomainError('CONFLICT', 'This API client has no inbound secret: only hotline clients sign inbound events');
      const current = this.cipher.decrypt<string>(client.inboundWebhookSecretEnc, slot('api_clients', 'inbound_webhook_secret_enc', client.id));
      const inboundWebhookSecret = generateWebhookSecret();
      client.previousInboundWebhookSecretEnc = this.cipher.encrypt(current, slot('api_clients', 'previous_inbound_webhook_secret_enc', client.id));
      client.previousInboundWebhookSecretExpiresAt = new Date(now.getTime() + SECRET_ROTATION_OVERLAP_MS);
      client.inboundWebhookSecretEnc = this.cipher.encrypt(inboundWebhookSecret, slot('api_clients', 'inbound_webhook_secret_enc', client.id));
      return { client: await this.clients.save(manager, client), inboundWebhookSecret };
    });
  }

  async revokeClient(id: string): Promise<void> {
    if (!(await this.clients.revoke(id))) throw DomainError.notFound('API client');
  }

  listClients(limit: number, cursor: string | null): Promise<Page<ApiClientEntity>> {
    return this.clients.list(limit, cursor);
  }

  /** Creates the bootstrap admin from VIGIE_BOOTSTRAP_ADMIN_KEY (idempotent). */
  async ensureBootstrapAdmin(key: string): Promise<void> {
    await this.clients.ensureAdmin(hashApiKey(key), keyPrefix(key));
  }

  /** The scope rules of a role (api.md), shared by API clients and people. */
  async checkScope(role: Role, foyerIds: string[], departmentCodes: string[]): Promise<void> {
    if (role === 'foyer') {
      if (foyerIds.length === 0) throw DomainError.invalid('foyerIds', 'a foyer client needs at least one foyer');
      if (departmentCodes.length > 0) throw DomainError.invalid('departmentCodes', 'a foyer client is scoped by foyerIds only');
      const found = await this.foyers.findByIds(foyerIds);
      const missing = foyerIds.filter((id) => !found.some((f) => f.id === id));
      if (missing.length > 0) throw DomainError.invalid('foyerIds', `unknown foyer ${missing[0]}`);
      return;
    }
    if (foyerIds.length > 0) throw DomainError.invalid('foyerIds', `a ${role} client is not scoped by foyer`);
    if ((role === 'police' || role === 'child_protection') && departmentCodes.length === 0) {
      throw DomainError.invalid('departmentCodes', `a ${role} client needs at least one département`);
    }
    if (role === 'admin' && departmentCodes.length > 0) throw DomainError.invalid('departmentCodes', 'an admin client sees everything');
    for (const code of departmentCodes) {
      if (!(await this.departments.findByCode(code))) throw DomainError.invalid('departmentCodes', `unknown département ${code}`);
    }
  }
}
