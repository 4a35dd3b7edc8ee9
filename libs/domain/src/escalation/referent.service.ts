import { Injectable } from '@nestjs/common';
import { VigieConfig } from '@vigie/config';
import {
  ApiClientRepository,
  DataCipher,
  DepartmentRepository,
  FoyerRepository,
  Page,
  ReferentChannel,
  ReferentEntity,
  ReferentRepository,
  ReferentRole,
  slot,
} from '@vigie/persistence';
import { checkWebTarget, WebTargetError } from '@vigie/notifications';
import { generateWebhookSecret } from '../admin/api-keys';
import { Clock } from '../clock/clock';
import { DomainError } from '../errors/domain-error';
import { SECRET_ROTATION_OVERLAP_MS } from '../webhooks/webhook-endpoint.service';
import { newRowId } from '../ids/row-id';

export interface ReferentInput {
  displayName: string;
  role: ReferentRole;
  departmentCode: string;
  foyerId?: string | null;
  channels: ReferentChannel[];
  apiClientId?: string | null;
}

export interface SavedReferent {
  referent: ReferentEntity;
  /** The `whsec_` secret, returned once: when the referent first gets a webhook channel. */
  webhookSecret: string | null;
}

/** Referents and their channels (administrators only; the API layer checks the role). */
@Injectable()
export class ReferentService {
  constructor(
    private readonly referents: ReferentRepository,
    private readonly departments: DepartmentRepository,
    private readonly foyers: FoyerRepository,
    private readonly clients: ApiClientRepository,
    private readonly cipher: DataCipher,
    private readonly config: VigieConfig,
    private readonly clock: Clock,
  ) {}

  async createReferent(input: ReferentInput): Promise<SavedReferent> {
    await this.check(input);
    const webhookSecret = input.channels.some((c) => c.type === 'webhook') ? generateWebhookSecret() : null;
    const id = newRowId();
    const referent = await this.referents.create({
      id,
      displayName: input.displayName,
      role: input.role,
      departmentCode: input.departmentCode,
      foyerId: input.foyerId ?? null,
      channels: input.channels,
      apiClientId: input.apiClientId ?? null,
      webhookSecretEnc: webhookSecret ? this.cipher.encrypt(webhookSecret, slot('referents', 'webhook_secret_enc', id)) : null,
    });
    return { referent, webhookSecret };
  }

  async getReferent(id: string): Promise<ReferentEntity> {
    const referent = await this.referents.findActive(id);
    if (!referent) throw DomainError.notFound('Referent');
    return referent;
  }

  listReferents(filter: { departmentCode?: string; role?: ReferentRole }, limit: number, cursor: string | null): Promise<Page<ReferentEntity>> {
    return this.referents.list(filter, limit, cursor);
  }

  async updateReferent(id: string, patch: Partial<ReferentInput>): Promise<SavedReferent> {
    const referent = await this.getReferent(id);
    const merged: ReferentInput = {
      displayName: patch.displayName ?? referent.displayName,
      role: patch.role ?? referent.role,
      departmentCode: patch.departmentCode ?? referent.departmentCode,
      foyerId: patch.foyerId !== undefined ? patch.foyerId : referent.foyerId,
      channels: patch.channels ?? referent.channels,
      apiClientId: patch.apiClientId !== undefined ? patch.apiClientId : referent.apiClientId,
    };
    await this.check(merged);
    let webhookSecret: string | null = null;
    if (merged.channels.some((c) => c.type === 'webhook') && !referent.webhookSecretEnc) {
      webhookSecret = generateWebhookSecret();
      referent.webhookSecretEnc = this.cipher.encrypt(webhookSecret, slot('referents', 'webhook_secret_enc', referent.id));
    }
    Object.assign(referent, { ...merged, foyerId: merged.foyerId ?? null, apiClientId: merged.apiClientId ?? null });
    return { referent: await this.referents.save(referent), webhookSecret };
  }

  /**
   * A new webhook secret, returned once. For 24 h every webhook to the referent carries two
   * signatures, one with each secret, so the receiver can deploy the new one without missing an
   * alert; a rotation during that overlap drops the oldest secret.
   */
  async rotateWebhookSecret(id: string, now = this.clock.now()): Promise<SavedReferent & { webhookSecret: string }> {
    const referent = await this.getReferent(id);
    if (!referent.webhookSecretEnc) throw new DomainError('CONFLICT', 'This referent has no webhook secret: add a webhook channel first');
    const current = this.cipher.decrypt<string>(referent.webhookSecretEnc, slot('referents', 'webhook_secret_enc', referent.id));
    const webhookSecret = generateWebhookSecret();
    referent.previousWebhookSecretEnc = this.cipher.encrypt(current, slot('referents', 'previous_webhook_secret_enc', referent.id));
    referent.previousWebhookSecretExpiresAt = new Date(now.getTime() + SECRET_ROTATION_OVERLAP_MS);
    referent.webhookSecretEnc = this.cipher.encrypt(webhookSecret, slot('referents', 'webhook_secret_enc', referent.id));
    return { referent: await this.referents.save(referent), webhookSecret };
  }

  /** Removed referents stay in the history of the alerts that reached them. */
  async deleteReferent(id: string): Promise<void> {
    const referent = await this.getReferent(id);
    referent.deletedAt = new Date();
    await this.referents.save(referent);
  }

  private async check(input: ReferentInput): Promise<void> {
    const department = await this.departments.findByCode(input.departmentCode);
    if (!department) throw DomainError.invalid('departmentCode', 'unknown département');
    if (input.role === 'foyer_duty') {
      if (!input.foyerId) throw DomainError.invalid('foyerId', 'is required for a foyer_duty referent');
      const foyer = await this.foyers.findById(input.foyerId);
      if (!foyer) throw DomainError.invalid('foyerId', 'unknown foyer');
      if (foyer.departmentCode !== input.departmentCode) throw DomainError.invalid('foyerId', 'the foyer is in another département');
    } else if (input.foyerId) {
      throw DomainError.invalid('foyerId', 'only a foyer_duty referent belongs to a foyer');
    }
    const types = input.channels.map((c) => c.type);
    if (new Set(types).size !== types.length) throw DomainError.invalid('channels', 'at most one channel of each type');
    for (const [i, channel] of input.channels.entries()) {
      if (channel.type !== 'webhook') continue;
      try {
        await checkWebTarget(channel.url, { allowPrivate: this.config.VIGIE_ALLOW_PRIVATE_WEBHOOK_TARGETS });
      } catch (error) {
        if (error instanceof WebTargetError) throw DomainError.invalid(`channels.${i}.url`, error.message);
        throw error;
      }
    }
    if (input.apiClientId) {
      const client = await this.clients.findById(input.apiClientId);
      if (!client || client.revokedAt) throw DomainError.invalid('apiClientId', 'unknown or revoked API client');
    }
  }
}
