import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import {
  DataCipher,
  DepartmentRepository,
  FugueEntity,
  FugueEventRepository,
  FugueRepository,
  OutboxRepository,
  ReturnInterviewRepository,
  YouthEntity,
  YouthIdentity,
} from '@vigie/persistence';
import { JobData, JobName } from '@vigie/queue';
import { FollowUp } from '../escalation/escalation-jobs';
import { EscalationService } from '../escalation/escalation.service';
import { classify } from '../triage/triage.rules';
import { Classification, HistoryEpisode, HistoryInterview, Level, TriageInput } from '../triage/triage.types';
import { fugueClassifiedEvent } from '../webhooks/webhook-event-data';
import { WebhookEventService } from '../webhooks/webhook-events.service';

const RANK: Record<Level, number> = { routine: 0, worrying: 1 };

export interface TriageOutcome {
  /** False when this request had already been handled (a replayed job). */
  applied: boolean;
  classification: Classification | null;
  effectiveLevel: Level | null;
  previousEffectiveLevel: Level | null;
  /** Milliseconds from the request (outbox row) to the stored classification. */
  latencyMs: number | null;
  /** Escalation timers to start once committed. */
  followUps: FollowUp[];
}

const SKIPPED: TriageOutcome = { applied: false, classification: null, effectiveLevel: null, previousEffectiveLevel: null, latencyMs: null, followUps: [] };

/**
 * Runs the ruleset on an episode's current facts and stores the result. Idempotent: the
 * classification is keyed by the outbox row that asked for it, and that row is marked processed
 * in the same transaction, so a replayed or re-run job changes nothing.
 */
