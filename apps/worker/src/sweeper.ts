import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { VigieConfig } from '@vigie/config';
import { DeliverySweepService, EscalationSweepService, InterviewDeadlineService, OutboxRelay, ReviewTimerService, errorSummary } from '@vigie/domain';
import { Housekeeping } from './housekeeping';

/**
 * The periodic sweeps that make PostgreSQL the source of truth for pending work: the outbox
 * relay (publishes what the fast path missed, and re-publishes jobs lost with Redis) and the
 * review timers, escalation steps, deliveries (referent notifications and outbound webhooks) and
 * return interview deadlines, then the housekeeping chores (automatic close, retention). Several
 * workers may sweep at once: rows are claimed with SKIP LOCKED.
 */
@Injectable()
export class Sweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(Sweeper.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly config: VigieConfig,
    private readonly relay: OutboxRelay,
    private readonly reviews: ReviewTimerService,
    private readonly escalation: EscalationSweepService,
    private readonly deliveries: DeliverySweepService,
    private readonly interviews: InterviewDeadlineService,
    private readonly housekeeping: Housekeeping,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.sweep().finally(() => (this.running = null));
    }, this.config.VIGIE_SWEEP_INTERVAL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    await this.deliveries.drain();
  }

  async sweep(): Promise<void> {
    try {
      await this.reviews.fireDueReviews();
    } catch (error) {
      this.logger.warn(`Review timer sweep failed, retrying next interval: ${errorSummary(error)}`);
    }
    try {
      await this.relay.sweep();
      await this.relay.pruneIfDue();
    } catch (error) {
      this.logger.warn(`Outbox sweep failed, retrying next interval: ${errorSummary(error)}`);
    }
    try {
      // Return interview reminders and overdue marks: their notifications go out with the delivery sweep.
      await this.interviews.sweep();
    } catch (error) {
      this.logger.warn(`Interview deadline sweep failed, retrying next interval: ${errorSummary(error)}`);
    }
    try {
      await this.escalation.sweep();
    } catch (error) {
      this.logger.warn(`Escalation sweep failed, retrying next interval: ${errorSummary(error)}`);
    }
    try {
      await this.deliveries.sweep();
    } catch (error) {
      this.logger.warn(`Delivery sweep failed, retrying next interval: ${errorSummary(error)}`);
    }
    await this.housekeeping.run();
  }
}
