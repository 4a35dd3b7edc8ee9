import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { VigieConfig } from '@vigie/config';
import { Caller, canSeeFugue, DomainError, fugueScope, MetricsService } from '@vigie/domain';
import { FugueEventListener, FugueEventNotice } from '@vigie/persistence';

/** Streams one caller may hold open on one API process (several tabs, a board on a wall screen). */
export const STREAMS_PER_CALLER = 20;

/**
 * What a stream tells: the timeline event's ids and type, never names, notes or any other
 * personal data. `stream.resync` says events may have been missed (the process's listening
 * connection came back): read the lists again.
 */
export type LiveEvent =
  | { eventId: string; type: FugueEventNotice['type']; fugueId: string; alertId?: string; interviewId?: string }
  | { eventId: null; type: 'stream.resync' };

export interface LiveSubscriber {
  /** The caller as last checked: its scope filters every event. */
  caller: Caller;
  send(event: LiveEvent): void;
  /** Ends the stream (the process is closing). */
  close(): void;
}

/**
 * The live events of one API process: one LISTEN connection (FugueEventListener) fanned out to
 * the connected streams, each filtered by its caller's scope exactly as reading the episode is
 * (canSeeFugue). Events come from every process that writes the timeline (APIs and workers),
 * once committed.
 */
@Injectable()
export class LiveEventHub implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('LiveEventHub');
  private readonly subscribers = new Set<LiveSubscriber>();
  private readonly listener: FugueEventListener;
  /** Notices are handled one at a time, in the order PostgreSQL told them (commit order). */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: VigieConfig,
    private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
  ) {
    this.listener = new FugueEventListener(
      config.DATABASE_URL,
      (notice) => {
        this.queue = this.queue.then(() => this.dispatch(notice)).catch((error: Error) => this.logger.warn(`A live event was not streamed: ${error.message}`));
      },
      () => this.broadcast({ eventId: null, type: 'stream.resync' }),
    );
  }

  async onModuleInit(): Promise<void> {
    await this.listener.start();
  }

  async onModuleDestroy(): Promise<void> {
    for (const subscriber of [...this.subscribers]) subscriber.close();
    this.subscribers.clear();
    this.metrics.liveStreams.set(0);
    await this.listener.stop();
  }

  get connections(): number {
    return this.subscribers.size;
  }

  /**
   * Adds a stream; 503 when this process holds VIGIE_STREAM_MAX_CONNECTIONS already, 429 when the
   * caller holds STREAMS_PER_CALLER. Returns what removes it.
   */
  subscribe(subscriber: LiveSubscriber): () => void {
    if (this.subscribers.size >= this.config.VIGIE_STREAM_MAX_CONNECTIONS) {
      throw new DomainError('DEPENDENCY_UNAVAILABLE', 'This server holds as many live streams as it may; try again shortly');
    }
    const own = [...this.subscribers].filter((s) => s.caller.clientId === subscriber.caller.clientId).length;
    if (own >= STREAMS_PER_CALLER) throw new DomainError('RATE_LIMITED', `At most ${STREAMS_PER_CALLER} live streams at once for one caller`);
    this.subscribers.add(subscriber);
    this.metrics.liveStreams.set(this.subscribers.size);
    return () => {
      this.subscribers.delete(subscriber);
      this.metrics.liveStreams.set(this.subscribers.size);
    };
  }

  private broadcast(event: LiveEvent): void {
    for (const subscriber of this.subscribers) subscriber.send(event);
  }

  private async dispatch(notice: FugueEventNotice): Promise<void> {
    if (this.subscribers.size === 0) return;
    // The hotline sees worrying episodes only: the episode's level now, after the commit.
    const needsLevel = [...this.subscribers].some((s) => fugueScope(s.caller).worryingOnly);
    const effectiveLevel = needsLevel ? await this.levelOf(notice.fugueId) : null;
    const fugue = { foyerId: notice.foyerId, departmentCode: notice.departmentCode, effectiveLevel };
    const event: LiveEvent = {
      eventId: notice.id,
      type: notice.type,
      fugueId: notice.fugueId,
      ...(notice.alertId ? { alertId: notice.alertId } : {}),
      ...(notice.interviewId ? { interviewId: notice.interviewId } : {}),
    };
    for (const subscriber of this.subscribers) {
      if (canSeeFugue(subscriber.caller, fugue)) subscriber.send(event);
    }
  }

  private async levelOf(fugueId: string): Promise<'routine' | 'worrying' | null> {
    const rows: { effective_level: 'routine' | 'worrying' | null }[] = await this.dataSource.query(`SELECT effective_level FROM fugues WHERE id = $1`, [fugueId]);
    return rows[0]?.effective_level ?? null;
  }
}
