import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type IORedis from 'ioredis';
import { VigieConfig } from '@vigie/config';
import { createRedis } from '@vigie/queue';

/** A counter after one more hit: all times in milliseconds. */
export interface Hit {
  hits: number;
  expiresInMs: number;
  blocked: boolean;
  blockedForMs: number;
}

// KEYS: hits, block. ARGV: window ms, hits that block, block ms. A blocked key is not counted.
const HIT = `
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then return {0, 0, 1, blocked} end
local hits = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
if hits >= tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  redis.call('DEL', KEYS[1])
  return {hits, ttl, 1, tonumber(ARGV[3])}
end
return {hits, ttl, 0, 0}
`;

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

type LimitRedis = IORedis & { vigieLimitHit(hits: string, block: string, windowMs: number, blockAt: number, blockMs: number): Promise<[number, number, number, number]> };

/** The same counters, in this process's memory: used while Redis does not answer. */
class MemoryCounters {
  private readonly counters = new Map<string, { hits: number; expiresAt: number; blockedUntil: number }>();

  hit(key: string, windowMs: number, blockAt: number, blockMs: number, now = Date.now()): Hit {
    this.sweep(now);
    let counter = this.counters.get(key);
    if (counter && counter.blockedUntil > now) return { hits: 0, expiresInMs: 0, blocked: true, blockedForMs: counter.blockedUntil - now };
    if (!counter || counter.expiresAt <= now) counter = { hits: 0, expiresAt: now + windowMs, blockedUntil: 0 };
    counter.hits += 1;
    this.counters.set(key, counter);
    if (counter.hits < blockAt) return { hits: counter.hits, expiresInMs: counter.expiresAt - now, blocked: false, blockedForMs: 0 };
    this.counters.set(key, { hits: 0, expiresAt: now, blockedUntil: now + blockMs });
    return { hits: counter.hits, expiresInMs: counter.expiresAt - now, blocked: true, blockedForMs: blockMs };
  }

  blockedForMs(key: string, now = Date.now()): number {
    return Math.max(0, (this.counters.get(key)?.blockedUntil ?? 0) - now);
  }

  private sweep(now: number): void {
    if (this.counters.size < 10_000) return;
    for (const [key, c] of this.counters) if (c.expiresAt <= now && c.blockedUntil <= now) this.counters.delete(key);
  }
}

/**
 * The rate limiters' counters, in Redis so that every API process counts against the same
 * limits. While Redis does not answer, each process counts in its own memory (the limits then
 * hold per process) rather than refusing requests or letting them all through.
 */
@Injectable()
export class RateLimitStore implements ThrottlerStorage, OnModuleDestroy {
  private readonly logger = new Logger('RateLimits');
  private readonly redis: LimitRedis;
  private readonly memory = new MemoryCounters();
  private readonly prefix: string;
  private inMemory = false;

  constructor(config: VigieConfig) {
    this.prefix = `${config.VIGIE_QUEUE_PREFIX}:limits:`;
    // Fails fast: a request never waits on Redis for its rate limit.
    this.redis = createRedis(config.REDIS_URL, 'producer', { commandTimeout: 300, maxRetriesPerRequest: 0, lazyConnect: false }) as LimitRedis;
    this.redis.defineCommand('vigieLimitHit', { numberOfKeys: 2, lua: HIT });
    this.redis.on('error', () => this.fallBack());
    this.redis.on('ready', () => this.backInRedis());
  }

  /**
   * Counts one hit of `key` in a window of `windowMs`; the `blockAt`-th hit blocks the key for
   * `blockMs` (hits while blocked are not counted).
   */
  async hit(key: string, windowMs: number, blockAt: number, blockMs: number): Promise<Hit> {
    if (this.redis.status === 'ready') {
      try {
        const [hits, ttl, blocked, blockedFor] = await this.redis.vigieLimitHit(`${this.prefix}${key}`, `${this.prefix}${key}:blocked`, windowMs, blockAt, blockMs);
        this.backInRedis();
        return { hits, expiresInMs: ttl, blocked: blocked === 1, blockedForMs: blockedFor };
      } catch {
        this.fallBack();
      }
    }
    return this.memory.hit(key, windowMs, blockAt, blockMs);
  }

  /** How long `key` stays blocked, in milliseconds (0: not blocked). */
  async blockedForMs(key: string): Promise<number> {
    if (this.redis.status === 'ready') {
      try {
        const ms = await this.redis.pttl(`${this.prefix}${key}:blocked`);
        this.backInRedis();
        return Math.max(0, ms);
      } catch {
        this.fallBack();
      }
    }
    return this.memory.blockedForMs(key);
  }

  /** ThrottlerStorage: `limit` hits per `ttl` ms, the next one blocks for `blockDuration` ms. */
  async increment(key: string, ttl: number, limit: number, blockDuration: number): Promise<ThrottlerStorageRecord> {
    const hit = await this.hit(key, ttl, limit + 1, blockDuration);
    return { totalHits: hit.hits, timeToExpire: Math.ceil(hit.expiresInMs / 1000), isBlocked: hit.blocked, timeToBlockExpire: Math.ceil(hit.blockedForMs / 1000) };
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }

  private backInRedis(): void {
    if (!this.inMemory) return;
    this.inMemory = false;
    this.logger.log('Redis answers again: rate limits are counted in Redis');
  }

  private fallBack(): void {
    if (this.inMemory) return;
    this.inMemory = true;
    // Info, not a warning: the outage itself is reported once, in words, by RedisOutage.
    this.logger.log("Redis does not answer: rate limits are counted in this process's memory until it does");
  }
}
