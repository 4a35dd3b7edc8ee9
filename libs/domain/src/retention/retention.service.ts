import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { VigieConfig } from '@vigie/config';
import { DataCipher, ErasedBatch, RetentionRepository, slot, YouthIdentity } from '@vigie/persistence';
import { EntityManager } from 'typeorm';
import { Clock } from '../clock/clock';
import { ageBandAt } from '../stats/stats-figures';

const DAY_MS = 24 * 3600 * 1000;
const BATCH = 200;
/** The job's name in job_runs. PERSISTED. */
const JOB = 'retention';
/** How often a worker asks whether the daily run is due (one cheap UPDATE). */
const CHECK_EVERY_MS = 60_000;

export interface RetentionReport {
  episodes: number;
  youths: number;
  idempotencyKeys: number;
}

/**
 * quality.md § Retention: episodes closed (or cancelled) more than VIGIE_RETENTION_DAYS ago have
 * their personal data erased — free text of the episode, its updates, timeline, alert notes and
 * return interview, and the youth's identity and profile once none of their episodes is kept.
 * Codes, levels and times stay, so every statistic is unchanged. Each erasure writes audit
 * entries in its own transaction. The clock is a parameter, so tests can move it.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger(RetentionService.name);
  private nextCheckAt = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly retention: RetentionRepository,
    private readonly config: VigieConfig,
    private readonly clock: Clock,
    private readonly cipher: DataCipher,
  ) {}

  /**
   * Runs the erasure once a day, whichever worker gets there first (the run is claimed in
   * job_runs); called by the worker's sweep. Returns the report when it ran, else null.
   */
  async runIfDue(now = this.clock.now()): Promise<RetentionReport | null> {
    if (now.getTime() < this.nextCheckAt) return null;
    this.nextCheckAt = now.getTime() + CHECK_EVERY_MS;
    const claim = await this.dataSource.transaction((manager) => this.retention.claimRun(manager, JOB, now, DAY_MS));
    if (!claim.claimed) return null;
    try {
      return await this.eraseExpired(now);
    } catch (error) {
      await this.dataSource.transaction((manager) => this.retention.releaseRun(manager, JOB, claim.previous));
      throw error;
    }
  }

  /** Erases everything whose retention period ended before `now`. Idempotent. */
  async eraseExpired(now = this.clock.now()): Promise<RetentionReport> {
    const cutoff = new Date(now.getTime() - this.config.VIGIE_RETENTION_DAYS * DAY_MS);
    const correlationId = `retention-${now.toISOString()}`;
    const report: RetentionReport = { episodes: 0, youths: 0, idempotencyKeys: 0 };
    for (;;) {
      const batch = await this.dataSource.transaction(async (manager): Promise<ErasedBatch> => {
        const fugues = await this.retention.takeExpiredEpisodes(manager, cutoff, BATCH);
        if (fugues.length === 0) return { fugues, youthIds: [] };
        await this.retention.eraseEpisodes(manager, fugues.map((f) => f.id), now);
        await this.keepAgeBands(manager, [...new Set(fugues.map((f) => f.youthId))]);
        const youthIds = await this.retention.eraseYouthsWithoutKeptEpisodes(manager, [...new Set(fugues.map((f) => f.youthId))], now);
        const erased = { fugues, youthIds };
        await this.retention.audit(manager, erased, correlationId, now);
        return erased;
      });
      report.episodes += batch.fugues.length;
      report.youths += batch.youthIds.length;
      if (batch.fugues.length < BATCH) break;
    }
    // Idempotency keys are kept hours, not the retention period: their stored responses may carry an identity.
    const keyCutoff = new Date(now.getTime() - this.config.VIGIE_IDEMPOTENCY_KEEP_HOURS * 3600 * 1000);
    report.idempotencyKeys = await this.dataSource.transaction((manager) => this.retention.deleteIdempotencyKeysBefore(manager, keyCutoff));
    if (report.episodes > 0 || report.idempotencyKeys > 0) {
      this.logger.log(`Retention: erased ${report.episodes} episodes and ${report.youths} youth identities, deleted ${report.idempotencyKeys} stored responses`);
    }
    return report;
  }

  /**
   * The statistics break episodes down by the youth's age at each; once the identity is erased
   * the birth date is gone, so the band of every episode of these youths is kept first (a code,
   * not the date). Youths who keep their identity get their bands too: they never change.
   */
  private async keepAgeBands(manager: EntityManager, youthIds: string[]): Promise<void> {
    const birthDates = new Map<string, string>();
    for (const youth of await this.retention.youthIdentities(manager, youthIds)) {
      const identity = this.cipher.decryptOptional<YouthIdentity>(youth.identityEnc, slot('youths', 'identity_enc', youth.id));
      if (identity?.birthDate) birthDates.set(youth.id, identity.birthDate);
    }
    const bands = (await this.retention.episodesWithoutAgeBand(manager, [...birthDates.keys()])).map((e) => ({
      id: e.id,
      band: ageBandAt(birthDates.get(e.youthId) as string, e.noticedMissingAt, e.timeZone),
    }));
    await this.retention.keepAgeBands(manager, bands);
  }
}
