import { Injectable, Logger } from '@nestjs/common';
import { VigieConfig } from '@vigie/config';
import { FugueRepository } from '@vigie/persistence';
import { Clock } from '../clock/clock';
import { FugueTransitionService } from './fugue-transition.service';

const DAY_MS = 24 * 3600 * 1000;
const BATCH = 100;
/** How often a worker looks for episodes to close (one indexed query). */
const CHECK_EVERY_MS = 60_000;

/**
 * Episodes left `returned` or `located` and never closed would keep the youth's identity forever:
 * retention counts from the close. The worker's sweep closes them VIGIE_AUTO_CLOSE_AFTER_DAYS
 * after the return (or the location), with a timeline entry and the usual effects of a close
 * (`fugue.closed`, the alert resolved if one still runs); retention then erases them as any other.
 * The time is a parameter (the Clock by default), so tests can move it.
 */
@Injectable()
export class AutoCloseService {
  private readonly logger = new Logger(AutoCloseService.name);
  private nextCheckAt = 0;

  constructor(
    private readonly fugues: FugueRepository,
    private readonly transitions: FugueTransitionService,
    private readonly config: VigieConfig,
    private readonly clock: Clock,
  ) {}

  /** Called by the worker's sweep; closes at most once a minute. Returns how many it closed. */
  async runIfDue(now = this.clock.now()): Promise<number> {
    if (now.getTime() < this.nextCheckAt) return 0;
    this.nextCheckAt = now.getTime() + CHECK_EVERY_MS;
    return this.closeLeftOpen(now);
  }

  /** Closes every episode left returned or located since more than the period before `now`. */
  async closeLeftOpen(now = this.clock.now()): Promise<number> {
    const afterDays = this.config.VIGIE_AUTO_CLOSE_AFTER_DAYS;
    const cutoff = new Date(now.getTime() - afterDays * DAY_MS);
    let closed = 0;
    for (;;) {
      const ids = await this.fugues.findLeftOpenSince(cutoff, BATCH);
      // Another worker may close some of them first: it finds them closed and skips them.
      for (const id of ids) if (await this.transitions.closeLeftOpen(id, cutoff, afterDays, now)) closed += 1;
      if (ids.length < BATCH) break;
    }
    if (closed > 0) this.logger.log(`Closed ${closed} episodes left returned or located for more than ${afterDays} days`);
    return closed;
  }
}
