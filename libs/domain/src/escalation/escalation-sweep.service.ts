import { Injectable, Logger } from '@nestjs/common';
import { AlertRepository } from '@vigie/persistence';
import { errorSummary } from '../errors/database-errors';
import { EscalationService } from './escalation.service';
import { Clock } from '../clock/clock';

const BATCH = 50;

/**
 * The escalation auditor: whatever Redis lost or delayed, PostgreSQL still knows. Each sweep
 * fires the steps whose time has come; their notifications are delivered by the delivery sweep.
 */
@Injectable()
export class EscalationSweepService {
  private readonly logger = new Logger(EscalationSweepService.name);

  constructor(
    private readonly alerts: AlertRepository,
    private readonly escalation: EscalationService,
    private readonly clock: Clock,
  ) {}

  async sweep(): Promise<void> {
    const now = this.clock.now();
    for (const { id, step } of await this.alerts.findDueSteps(now, BATCH)) {
      // One alert whose step keeps failing must not hold back the others' steps.
      try {
        await this.escalation.fireStep(id, step);
      } catch (error) {
        this.logger.error(`Step ${step} of alert ${id} could not fire, retrying next sweep: ${errorSummary(error)}`);
      }
    }
  }
}