@Injectable()
export class FugueTriageService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly fugues: FugueRepository,
    private readonly events: FugueEventRepository,
    private readonly outbox: OutboxRepository,
    private readonly departments: DepartmentRepository,
    private readonly cipher: DataCipher,
    private readonly escalation: EscalationService,
    private readonly webhooks: WebhookEventService,
    private readonly interviews: ReturnInterviewRepository,
  ) {}

  triageFugue(job: JobData<typeof JobName.FugueTriage>, now = new Date()): Promise<TriageOutcome> {
    return this.dataSource.transaction(async (manager) => {
      const requestedAt = await this.outbox.markProcessedAt(manager, job.outboxId);
      if (!requestedAt) return SKIPPED;
      const fugue = await this.fugues.findByIdForUpdate(manager, job.fugueId);
      // A cancelled episode is kept but never triaged; an erased one has no facts left.
      if (!fugue || fugue.status === 'cancelled' || fugue.erasedAt) return SKIPPED;
      const youth = await manager.getRepository(YouthEntity).findOneBy({ id: fugue.youthId });
      if (!youth?.identityEnc) return SKIPPED;

      // A review fires at its time even when the worker runs a little early or the clock differs.
      const evaluatedAt = job.reviewAt && new Date(job.reviewAt) > now ? new Date(job.reviewAt) : now;
      const classification = classify(await this.facts(manager, fugue, youth, evaluatedAt));
      await this.store(manager, fugue, classification, `outbox-${job.outboxId}`, job.cause);
      const previousEffectiveLevel = fugue.effectiveLevel;
      await this.applyOverrideRule(manager, fugue, classification);
      await this.fugues.saveTriageResult(manager, fugue);
      if (fugue.effectiveLevel !== previousEffectiveLevel) {
        const event = fugueClassifiedEvent(fugue, previousEffectiveLevel);
        await this.webhooks.emit(manager, 'fugue.classified', event.data, event.scope);
      }
      const followUps = await this.escalation.onClassified(manager, fugue);
      return {
        applied: true,
        followUps,
        classification,
        effectiveLevel: fugue.effectiveLevel,
        previousEffectiveLevel,
        latencyMs: Date.now() - requestedAt.getTime(),
      };
    });
  }

  private async facts(manager: EntityManager, fugue: FugueEntity, youth: YouthEntity, now: Date): Promise<TriageInput> {
    const identity = this.cipher.decrypt<YouthIdentity>(youth.identityEnc as string);
    const department = await this.departments.findByCode(fugue.departmentCode);
    // One connection per transaction: its queries run one after the other.
    const updates = await this.fugues.findUpdates(manager, fugue.id);
    const others = await this.fugues.findOtherEpisodesOfYouth(manager, fugue.youthId, fugue.id);
    const interviews = await this.interviews.findCompletedOfYouth(manager, fugue.youthId);
    return {
      now,
      timeZone: department?.timeZone ?? 'Europe/Paris',
      youth: { birthDate: identity.birthDate, vulnerabilities: youth.vulnerabilities, vitalTreatment: youth.vitalTreatment },
      episode: {
        noticedMissingAt: fugue.noticedMissingAt,
        lastSeenAt: fugue.lastSeenAt,
        departedWith: fugue.departedWith,
        belongings: fugue.belongings,
        indicators: fugue.indicators,
        staffConcern: fugue.staffConcernWorrying === null ? null : { worrying: fugue.staffConcernWorrying },
        updates: updates.map((u) => ({
          source: u.source,
          indicators: u.indicators,
          staffConcern: u.staffConcernWorrying === null ? null : { worrying: u.staffConcernWorrying },
        })),
        locatedAt: fugue.locatedAt,
        returnedAt: fugue.returnedAt,
      },
      history: {
        otherEpisodes: others.map(
          (o): HistoryEpisode => ({
            noticedMissingAt: o.noticedMissingAt,
            status: o.status,
            locatedAt: o.locatedAt,
            returnedAt: o.returnedAt,
            effectiveLevel: o.effectiveLevel,
          }),
        ),
        // Completed return interviews feed PRIOR_EXPLOITATION_DISCLOSURE.
        interviews: interviews.map(
          (i): HistoryInterview => ({ outcome: 'completed', conductedAt: i.conductedAt, sexualExploitation: i.sexualExploitation, exploitationIndicators: i.exploitationIndicators }),
        ),
      },
    };
  }

  private async store(manager: EntityManager, fugue: FugueEntity, c: Classification, triggerKey: string, cause: string): Promise<void> {
    await this.fugues.insertClassification(manager, {
      fugueId: fugue.id,
      triggerKey,
      cause,
      rulesetVersion: c.rulesetVersion,
      evaluatedAt: new Date(c.evaluatedAt),
      level: c.level,
      score: c.score,
      reasons: c.reasons,
      nextReviewAt: c.nextReviewAt ? new Date(c.nextReviewAt) : null,
    });
    fugue.classification = c;
    fugue.nextReviewAt = c.nextReviewAt && (fugue.status === 'missing' || fugue.status === 'located') ? new Date(c.nextReviewAt) : null;
    await this.events.append(manager, {
      fugueId: fugue.id,
      type: 'classified',
      at: new Date(c.evaluatedAt),
      data: {
        cause,
        level: c.level,
        score: c.score,
        reasonCodes: c.reasons.map((r) => r.code),
        rulesetVersion: c.rulesetVersion,
        nextReviewAt: c.nextReviewAt,
      },
    });
  }

  /**
   * An override stands until a computed level is higher than it (risk-model.md § Overrides).
   * "Later" is read as: computed from facts the overrider did not have. A re-triage of the very
   * facts a referent judged (the one the override itself asks for, a review) would otherwise
   * undo every lowering at once; any reason code absent when the override was set — new
   * information, a longer absence — supersedes it.
   */
  private async applyOverrideRule(manager: EntityManager, fugue: FugueEntity, c: Classification): Promise<void> {
    const basis = fugue.overrideBasis ?? [];
    const newFacts = c.reasons.some((r) => !basis.includes(r.code));
    if (fugue.overrideLevel && RANK[c.level] > RANK[fugue.overrideLevel] && newFacts) {
      await this.events.append(manager, {
        fugueId: fugue.id,
        type: 'override.superseded',
        data: { overrideLevel: fugue.overrideLevel, level: c.level, newReasonCodes: c.reasons.map((r) => r.code).filter((code) => !basis.includes(code)) },
      });
      fugue.overrideLevel = null;
      fugue.overrideBy = null;
      fugue.overrideAt = null;
      fugue.overrideReasonEnc = null;
      fugue.overrideBasis = null;
    }
    fugue.effectiveLevel = fugue.overrideLevel ?? c.level;
  }
}
