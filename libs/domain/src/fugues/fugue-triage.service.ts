import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DataCipher, FugueEntity, FugueEventRepository, FugueRepository, slot, TriageFacts, TriageToStore, YouthIdentity } from '@vigie/persistence';
import { JobData, JobName } from '@vigie/queue';
import { EscalationService } from '../escalation/escalation.service';
import { classify } from '../triage/triage.rules';
import { Classification, HistoryEpisode, HistoryInterview, Level, TriageInput } from '../triage/triage.types';
import { fugueClassifiedEvent } from '../webhooks/webhook-event-data';
import { WebhookEventService } from '../webhooks/webhook-event.service';
import { MetricsService } from '../observability/metrics.service';
import { Clock } from '../clock/clock';
import { UnitOfWork, Work } from '../unit-of-work/unit-of-work';
import { errorSummary } from '../errors/database-errors';
import { Batcher, Settled } from './batcher';
import { LinkEvaluationService } from '../links/link-evaluation.service';
import { LinkEffectsService } from '../links/link-effects.service';
import { LINKING_PLACE_KINDS } from '../links/connections';

const RANK: Record<Level, number> = { routine: 0, worrying: 1 };

export interface TriageOutcome {
  /** False when this request had already been handled (a replayed job). */
  applied: boolean;
  classification: Classification | null;
  effectiveLevel: Level | null;
  previousEffectiveLevel: Level | null;
  /** Milliseconds from the request (outbox row) to the stored classification. */
  latencyMs: number | null;
}

const SKIPPED: TriageOutcome = { applied: false, classification: null, effectiveLevel: null, previousEffectiveLevel: null, latencyMs: null };

/** A triage's outcome, and when it was asked for (null: skipped). */
type Stored = { outcome: TriageOutcome; requestedAt: Date | null };
const SKIPPED_STORED: Stored = { outcome: SKIPPED, requestedAt: null };

/** A triage classified and not yet stored: what its statement writes, and what it sets off once stored. */
interface Pending {
  /** Its place in the batch. */
  index: number;
  toStore: TriageToStore;
  classification: Classification;
  previousEffectiveLevel: Level | null;
  superseded: Record<string, unknown> | null;
  /** The youth's disclosure, read with the facts. */
  disclosed: boolean;
  requestedAt: Date;
}

type TriageJob = JobData<typeof JobName.FugueTriage>;

/** Triages stored together at most, and transactions of triages at once, per process. */
export const TRIAGE_BATCH = { maxSize: 32, maxConcurrent: 2 } as const;

/**
 * Runs the ruleset on an episode's current facts and stores the result. Idempotent: the
 * classification is keyed by the outbox row that asked for it, and that row is marked processed
 * in the same transaction, so a replayed or re-run job changes nothing.
 *
 * Jobs that arrive while the worker's triage transactions are busy are triaged together, in one
 * transaction with one claim statement (`Batcher`): under load, the round trips and the commit
 * are shared; an idle worker triages each job alone, at once. A batch that fails is run again
 * job by job, so one job's failure is its own.
 */
@Injectable()
export class FugueTriageService {
  private readonly logger = new Logger(FugueTriageService.name);
  private readonly batcher = new Batcher<TriageJob, TriageOutcome>((jobs) => this.triageBatch(jobs), {
    ...TRIAGE_BATCH,
    // Facts read for two requests on one episode in one statement would not see each other's triage.
    keyOf: (job) => job.fugueId,
  });

  constructor(
    private readonly uow: UnitOfWork,
    private readonly fugues: FugueRepository,
    private readonly events: FugueEventRepository,
    private readonly cipher: DataCipher,
    private readonly escalation: EscalationService,
    private readonly webhooks: WebhookEventService,
    private readonly metrics: MetricsService,
    private readonly clock: Clock,
    private readonly linkEvaluation: LinkEvaluationService,
    private readonly linkEffects: LinkEffectsService,
  ) {}

  /** A `fugue.triage` job: the triage (with the jobs that arrive beside it), its metrics and its log line. */
  async runTriageJob(job: TriageJob, jobId?: string): Promise<void> {
    const outcome = await this.batcher.submit(job);
    if (!outcome.applied || !outcome.classification) return;
    this.metrics.classifications.inc({ level: outcome.classification.level });
    if (outcome.latencyMs !== null) this.metrics.triageLatency.observe({ cause: job.cause }, outcome.latencyMs / 1000);
    this.logger.log(
      { fugueId: job.fugueId, cause: job.cause, classificationLevel: outcome.classification.level, outboxId: job.outboxId, jobId, correlationId: job.correlationId },
      'Fugue triaged',
    );
  }

  /** One triage and what it sets off (webhook event, alert or routine information), in its own unit of work. */
  async triageFugue(job: TriageJob, now = this.clock.now()): Promise<TriageOutcome> {
    const [outcome] = await this.triageTogether([job], now);
    return outcome;
  }

