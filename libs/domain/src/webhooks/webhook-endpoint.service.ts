import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { VigieConfig } from '@vigie/config';
import {
  DataCipher,
  Page,
  slot,
  WEBHOOK_EVENT_TYPES,
  WebhookDeliveryRepository,
  WebhookDeliveryStatus,
  WebhookDeliveryView,
  WebhookEndpointEntity,
  WebhookEndpointRepository,
  WebhookEventType,
} from '@vigie/persistence';
import { checkWebTarget, WebTargetError } from '@vigie/notifications';
import { Caller, requireRole } from '../access/caller';
import { generateWebhookSecret } from '../admin/api-keys';
import { DeliveryEngine } from '../delivery/delivery-engine';
import { DomainError } from '../errors/domain-error';
import { Clock } from '../clock/clock';
import { newRowId } from '../ids/row-id';

/** After a rotation, the previous secret still signs (beside the new one) this long. */
export const SECRET_ROTATION_OVERLAP_MS = 24 * 3600_000;

export interface WebhookEndpointInput {
  url: string;
  events: WebhookEventType[];
  description?: string | null;
}

/** An endpoint with its secret in clear: only right after creation or a rotation. */
export interface EndpointWithSecret {
  endpoint: WebhookEndpointEntity;
  secret: string;
}

const MANAGERS = ['admin', 'hotline'] as const;

/**
 * Subscribers' endpoints. An administrator manages every endpoint; a hotline client manages its
 * own, which receive only events of worrying episodes in its départements.
 */
@Injectable()
export class WebhookEndpointService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly endpoints: WebhookEndpointRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly cipher: DataCipher,
    private readonly engine: DeliveryEngine,
    private readonly config: VigieConfig,
    private readonly clock: Clock,
  ) {}

  async createEndpoint(caller: Caller, input: WebhookEndpointInput): Promise<EndpointWithSecret> {
    requireRole(caller, MANAGERS);
    await this.checkUrl(input.url);
    const unknown = input.events.find((type) => !WEBHOOK_EVENT_TYPES.includes(type));
    if (unknown) throw DomainError.invalid('events', `unknown event type ${unknown}`);
    const secret = generateWebhookSecret();
    const hotline = caller.role === 'hotline';
    const id = newRowId();
    const endpoint = await this.endpoints.create({
      id,
      url: input.url,
      events: [...new Set(input.events)],
      description: input.description ?? null,
      secretEnc: this.cipher.encrypt(secret, slot('webhook_endpoints', 'secret_enc', id)),
      ownerClientId: caller.clientId,
      departmentCodes: hotline && caller.departmentCodes.length > 0 ? caller.departmentCodes : null,
      worryingOnly: hotline,
    });
    return { endpoint, secret };
  }

  listEndpoints(caller: Caller, limit: number, cursor: string | null): Promise<Page<WebhookEndpointEntity>> {
    requireRole(caller, MANAGERS);
    return this.endpoints.list(caller.role === 'admin' ? null : caller.clientId, limit, cursor);
  }

  async getEndpoint(caller: Caller, id: string): Promise<WebhookEndpointEntity> {
    requireRole(caller, MANAGERS);
    const endpoint = await this.endpoints.findLive(id);
    if (!endpoint || !canManage(caller, endpoint)) throw DomainError.notFound('Webhook endpoint');
    return endpoint;
  }

  /** Stops every delivery to the endpoint; its deliveries stay listed. */
  async deleteEndpoint(caller: Caller, id: string): Promise<void> {
    await this.update(caller, id, (endpoint) => {
      endpoint.deletedAt = this.clock.now();
    });
  }

  /**
   * A new secret, returned once. The previous one keeps signing beside it for 24 h, so a
   * subscriber can deploy the new secret without losing an event. A rotation during the overlap
   * of the previous one drops the oldest secret.
   */
  async rotateSecret(caller: Caller, id: string, now = this.clock.now()): Promise<EndpointWithSecret> {
    const secret = generateWebhookSecret();
    const endpoint = await this.update(caller, id, (endpoint) => {
      // Each column binds its ciphertext: the current secret is re-encrypted for the previous one's place.
      const current = this.cipher.decrypt<string>(endpoint.secretEnc, slot('webhook_endpoints', 'secret_enc', endpoint.id));
      endpoint.previousSecretEnc = this.cipher.encrypt(current, slot('webhook_endpoints', 'previous_secret_enc', endpoint.id));
      endpoint.previousSecretExpiresAt = new Date(now.getTime() + SECRET_ROTATION_OVERLAP_MS);
      endpoint.secretEnc = this.cipher.encrypt(secret, slot('webhook_endpoints', 'secret_enc', endpoint.id));
    });
    return { endpoint, secret };
  }

  /** Re-enables an endpoint disabled after a 410; its failed deliveries can then be redelivered. */
  enableEndpoint(caller: Caller, id: string): Promise<WebhookEndpointEntity> {
    return this.update(caller, id, (endpoint) => {
      endpoint.status = 'active';
      endpoint.disabledReason = null;
      endpoint.disabledAt = null;
    });
  }

  async listDeliveries(
    caller: Caller,
    endpointId: string,
    status: WebhookDeliveryStatus | null,
    limit: number,
    cursor: string | null,
  ): Promise<Page<WebhookDeliveryView>> {
    const endpoint = await this.getEndpoint(caller, endpointId);
    return this.deliveries.listForEndpoint(endpoint.id, status, limit, cursor);
  }

  /**
   * Sends a delivery again now, with a fresh retry schedule, whatever its outcome so far (a
   * failed one, or one the subscriber lost). 409 while an attempt is under way or when the
   * endpoint is disabled.
   */
  async redeliver(caller: Caller, deliveryId: string): Promise<WebhookDeliveryView> {
    requireRole(caller, MANAGERS);
    const delivery = await this.engine.replay('webhook', deliveryId, async (manager, delivery) => {
      const endpoint = delivery ? await this.endpoints.findLive(delivery.endpointId, manager) : null;
      if (!delivery || !endpoint || !canManage(caller, endpoint)) throw DomainError.notFound('Webhook delivery');
      if (endpoint.status !== 'active') throw new DomainError('CONFLICT', 'The endpoint is disabled; enable it first');
      if (delivery.status === 'sending') throw new DomainError('CONFLICT', 'An attempt of this delivery is under way');
      return delivery;
    });
    return this.deliveries.view(delivery);
  }

  private async update(caller: Caller, id: string, change: (endpoint: WebhookEndpointEntity) => void): Promise<WebhookEndpointEntity> {
    requireRole(caller, MANAGERS);
    return this.dataSource.transaction(async (manager) => {
      const endpoint = await this.endpoints.findLiveForUpdate(manager, id);
      if (!endpoint || !canManage(caller, endpoint)) throw DomainError.notFound('Webhook endpoint');
      change(endpoint);
      return this.endpoints.save(manager, endpoint);
    });
  }

  private async checkUrl(url: string): Promise<void> {
    try {
      await checkWebTarget(url, { allowPrivate: this.config.VIGIE_ALLOW_PRIVATE_WEBHOOK_TARGETS });
    } catch (error) {
      if (error instanceof WebTargetError) throw DomainError.invalid('url', error.message);
      throw error;
    }
  }
}

/** Administrators manage every endpoint, a hotline client its own. */
function canManage(caller: Caller, endpoint: WebhookEndpointEntity): boolean {
  return caller.role === 'admin' || endpoint.ownerClientId === caller.clientId;
}
