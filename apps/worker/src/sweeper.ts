import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { VigieConfig } from '@vigie/config';
import { EscalationSweepService, OutboxRelay, ReviewTimerService } from '@vigie/domain';

/**
 * The periodic sweeps that make PostgreSQL the source of truth for pending work: the outbox
 * relay (publishes what the fast path missed, and re-publishes jobs lost with Redis) and the
 * review timers. Several workers may sweep at once: rows are claimed with SKIP LOCKED.
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
    await this.escalation.drain();
  }

  async sweep(): Promise<void> {
    try {
      await this.reviews.fireDueReviews();
      await this.relay.sweep();
    } catch (error) {
      this.logger.warn(`Sweep failed, retrying next interval: ${(error as Error).message}`);
    }
    try {
      await this.escalation.sweep();
    } catch (error) {
      this.logger.warn(`Escalation sweep failed, retrying next interval: ${(error as Error).message}`);
    }
  }
}
