import { Injectable } from '@nestjs/common';
import {
  DataCipher,
  FugueEntity,
  FugueEventRepository,
  InterviewAnswers,
  InterviewListFilter,
  InterviewScope,
  Page,
  ReturnInterviewEntity,
  ReturnInterviewRepository,
  Role,
  slot,
} from '@vigie/persistence';
import { JobName } from '@vigie/queue';
import { Caller, requireRole } from '../access/caller';
import { DomainError } from '../errors/domain-error';
import { EscalationService } from '../escalation/escalation.service';
import { answersOf, RecordInterviewInput, recordProblems, referralsToStore, revealsDanger } from './interview-rules';
import { ReferentNotifier } from './referent-notifier';
import { Clock } from '../clock/clock';
import { ConnectionService } from '../links/connection.service';
import { hasConnections } from '../links/connections';
import { LinkEffectsService } from '../links/link-effects.service';
import { UnitOfWork, Work } from '../unit-of-work/unit-of-work';

/** Reading interviews: the foyer for its foyers, child protection for its départements, admin everywhere. */
const READ_ROLES: Role[] = ['admin', 'foyer', 'child_protection'];
/** Recording is a carer's act: the foyer, or child protection managing it (api.md § Roles and scopes). */
const RECORD_ROLES: Role[] = ['foyer', 'child_protection'];

/** An interview with its free-text answers decrypted, for a caller in scope (audited at the edge). */
export interface InterviewRecord {
  interview: ReturnInterviewEntity;
  answers: InterviewAnswers;
}

