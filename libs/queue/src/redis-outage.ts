import { Injectable, Logger } from '@nestjs/common';
import { VigieConfig } from '@vigie/config';

/** While Redis stays down, how often the process says so again. */
const REMIND_EVERY_MS = 5 * 60_000;

/**
 * Says once, in words, that Redis is unreachable and what that means (nothing is lost: the outbox
 * in PostgreSQL keeps the work), then again only every few minutes, and once when it answers:
 * the clients retry every 2 seconds, and a warning each time buries everything else.
 */
@Injectable()
export class RedisOutage {
  private readonly logger = new Logger('Redis');
  private downSince: number | null = null;
  private lastNotice = 0;

  constructor(private readonly config: VigieConfig) {}

  get active(): boolean {
    return this.downSince !== null;
  }

  /** Redis did not answer (a refused connection, a job not accepted in time). */
  report(now = Date.now()): void {
    if (this.downSince === null) {
      this.downSince = now;
      this.lastNotice = now;
      this.logger.warn(`Redis unreachable at ${this.where()}; declarations are kept and will be triaged when it answers`);
    } else if (now - this.lastNotice >= REMIND_EVERY_MS) {
      this.lastNotice = now;
      const minutes = Math.round((now - this.downSince) / 60_000);
      this.logger.warn(`Redis still unreachable at ${this.where()} after ${minutes} min; declarations are kept and will be triaged when it answers`);
    }
  }

  /** Redis answered. */
  recovered(now = Date.now()): void {
    if (this.downSince === null) return;
    this.logger.log(`Redis answers again at ${this.where()} after ${Math.round((now - this.downSince) / 1000)} s; the outbox is being published`);
    this.downSince = null;
  }

  /** The Redis URL without its password. */
  private where(): string {
    const url = new URL(this.config.REDIS_URL);
    if (url.password) url.password = '***';
    return url.toString().replace(/\/$/, '');
  }
}

/** Errors of a Redis connection that is down or unreachable, as opposed to a refused command. */
export function isConnectionError(error: Error): boolean {
  return /ECONNREFUSED|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|ECONNRESET|EAI_AGAIN|Connection is closed|connect/i.test(`${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}`);
}
