import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner } from 'typeorm';
import { WebhookEventRepository, WebhookEventType } from '@vigie/persistence';
import { DeliveryFollowUp, WebhookJobs } from './webhook-jobs';
import { Clock } from '../clock/clock';

export { WEBHOOK_EVENT_TYPES } from '@vigie/persistence';
export type { WebhookEventType } from '@vigie/persistence';

/** Which endpoints may receive an event: hotline endpoints receive worrying episodes of their départements only. */
export interface WebhookEventScope {
  departmentCode: string;
  level?: 'routine' | 'worrying' | null;
}

/**
 * Emits outbound webhook events. An event is written in the caller's transaction with its
 * fan-out (the event row and one pending delivery per endpoint that receives it, in one
 * statement), so it is never lost and never sent for a change that rolled back. Bodies are
 * thin: ids, codes, levels, statuses and times, never personal data.
 */
@Injectable()
export class WebhookEventService implements OnModuleInit {
  /** Deliveries decided in a transaction still open, scheduled once it commits. */
  private readonly pending = new WeakMap<QueryRunner, DeliveryFollowUp[]>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly events: WebhookEventRepository,
    private readonly jobs: WebhookJobs,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    const subscriber: EntitySubscriberInterface = {
      afterTransactionCommit: ({ queryRunner }) => {
        if (queryRunner.isTransactionActive) return; // a savepoint released: the transaction goes on
        const deliveries = this.pending.get(queryRunner);
        this.pending.delete(queryRunner);
        if (deliveries) this.jobs.dispatch(deliveries);
      },
      afterTransactionRollback: ({ queryRunner }) => {
        if (!queryRunner.isTransactionActive) this.pending.delete(queryRunner);
      },
    };
    this.dataSource.subscribers.push(subscriber);
  }

  /**
   * Writes the event and its deliveries in the caller's transaction. The deliveries are scheduled
   * right after the commit (the webhook sweep delivers them anyway); a rollback drops them with
   * the change.
   */
  async emit(
    manager: EntityManager,
    type: WebhookEventType,
    data: Record<string, unknown>,
    scope: WebhookEventScope,
  ): Promise<void> {
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) {
      this.scheduleNow(await this.events.insert(this.dataSource.manager, { type, departmentCode: scope.departmentCode, level: scope.level ?? null, data }));
      return;
    }
    const { deliveryIds } = await this.events.insert(manager, { type, departmentCode: scope.departmentCode, level: scope.level ?? null, data });
    if (deliveryIds.length === 0) return;
    const followUps = this.firstAttempts(deliveryIds);
    const queued = this.pending.get(runner);
    if (queued) queued.push(...followUps);
    else this.pending.set(runner, followUps);
  }

  /** Schedules the deliveries of an event written by a statement that has committed (the declaration). */
  scheduleNow({ deliveryIds }: { deliveryIds: string[] }): void {
    if (deliveryIds.length > 0) this.jobs.dispatch(this.firstAttempts(deliveryIds));
  }

  private firstAttempts(deliveryIds: string[], at = this.clock.now()): DeliveryFollowUp[] {
    return deliveryIds.map((deliveryId) => ({ deliveryId, attempt: 1, at }));
  }
}
