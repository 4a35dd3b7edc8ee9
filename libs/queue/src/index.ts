export * from './queue.contracts';
export { JobProducer, jobOptions } from './job-producer';
export { QueueModule } from './queue.module';
export { RedisOutage, isConnectionError } from './redis-outage';
export { redisOptions, createRedis } from './redis-connection';
