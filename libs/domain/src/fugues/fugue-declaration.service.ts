import { Injectable } from '@nestjs/common';
import { DataCipher, FugueEntity, FugueRepository, slot, YouthRepository } from '@vigie/persistence';
import { JobName, JobPayloads } from '@vigie/queue';
import { Caller, requireRole } from '../access/caller';
import { DomainError } from '../errors/domain-error';
import { isUniqueViolation } from '../errors/database-errors';
import { WebhookEventService } from '../webhooks/webhook-event.service';
import { DeclareFugueInput, MAX_FUTURE_MS, MAX_PAST_MS } from './fugue.types';
import { Clock } from '../clock/clock';
import { UnitOfWork, Work } from '../unit-of-work/unit-of-work';
import { ConnectionService } from '../links/connection.service';
import { hasConnections } from '../links/connections';
import { newRowId } from '../ids/row-id';

@Injectable()
export class FugueDeclarationService {
  constructor(
    private readonly youths: YouthRepository,
    private readonly fugues: FugueRepository,
    private readonly uow: UnitOfWork,
    private readonly cipher: DataCipher,
    private readonly webhooks: WebhookEventService,
    private readonly clock: Clock,
    private readonly connections: ConnectionService,
  ) {}

  /**
   * Records a fugue, asks for its triage and emits `fugue.declared` with its deliveries in the same
   * statement (transactional outbox); answers without waiting for the triage. The episode's id is
   * chosen here, so that the triage request and the event are built before the insert.
   */
  async declareFugue(caller: Caller, input: DeclareFugueInput, now = this.clock.now()): Promise<FugueEntity> {
    requireRole(caller, ['admin', 'foyer']);
    checkDeclarationTimes(input, now);
    await this.connections.check(input.connections);
    // With connections, the episode and its facts are written in one transaction (the triage reads both).
    const unit = <T>(body: (work: Work) => Promise<T>): Promise<T> =>
      hasConnections(input.connections) ? this.uow.run(body) : this.uow.statement(body);
    try {
      const id = newRowId();
      const triage: JobPayloads[typeof JobName.FugueTriage] = { fugueId: id, cause: 'declared' };
      const declared = await unit(async (work) => {
        const written = await this.fugues.insertDeclared(
          work.manager,
          {
            id,
            youthId: input.youthId,
            noticedMissingAt: input.noticedMissingAt,
            lastSeenAt: input.lastSeenAt ?? null,
            departedWith: input.departedWith ?? null,
            belongings: input.belongings ?? null,
            indicators: [...new Set(input.indicators ?? [])],
            staffConcernWorrying: input.staffConcern ? input.staffConcern.worrying : null,
            detailsEnc: this.cipher.encryptOptional({
              lastSeenPlace: input.lastSeenPlace,
              clothing: input.clothing,
              circumstances: input.circumstances,
              vehicle: input.vehicle,
              staffConcernNote: input.staffConcern?.note,
              policeReport: input.policeReport,
            }, slot('fugues', 'details_enc', id)),
            createdBy: caller.clientId,
          },
          // The statement looks the youth up: its foyer and département go into the event's data.
          { foyerIds: caller.role === 'foyer' ? caller.foyerIds : null },
          { jobName: JobName.FugueTriage, payload: { ...triage } },
          {
            type: 'fugue.declared',
            level: null,
            data: { fugueId: id, noticedMissingAt: input.noticedMissingAt.toISOString(), status: 'missing' },
          },
        );
        if (written) {
          await this.connections.store(work.manager, id, 'report', input.connections);
          work.written(written.triage);
          this.webhooks.deliveriesWritten(work, written.webhookEvent.deliveryIds);
        }
        return written;
      });
      if (!declared) return await this.refusal(caller, input.youthId);
      return declared.fugue;
    } catch (error) {
      if (isUniqueViolation(error, 'fugues_one_open_per_youth_key')) {
        throw new DomainError('FUGUE_ALREADY_OPEN', 'This youth already has an episode in missing or located status');
      }
      throw error;
    }
  }

  /**
   * Why the declaration statement found no youth to declare, read on this error path only: an
   * unknown youth or one outside the caller's foyers is not found; an erased one (before, or by a
   * retention run that held it meanwhile) can take no episode.
   */
  private async refusal(caller: Caller, youthId: string): Promise<never> {
    const youth = await this.youths.findWithDepartment(youthId);
    if (!youth || (caller.role === 'foyer' && !caller.foyerIds.includes(youth.foyerId))) throw DomainError.notFound('Youth');
    if (youth.erased) throw DomainError.transition('The personal data of this youth has been erased');
    // In scope now, not when the statement ran (moved into one of the caller's foyers meanwhile).
    throw DomainError.notFound('Youth');
  }
}

function checkDeclarationTimes(input: DeclareFugueInput, now: Date): void {
  const t0 = input.noticedMissingAt.getTime();
  if (t0 > now.getTime() + MAX_FUTURE_MS) throw DomainError.invalid('noticedMissingAt', 'must not be more than 5 minutes in the future');
  if (t0 < now.getTime() - MAX_PAST_MS) throw DomainError.invalid('noticedMissingAt', 'must not be more than 365 days in the past');
  if (input.lastSeenAt && input.lastSeenAt.getTime() > t0) throw DomainError.invalid('lastSeenAt', 'must not be after noticedMissingAt');
}
