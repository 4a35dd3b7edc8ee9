import IORedis, { RedisOptions as IORedisOptions } from 'ioredis';
import type { RedisOptions } from 'bullmq';

/**
 * Connection options for BullMQ. Producers fail fast when Redis is down (the outbox keeps the
 * work); workers wait for Redis forever, as BullMQ requires.
 */
export function redisOptions(redisUrl: string, role: 'producer' | 'worker'): RedisOptions {
  const url = new URL(redisUrl);
  const options: RedisOptions = {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port || 6379),
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    tls: url.protocol === 'rediss:' ? {} : undefined,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  };
  return role === 'producer'
    ? { ...options, enableOfflineQueue: false, maxRetriesPerRequest: 1 }
    : { ...options, maxRetriesPerRequest: null };
}

export function createRedis(redisUrl: string, role: 'producer' | 'worker', extra: IORedisOptions = {}): IORedis {
  return new IORedis({ ...redisOptions(redisUrl, role), ...extra } as IORedisOptions);
}
