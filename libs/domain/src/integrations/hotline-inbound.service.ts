import { Injectable, Logger } from '@nestjs/common';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { ApiClientEntity, ApiClientRepository, DataCipher, FugueEntity, InboundEventRepository, slot } from '@vigie/persistence';
import { Caller } from '../access/caller';
import { DomainError } from '../errors/domain-error';
import { FugueTransitionService } from '../fugues/fugue-transition.service';
import { HotlineCallInput, HotlineLocatedInput, InboundClaim } from './hotline.types';
import { Clock } from '../clock/clock';

/** Standard Webhooks' tolerance on `webhook-timestamp`, either way. */
export const INBOUND_TOLERANCE_SECONDS = 5 * 60;
const WEBHOOK_ID = /^[\x21-\x7e]{1,255}$/;

export type HotlineEvent =
  | { type: 'hotline.call_received'; data: HotlineCallInput & { fugueId: string } }
  | { type: 'hotline.child_located'; data: HotlineLocatedInput & { fugueId: string } };

/** What a hotline person or key reports about one episode through the API: an event's facts, the episode in the path. */
export type HotlineReport = { type: 'hotline.call_received'; data: HotlineCallInput } | { type: 'hotline.child_located'; data: HotlineLocatedInput };

/** The Standard Webhooks headers of an inbound request, as received. */
export interface InboundHeaders {
  'webhook-id'?: string;
  'webhook-timestamp'?: string;
  'webhook-signature'?: string;
}

class AlreadyReceived extends Error {}

/**
 * Events the 116 000 sends (integrations.md § Inbound events). They are authenticated by their
 * Standard Webhooks signature alone: the sender is the active hotline client whose
 * inboundWebhookSecret verifies the raw body. Each event id is recorded in the transaction of its
 * effect, so a replay answers 200 and changes nothing.
 */
@Injectable()
export class HotlineInboundService {
  private readonly logger = new Logger(HotlineInboundService.name);

  constructor(
    private readonly clients: ApiClientRepository,
    private readonly inbound: InboundEventRepository,
    private readonly cipher: DataCipher,
    private readonly transitions: FugueTransitionService,
    private readonly clock: Clock,
  ) {}

  /**
   * Identifies the hotline client that signed `rawBody` (the exact bytes received).
   * @throws DomainError UNAUTHENTICATED for a missing, malformed, stale or unknown signature.
   */
  async authenticate(rawBody: Buffer | undefined, headers: InboundHeaders, now = new Date()): Promise<{ hotline: Caller; webhookId: string }> {
    const id = headers['webhook-id'];
    const timestamp = headers['webhook-timestamp'];
    const signature = headers['webhook-signature'];
    if (!id || !timestamp || !signature) return this.refuse('Missing webhook-id, webhook-timestamp or webhook-signature header');
    if (!rawBody || rawBody.length === 0) return this.refuse('Missing signed body');
    const seconds = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : NaN;
    if (!(Math.abs(now.getTime() / 1000 - seconds) <= INBOUND_TOLERANCE_SECONDS)) {
      return this.refuse(`webhook-timestamp is not within ${INBOUND_TOLERANCE_SECONDS / 60} minutes of now`);
    }
    for (const client of await this.clients.findActiveHotlineSenders()) {
      // The signature's timestamp is checked against the machine's clock (the sender's), the overlap against the service's.
      const signed = this.inboundSecrets(client, this.clock.now()).some((secret) => {
        try {
          new Webhook(secret).verify(rawBody, { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature }, { jsonParse: false });
          return true;
        } catch (error) {
          if (error instanceof WebhookVerificationError) return false;
          throw error;
        }
      });
      if (!signed) continue;
      if (!WEBHOOK_ID.test(id)) throw DomainError.invalid('webhook-id', 'must be 1 to 255 visible ASCII characters');
      const hotline: Caller = { clientId: client.id, role: client.role, foyerIds: client.foyerIds, departmentCodes: client.departmentCodes };
      return { hotline, webhookId: id };
    }
    return this.refuse('Invalid webhook signature');
  }

  /** The client's inbound secret, and the previous one while a rotation is in its 24 h overlap. */
  private inboundSecrets(client: ApiClientEntity, at: Date): string[] {
    const secrets = [this.cipher.decrypt<string>(client.inboundWebhookSecretEnc as string, slot('api_clients', 'inbound_webhook_secret_enc', client.id))];
    if (client.previousInboundWebhookSecretEnc && client.previousInboundWebhookSecretExpiresAt && client.previousInboundWebhookSecretExpiresAt > at) {
      secrets.push(this.cipher.decrypt<string>(client.previousInboundWebhookSecretEnc, slot('api_clients', 'previous_inbound_webhook_secret_enc', client.id)));
    }
    return secrets;
  }

  /** Applies a verified event once. Returns 'duplicate' when this webhook-id was already received. */
  async receiveEvent(hotline: Caller, webhookId: string, event: HotlineEvent): Promise<'accepted' | 'duplicate'> {
    const claim: InboundClaim = async (manager) => {
      if (!(await this.inbound.recordOnce(manager, hotline.clientId, webhookId, event.type))) throw new AlreadyReceived();
    };
    try {
      switch (event.type) {
        case 'hotline.call_received':
          await this.transitions.recordHotlineCall(hotline, event.data.fugueId, event.data, claim);
          break;
        case 'hotline.child_located':
          await this.transitions.markLocatedByHotline(hotline, event.data.fugueId, event.data, claim);
          break;
      }
      return 'accepted';
    } catch (error) {
      if (error instanceof AlreadyReceived) return 'duplicate';
      if (error instanceof DomainError && error.code === 'NOT_FOUND') {
        // For follow-up: ids only, never the event's contents.
        this.logger.warn(`Inbound ${event.type} ${webhookId} from hotline client ${hotline.clientId}: episode ${event.data.fugueId} unknown or outside its scope`);
      }
      throw error;
    }
  }

  /**
   * The same facts as a signed event, sent by a hotline person (session) or key (bearer) about
   * episode `fugueId`: the same effects, role and scope rules. Retries are deduplicated by the
   * request's Idempotency-Key, not by a webhook-id.
   */
  async receiveReport(hotline: Caller, fugueId: string, report: HotlineReport): Promise<FugueEntity> {
    switch (report.type) {
      case 'hotline.call_received':
        return this.transitions.recordHotlineCall(hotline, fugueId, report.data, null);
      case 'hotline.child_located':
        return this.transitions.markLocatedByHotline(hotline, fugueId, report.data, null);
    }
  }

  private refuse(reason: string): never {
    this.logger.warn(`Inbound hotline event refused: ${reason}`);
    throw new DomainError('UNAUTHENTICATED', reason);
  }
}