  /**
   * Triages of distinct episodes in one unit of work: one claim statement for all, each triage's
   * link rules and classification, one statement that stores them, then what each sets off; one
   * commit. Latencies are measured once the commit has succeeded.
   */
  async triageTogether(jobs: readonly TriageJob[], now = this.clock.now()): Promise<TriageOutcome[]> {
    // A review fires at its time even when the worker runs a little early or the clock differs.
    const evaluatedAt = (job: TriageJob) => (job.reviewAt && new Date(job.reviewAt) > now ? new Date(job.reviewAt) : now);
    const stored = await this.uow.run(async (work) => {
      const facts = await this.fugues.claimTriageFacts(
        work.manager,
        jobs.map((job) => ({ outboxId: job.outboxId, fugueId: job.fugueId, at: evaluatedAt(job) })),
        LINKING_PLACE_KINDS,
      );
      const outcomes: Stored[] = jobs.map(() => SKIPPED_STORED);
      let pending: Pending[] = [];
      const storePending = async () => {
        const batch = pending;
        pending = [];
        await this.storeAndFollow(work, batch, outcomes);
      };
      for (const [index, job] of jobs.entries()) {
        const triage = await this.triageIn(work, job, facts.get(job.outboxId) ?? null, evaluatedAt(job), storePending);
        if (triage) pending.push({ ...triage, index });
      }
      await storePending();
      return outcomes;
    });
    const committedAt = Date.now();
    return stored.map(({ outcome, requestedAt }) => (requestedAt ? { ...outcome, latencyMs: committedAt - requestedAt.getTime() } : outcome));
  }

  /** The batcher's work: the jobs together, or each alone when together failed. */
  private async triageBatch(jobs: TriageJob[]): Promise<Settled<TriageOutcome>[]> {
    this.metrics.triageBatchSize.observe(jobs.length);
    const alone = (job: TriageJob): Promise<Settled<TriageOutcome>> =>
      this.triageFugue(job).then(
        (value) => ({ ok: true, value }),
        (error: unknown) => ({ ok: false, error }),
      );
    if (jobs.length === 1) return [await alone(jobs[0])];
    try {
      return (await this.triageTogether(jobs)).map((value) => ({ ok: true, value }));
    } catch (error) {
      // Nothing of the batch was written: each job runs again alone and fails, if it does, on its own.
      this.logger.warn({ batchSize: jobs.length, error: errorSummary(error) }, 'Triage batch failed; triaging its jobs one by one');
      return Promise.all(jobs.map(alone));
    }
  }

  /**
   * One episode's triage at `evaluatedAt` inside a unit of work, from the facts claimed for it:
   * its link rules and its classification, not yet stored (null: nothing to do). When the triage
   * finds a link, `storePending` first stores the triages before it, with what they set off:
   * what the link rules read again, and tell, is then as it was before batching.
   */
  private async triageIn(work: Work, job: TriageJob, read: TriageFacts | null, evaluatedAt: Date, storePending: () => Promise<void>): Promise<Omit<Pending, 'index'> | null> {
    const { manager } = work;
    // A cancelled episode is kept but never triaged; an erased one has no facts left.
    if (!read || read.fugue.status === 'cancelled' || read.fugue.erasedAt || !read.youth.identityEnc) return null;
    const { fugue } = read;

    // Links first (spec/links.md): a link to a youth known to be exploited counts in this classification.
    // What the link rules read was claimed with the facts; a link found now makes them read again.
    const found = await this.linkEvaluation.evaluate(manager, fugue, evaluatedAt, read.links);
    if (found.length > 0) await storePending();
    await this.linkEffects.onFound(work, fugue, found, evaluatedAt);
    await this.linkEffects.gainPeerExploited(work, fugue, evaluatedAt, found.length === 0 ? { peer: read.links.linkedExploited } : undefined);
    const classification = classify(this.facts(read, evaluatedAt));
    const previousEffectiveLevel = fugue.effectiveLevel;
    fugue.classification = classification;
    fugue.nextReviewAt =
      classification.nextReviewAt && (fugue.status === 'missing' || fugue.status === 'located') ? new Date(classification.nextReviewAt) : null;
    const superseded = this.applyOverrideRule(fugue, classification);
    // The `fugue.classified` webhook event and the referents of a routine information are
    // written and read by the statement that stores the triage.
    const event = fugue.effectiveLevel !== previousEffectiveLevel ? fugueClassifiedEvent(fugue, previousEffectiveLevel) : null;
    const toStore: TriageToStore = {
      fugue,
      classification: {
        triggerKey: `outbox-${job.outboxId}`,
        cause: job.cause,
        rulesetVersion: classification.rulesetVersion,
        evaluatedAt: new Date(classification.evaluatedAt),
        level: classification.level,
        score: classification.score,
        reasons: classification.reasons,
        nextReviewAt: classification.nextReviewAt ? new Date(classification.nextReviewAt) : null,
      },
      event: {
        cause: job.cause,
        level: classification.level,
        score: classification.score,
        reasonCodes: classification.reasons.map((r) => r.code),
        rulesetVersion: classification.rulesetVersion,
        nextReviewAt: classification.nextReviewAt,
      },
      webhookEvent: event && {
        id: randomUUID(),
        type: 'fugue.classified',
        departmentCode: event.scope.departmentCode,
        level: event.scope.level ?? null,
        data: event.data,
      },
      recipientRoles: await this.escalation.routineRecipientRoles(fugue, manager),
    };
    return { toStore, classification, previousEffectiveLevel, superseded, disclosed: read.links.disclosedExploitation, requestedAt: read.requestedAt };
  }

