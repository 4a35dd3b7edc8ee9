import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner } from 'typeorm';
import { OutboxMessage, OutboxRepository, WebhookEventRepository, WebhookEventType } from '@vigie/persistence';
import { JobName } from '@vigie/queue';
import { OutboxRelay } from '../outbox/outbox.relay';

export { WEBHOOK_EVENT_TYPES } from '@vigie/persistence';
export type { WebhookEventType } from '@vigie/persistence';

/** Which endpoints may receive an event: hotline endpoints receive worrying episodes of their départements only. */
export interface WebhookEventScope {
  departmentCode: string;
  level?: 'routine' | 'worrying' | null;
}

/**
 * Emits outbound webhook events. An event is written in the caller's transaction (the event row
 * and an outbox row asking for its fan-out), so it is never lost and never sent for a change
 * that rolled back. Bodies are thin: ids, codes, levels, statuses and times, never personal data.
 */
@Injectable()
export class WebhookEventService implements OnModuleInit {
  /** Outbox rows written in a transaction still open, published once it commits. */
  private readonly pending = new WeakMap<QueryRunner, OutboxMessage[]>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly events: WebhookEventRepository,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
  ) {}

  onModuleInit(): void {
    const subscriber: EntitySubscriberInterface = {
      afterTransactionCommit: ({ queryRunner }) => {
        if (queryRunner.isTransactionActive) return; // a savepoint released: the transaction goes on
        const messages = this.pending.get(queryRunner);
        this.pending.delete(queryRunner);
        if (messages) this.relay.publishSoon(messages);
      },
      afterTransactionRollback: ({ queryRunner }) => {
        if (!queryRunner.isTransactionActive) this.pending.delete(queryRunner);
      },
    };
    this.dataSource.subscribers.push(subscriber);
  }

  /**
   * Writes the event in the caller's transaction. Its fan-out is published right after the
   * commit (the outbox sweep publishes it anyway); a rollback drops it with the change.
   */
  async emit(
    manager: EntityManager,
    type: WebhookEventType,
    data: Record<string, unknown>,
    scope: WebhookEventScope,
  ): Promise<void> {
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) {
      const message = await manager.transaction((tx) => this.write(tx, type, data, scope));
      this.relay.publishSoon([message]);
      return;
    }
    const message = await this.write(manager, type, data, scope);
    const queued = this.pending.get(runner);
    if (queued) queued.push(message);
    else this.pending.set(runner, [message]);
  }

  /** The outbox message of an event written by a repository statement of its own (the declaration). */
  static fanoutMessage(outboxId: string, eventId: string): OutboxMessage {
    return { id: outboxId, jobName: JobName.WebhookFanout, payload: { eventId } };
  }

  private async write(manager: EntityManager, type: WebhookEventType, data: Record<string, unknown>, scope: WebhookEventScope): Promise<OutboxMessage> {
    const eventId = await this.events.insert(manager, { type, departmentCode: scope.departmentCode, level: scope.level ?? null, data });
    return this.outbox.add(manager, JobName.WebhookFanout, { eventId });
  }
}