@Injectable()
export class ReturnInterviewService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly interviews: ReturnInterviewRepository,
    private readonly events: FugueEventRepository,
    private readonly cipher: DataCipher,
    private readonly notifier: ReferentNotifier,
    private readonly escalation: EscalationService,
    private readonly clock: Clock,
    private readonly connections: ConnectionService,
    private readonly linkEffects: LinkEffectsService,
  ) {}

  listInterviews(caller: Caller, filter: InterviewListFilter, limit: number, cursor: string | null): Promise<Page<ReturnInterviewEntity>> {
    requireRole(caller, READ_ROLES);
    return this.interviews.list(interviewScope(caller), filter, limit, cursor);
  }

  async getInterview(caller: Caller, id: string): Promise<InterviewRecord> {
    requireRole(caller, READ_ROLES);
    const interview = await this.interviews.findById(id);
    if (!interview || !canSeeInterview(caller, interview)) throw DomainError.notFound('Return interview');
    return this.withAnswers(interview);
  }

  /**
   * Records the outcome, once. What the interview reveals acts at once: the disclosure roles are
   * notified and SIGNALEMENT_PROCUREUR joins the referrals; a completed interview re-triages the
   * youth's open episode, if any (it is a fact of PRIOR_EXPLOITATION_DISCLOSURE).
   */
  async recordInterview(caller: Caller, id: string, input: RecordInterviewInput, now = this.clock.now()): Promise<InterviewRecord> {
    requireRole(caller, RECORD_ROLES);
    const interview = await this.uow.run(async (work) => {
      const { manager } = work;
      const interview = await this.interviews.findByIdForUpdate(manager, id);
      if (!interview || !canSeeInterview(caller, interview)) throw DomainError.notFound('Return interview');
      if (interview.status !== 'scheduled') throw DomainError.transition(`This return interview is already recorded (${interview.status})`);
      if (interview.erasedAt) throw DomainError.transition('The personal data of this episode has been erased');
      const problems = recordProblems(input, interview.returnedAt, now);
      if (problems.length > 0) throw new DomainError('VALIDATION_FAILED', 'The request is invalid', problems);
      await this.connections.check(input.connections, manager);

      const { referrals, signalementAdded } = referralsToStore(input);
      interview.status = input.outcome;
      interview.conductedAt = input.conductedAt ?? null;
      interview.interviewerIndependent = input.interviewerIndependent ?? null;
      interview.pushFactors = [...new Set(input.pushFactors ?? [])];
      interview.pullFactors = [...new Set(input.pullFactors ?? [])];
      interview.exploitationIndicators = [...new Set(input.exploitationIndicators ?? [])];
      interview.disclosedSexualExploitation = input.disclosures?.sexualExploitation ?? false;
      interview.disclosedViolence = input.disclosures?.violence ?? false;
      interview.disclosedSexualViolence = input.disclosures?.sexualViolence ?? false;
      interview.substanceUse = input.substanceUse ?? null;
      interview.safetyAdviceGiven = input.safetyAdviceGiven ?? null;
      interview.referrals = referrals;
      interview.answersEnc = this.cipher.encryptOptional({ ...answersOf(input) }, slot('return_interviews', 'answers_enc', interview.id));
      interview.recordedAt = now;
      interview.recordedBy = caller.clientId;
      await this.interviews.save(manager, interview);
      await this.events.append(manager, {
        fugueId: interview.fugueId,
        type: 'interview.recorded',
        at: now,
        actorId: caller.clientId,
        data: {
          interviewId: interview.id,
          outcome: interview.status,
          conductedAt: interview.conductedAt?.toISOString() ?? null,
          late: interview.status === 'completed' && !!interview.conductedAt && interview.conductedAt > interview.dueAt,
        },
      });
      if (revealsDanger(input)) await this.notifyDisclosure(work, interview, signalementAdded, caller.clientId, now);
      if (interview.status === 'completed') await this.retriageOpenEpisode(work, interview.youthId);
      // The youth is now known to be exploited: the open episodes linked to theirs gain PEER_EXPLOITED.
      if (interview.status === 'completed' && (interview.disclosedSexualExploitation || interview.exploitationIndicators.length > 0)) {
        await this.linkEffects.retriagePeersOf(work, interview.youthId);
      }
      if (hasConnections(input.connections)) {
        await this.connections.store(manager, interview.fugueId, 'interview', input.connections);
        // The episode's links are evaluated with its triage.
        await work.enqueue(JobName.FugueTriage, { fugueId: interview.fugueId, cause: 'linked' });
      }
      return interview;
    });
    return this.withAnswers(interview);
  }

  private async notifyDisclosure(work: Work, interview: ReturnInterviewEntity, signalementAdded: boolean, actorId: string, now: Date): Promise<void> {
    const { manager } = work;
    const policy = await this.escalation.policyFor(interview.departmentCode, manager);
    const roles = policy.disclosure.notify;
    const sent = await this.notifier.notify(
      work,
      {
        kind: 'interview.disclosure',
        fugue: { id: interview.fugueId, departmentCode: interview.departmentCode, foyerId: interview.foyerId },
        roles,
        dedupKey: `interview:${interview.id}:disclosure`,
        fallbackToDepartmentDuty: true,
      },
      now,
    );
    await this.events.append(manager, {
      fugueId: interview.fugueId,
      type: 'interview.disclosure',
      at: now,
      actorId,
      data: {
        interviewId: interview.id,
        roles,
        fallbackToDepartmentDuty: sent.fallback,
        referents: sent.referentIds,
        notifications: sent.notificationIds.length,
        signalementAdded,
      },
    });
  }

  /** The youth's history changed: their episode still open, if any, is triaged again (cause `history`). */
  private async retriageOpenEpisode(work: Work, youthId: string): Promise<void> {
    const open = await work.manager
      .getRepository(FugueEntity)
      .createQueryBuilder('f')
      .select('f.id')
      .where(`f.youth_id = :youthId AND f.status IN ('missing', 'located')`, { youthId })
      .getOne();
    if (open) await work.enqueue(JobName.FugueTriage, { fugueId: open.id, cause: 'history' });
  }

  private withAnswers(interview: ReturnInterviewEntity): InterviewRecord {
    return { interview, answers: this.cipher.decryptOptional<InterviewAnswers>(interview.answersEnc, slot('return_interviews', 'answers_enc', interview.id)) ?? {} };
  }
}

/** Interviews follow the scope of their episode: its foyer for the foyer role, its département for child protection. */
export function interviewScope(caller: Caller): InterviewScope {
  switch (caller.role) {
    case 'admin':
      return { foyerIds: null, departmentCodes: null };
    case 'foyer':
      return { foyerIds: caller.foyerIds, departmentCodes: null };
    case 'child_protection':
    case 'police':
    case 'hotline':
      return { foyerIds: null, departmentCodes: caller.departmentCodes };
  }
}

export function canSeeInterview(caller: Caller, interview: Pick<ReturnInterviewEntity, 'foyerId' | 'departmentCode'>): boolean {
  if (!READ_ROLES.includes(caller.role)) return false;
  const scope = interviewScope(caller);
  if (scope.foyerIds && !scope.foyerIds.includes(interview.foyerId)) return false;
  if (scope.departmentCodes && !scope.departmentCodes.includes(interview.departmentCode)) return false;
  return true;
}