  /** Stores triages in one statement, then, in their order, what each stored one sets off; fills their outcomes. */
  private async storeAndFollow(work: Work, triages: readonly Pending[], outcomes: Stored[]): Promise<void> {
    if (triages.length === 0) return;
    const { manager } = work;
    const stored = await this.fugues.storeTriages(manager, triages.map((t) => t.toStore));
    for (const [i, triage] of triages.entries()) {
      const { toStore: { fugue }, classification, previousEffectiveLevel, superseded } = triage;
      const written = stored[i];
      if (!written.stored) continue;
      if (superseded) await this.events.append(manager, { fugueId: fugue.id, type: 'override.superseded', data: superseded });
      if (written.webhookEvent) this.webhooks.deliveriesWritten(work, written.webhookEvent.deliveryIds);
      // Alerts are opened by classifications only: an episode never classified before has none.
      await this.escalation.onClassified(work, fugue, this.clock.now(), {
        mayHaveAlert: previousEffectiveLevel !== null,
        routineRecipients: written.recipients ?? undefined,
      });
      await this.linkEffects.afterClassified(work, fugue, classification, triage.disclosed);
      outcomes[triage.index] = {
        outcome: { applied: true, classification, effectiveLevel: fugue.effectiveLevel, previousEffectiveLevel, latencyMs: null },
        requestedAt: triage.requestedAt,
      };
    }
  }

  private facts(read: TriageFacts, now: Date): TriageInput {
    const { fugue, youth } = read;
    const identity = this.cipher.decrypt<YouthIdentity>(youth.identityEnc as string, slot('youths', 'identity_enc', fugue.youthId));
    return {
      now,
      // Read with the facts from the episode's département; the default only for one not in the reference table.
      timeZone: read.timeZone ?? 'Europe/Paris',
      youth: { birthDate: identity.birthDate, vulnerabilities: identity.vulnerabilities ?? youth.vulnerabilities, vitalTreatment: identity.vitalTreatment ?? youth.vitalTreatment },
      episode: {
        noticedMissingAt: fugue.noticedMissingAt,
        lastSeenAt: fugue.lastSeenAt,
        departedWith: fugue.departedWith,
        belongings: fugue.belongings,
        indicators: fugue.indicators,
        linkIndicators: fugue.linkIndicators,
        staffConcern: fugue.staffConcernWorrying === null ? null : { worrying: fugue.staffConcernWorrying },
        updates: read.updates.map((u) => ({
          source: u.source,
          indicators: u.indicators,
          staffConcern: u.staffConcernWorrying === null ? null : { worrying: u.staffConcernWorrying },
        })),
        locatedAt: fugue.locatedAt,
        returnedAt: fugue.returnedAt,
      },
      history: {
        otherEpisodes: read.otherEpisodes.map(
          (o): HistoryEpisode => ({
            noticedMissingAt: o.noticedMissingAt,
            status: o.status,
            locatedAt: o.locatedAt,
            returnedAt: o.returnedAt,
            effectiveLevel: o.effectiveLevel,
          }),
        ),
        // Completed return interviews feed PRIOR_EXPLOITATION_DISCLOSURE.
        interviews: read.completedInterviews.map(
          (i): HistoryInterview => ({ outcome: 'completed', conductedAt: i.conductedAt, sexualExploitation: i.sexualExploitation, exploitationIndicators: i.exploitationIndicators }),
        ),
      },
    };
  }

  /**
   * An override stands until a computed level is higher than it (risk-model.md § Overrides).
   * "Later" is read as: computed from facts the overrider did not have. A re-triage of the very
   * facts a referent judged (the one the override itself asks for, a review) would otherwise
   * undo every lowering at once; any reason code absent when the override was set — new
   * information, a longer absence — supersedes it.
   */
  private applyOverrideRule(fugue: FugueEntity, c: Classification): Record<string, unknown> | null {
    const basis = fugue.overrideBasis ?? [];
    const newFacts = c.reasons.some((r) => !basis.includes(r.code));
    let superseded: Record<string, unknown> | null = null;
    if (fugue.overrideLevel && RANK[c.level] > RANK[fugue.overrideLevel] && newFacts) {
      superseded = { overrideLevel: fugue.overrideLevel, level: c.level, newReasonCodes: c.reasons.map((r) => r.code).filter((code) => !basis.includes(code)) };
      fugue.overrideLevel = null;
      fugue.overrideBy = null;
      fugue.overrideAt = null;
      fugue.overrideReasonEnc = null;
      fugue.overrideBasis = null;
    }
    fugue.effectiveLevel = fugue.overrideLevel ?? c.level;
    return superseded;
  }

}
