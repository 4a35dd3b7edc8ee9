import { Injectable } from '@nestjs/common';
import { InboundEventRepository, WebhookEventRepository } from '@vigie/persistence';
import { Clock } from '../clock/clock';

/** Inbound event ids are kept at least this long: beyond any sender's retry horizon. */
export const INBOUND_EVENT_RETENTION_DAYS = 7;
/** Settled outbound events (every delivery delivered or failed) are kept this long, with their deliveries and attempts. */
export const WEBHOOK_HISTORY_DAYS = 30;
const PRUNE_EVERY_MS = 3600_000;

/**
 * Bounds the webhook tables: once an hour per process, forgets inbound event ids past their
 * retention and settled outbound events past WEBHOOK_HISTORY_DAYS.
 */
@Injectable()
export class WebhookHousekeepingService {
  private lastPrune = 0;

  constructor(
    private readonly inbound: InboundEventRepository,
    private readonly events: WebhookEventRepository,
    private readonly clock: Clock,
  ) {}

  async pruneIfDue(now = this.clock.nowMs()): Promise<void> {
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    await this.inbound.pruneOlderThan(INBOUND_EVENT_RETENTION_DAYS);
    await this.events.pruneSettled(WEBHOOK_HISTORY_DAYS);
  }
}
