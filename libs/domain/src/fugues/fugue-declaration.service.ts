import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataCipher, FugueEntity, FugueRepository, slot, YouthRepository } from '@vigie/persistence';
import { JobName, JobPayloads } from '@vigie/queue';
import { Caller, requireRole } from '../access/caller';
import { DomainError } from '../errors/domain-error';
import { isUniqueViolation } from '../errors/database-errors';
import { WebhookEventService } from '../webhooks/webhook-events.service';
import { DeclareFugueInput, MAX_FUTURE_MS, MAX_PAST_MS } from './fugue.types';
import { Clock } from '../clock/clock';
import { UnitOfWork } from '../unit-of-work/unit-of-work';

@Injectable()
export class FugueDeclarationService {
  constructor(
    private readonly youths: YouthRepository,
    private readonly fugues: FugueRepository,
    private readonly uow: UnitOfWork,
    private readonly cipher: DataCipher,
    private readonly webhooks: WebhookEventService,
    private readonly clock: Clock,
  ) {}

  /**
   * Records a fugue, asks for its triage and emits `fugue.declared` with its deliveries in the same
   * statement (transactional outbox); answers without waiting for the triage. The episode's id is
   * chosen here, so that the triage request and the event are built before the insert.
   */
  async declareFugue(caller: Caller, input: DeclareFugueInput, now = this.clock.now()): Promise<FugueEntity> {
    requireRole(caller, ['admin', 'foyer']);
    checkDeclarationTimes(input, now);
    const youth = await this.youths.findWithDepartment(input.youthId);
    if (!youth || (caller.role === 'foyer' && !caller.foyerIds.includes(youth.foyerId))) throw DomainError.notFound('Youth');
    if (youth.erased) throw DomainError.transition('The personal data of this youth has been erased');
    try {
      const id = randomUUID();
      const triage: JobPayloads[typeof JobName.FugueTriage] = { fugueId: id, cause: 'declared' };
      const declared = await this.uow.statement(async (work) => {
        const written = await this.fugues.insertDeclared(
          work.manager,
          {
            id,
            youthId: youth.id,
            foyerId: youth.foyerId,
            departmentCode: youth.departmentCode,
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
          { jobName: JobName.FugueTriage, payload: { ...triage } },
          {
            type: 'fugue.declared',
            departmentCode: youth.departmentCode,
            level: null,
            data: {
              fugueId: id,
              departmentCode: youth.departmentCode,
              foyerId: youth.foyerId,
              noticedMissingAt: input.noticedMissingAt.toISOString(),
              status: 'missing',
            },
          },
        );
        if (written) {
          work.written(written.triage);
          this.webhooks.deliveriesWritten(work, written.webhookEvent.deliveryIds);
        }
        return written;
      });
      // Erased between the lookup and the insert, by a retention run that held the youth.
      if (!declared) throw DomainError.transition('The personal data of this youth has been erased');
      return declared.fugue;
    } catch (error) {
      if (isUniqueViolation(error, 'fugues_one_open_per_youth_key')) {
        throw new DomainError('FUGUE_ALREADY_OPEN', 'This youth already has an episode in missing or located status');
      }
      throw error;
    }
  }
}

function checkDeclarationTimes(input: DeclareFugueInput, now: Date): void {
  const t0 = input.noticedMissingAt.getTime();
  if (t0 > now.getTime() + MAX_FUTURE_MS) throw DomainError.invalid('noticedMissingAt', 'must not be more than 5 minutes in the future');
  if (t0 < now.getTime() - MAX_PAST_MS) throw DomainError.invalid('noticedMissingAt', 'must not be more than 365 days in the past');
  if (input.lastSeenAt && input.lastSeenAt.getTime() > t0) throw DomainError.invalid('lastSeenAt', 'must not be after noticedMissingAt');
}
