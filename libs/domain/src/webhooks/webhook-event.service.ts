import { Injectable } from '@nestjs/common';
import { WebhookEventRepository, WebhookEventType } from '@vigie/persistence';
import { JobName } from '@vigie/queue';
import { Clock } from '../clock/clock';
import { Timer } from '../unit-of-work/timer-jobs';
import { Work } from '../unit-of-work/unit-of-work';

export { WEBHOOK_EVENT_TYPES } from '@vigie/persistence';
export type { WebhookEventType } from '@vigie/persistence';

/** Which endpoints may receive an event: hotline endpoints receive worrying episodes of their départements only. */
export interface WebhookEventScope {
  departmentCode: string;
  level?: 'routine' | 'worrying' | null;
}

/**
 * Emits outbound webhook events. An event is written in the caller's work with its fan-out (the
 * event row and one pending delivery per endpoint that receives it, in one statement), so it is
 * never lost and never sent for a change that rolled back. Bodies are thin: ids, codes, levels,
 * statuses and times, never personal data.
 */
@Injectable()
export class WebhookEventService {
  constructor(
    private readonly events: WebhookEventRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * Writes the event and its deliveries in the caller's work. The first attempts are scheduled
   * once it commits (the webhook sweep delivers them anyway); a rollback drops them with the change.
   */
  async emit(work: Work, type: WebhookEventType, data: Record<string, unknown>, scope: WebhookEventScope): Promise<void> {
    const { deliveryIds } = await this.events.insert(work.manager, { type, departmentCode: scope.departmentCode, level: scope.level ?? null, data });
    this.deliveriesWritten(work, deliveryIds);
  }

  /** Schedules the first attempts of deliveries the work wrote itself (the declaration's statement). */
  deliveriesWritten(work: Work, deliveryIds: readonly string[], at = this.clock.now()): void {
    work.schedule(...deliveryIds.map((deliveryId): Timer => ({ job: JobName.WebhookDeliver, deliveryId, attempt: 1, at })));
  }
}
