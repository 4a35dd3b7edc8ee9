import { Injectable, Logger } from '@nestjs/common';
import { AutoCloseService, RetentionService, YouthService, errorSummary } from '@vigie/domain';

/**
 * The sweep's slow chores, each at most daily or once: the automatic close of episodes left
 * returned or located, sealing vulnerability codes written in clear by an older version, and the
 * retention run. One failing never holds back the others; each retries at the next sweep.
 */
@Injectable()
export class Housekeeping {
  private readonly logger = new Logger(Housekeeping.name);
  /** No profile of this database holds vulnerability codes in clear any more. */
  private vulnerabilitiesSealed = false;

  constructor(
    private readonly autoClose: AutoCloseService,
    private readonly youths: YouthService,
    private readonly retention: RetentionService,
  ) {}

  async run(): Promise<void> {
    try {
      // Episodes nobody closed: closed before the retention run counts from their close.
      await this.autoClose.runIfDue();
    } catch (error) {
      this.logger.warn(`Automatic close failed, retrying later: ${errorSummary(error)}`);
    }
    try {
      // Profiles written before vulnerability codes were encrypted: sealed once, then never looked for again.
      if (!this.vulnerabilitiesSealed) this.vulnerabilitiesSealed = (await this.youths.sealClearVulnerabilities()) === 0;
    } catch (error) {
      this.logger.warn(`Sealing vulnerability codes failed, retrying next interval: ${errorSummary(error)}`);
    }
    try {
      // Daily, whichever worker claims the run first.
      await this.retention.runIfDue();
    } catch (error) {
      this.logger.warn(`Retention run failed, retrying later: ${errorSummary(error)}`);
    }
  }
}
