import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { FUGUE_EVENT_TYPES, FugueEventType } from './entities/fugue-event.entity';

/**
 * The channel the `fugue_events_notify` trigger tells every committed timeline event on
 * (migration FugueEventNotify). PERSISTED in that trigger: never rename it.
 */
export const FUGUE_EVENT_CHANNEL = 'vigie_fugue_events';

/** A committed timeline event as the trigger tells it: ids and codes, never personal data. */
export interface FugueEventNotice {
  /** The fugue_events row id (increasing, as text). */
  id: string;
  fugueId: string;
  type: FugueEventType;
  departmentCode: string;
  foyerId: string;
  alertId: string | null;
  interviewId: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TYPES = new Set<string>(FUGUE_EVENT_TYPES);

/** The notice of a payload the trigger wrote, or null for anything else. */
export function parseFugueEventNotice(payload: string | undefined): FugueEventNotice | null {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(payload ?? '') as Record<string, unknown>;
  } catch {
    return null;
  }
  const uuidOrNull = (v: unknown) => (typeof v === 'string' && UUID.test(v) ? v : null);
  const { id, fugueId, type, departmentCode, foyerId } = value ?? {};
  if (typeof id !== 'string' || !/^\d{1,19}$/.test(id) || !uuidOrNull(fugueId) || typeof type !== 'string' || !TYPES.has(type)) return null;
  if (typeof departmentCode !== 'string' || !uuidOrNull(foyerId)) return null;
  return {
    id,
    fugueId: fugueId as string,
    type: type as FugueEventType,
    departmentCode,
    foyerId: foyerId as string,
    alertId: uuidOrNull(value.alertId),
    interviewId: uuidOrNull(value.interviewId),
  };
}

const MAX_RETRY_MS = 30_000;

/** The listening connection's name in pg_stat_activity. */
export const LISTENER_APPLICATION_NAME = 'vigie-live-events';

/**
 * One connection that LISTENs to FUGUE_EVENT_CHANNEL, outside the pool (a pooled connection would
 * stop listening when handed back). When the connection is lost it comes back after 1, 2, 4 … 30
 * seconds; notices sent meanwhile are lost, so `onResumed` is called once it listens again, for
 * the listeners to read afresh.
 */
export class FugueEventListener {
  private readonly logger = new Logger('FugueEventListener');
  private client: Client | null = null;
  private retryMs = 1000;
  private retryTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** A connection was lost or never made: notices may have been missed. */
  private missed = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly onNotice: (notice: FugueEventNotice) => void,
    private readonly onResumed: () => void,
  ) {}

  /** Resolves once listening, or after the first failure (the listener then keeps retrying). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl, connectionTimeoutMillis: 5000, keepAlive: true, application_name: LISTENER_APPLICATION_NAME });
    this.client = client;
    client.on('notification', (message) => {
      if (message.channel !== FUGUE_EVENT_CHANNEL) return;
      const notice = parseFugueEventNotice(message.payload);
      if (notice) this.onNotice(notice);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, null));
    try {
      await client.connect();
      await client.query(`LISTEN ${FUGUE_EVENT_CHANNEL}`);
    } catch (error) {
      this.lost(client, error as Error);
      return;
    }
    this.retryMs = 1000;
    if (this.missed) {
      this.missed = false;
      this.logger.log('Listening to committed timeline events again');
      this.onResumed();
    }
  }

  private lost(client: Client, error: Error | null): void {
    if (this.client !== client || this.stopped) return;
    this.client = null;
    this.missed = true;
    client.end().catch(() => undefined);
    this.logger.warn(`Lost the connection listening to timeline events${error ? ` (${error.message})` : ''}; retrying in ${this.retryMs} ms`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }
}
