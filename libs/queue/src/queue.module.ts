import { Module } from '@nestjs/common';
import { JobProducer } from './job-producer';
import { RedisOutage } from './redis-outage';

@Module({ providers: [JobProducer, RedisOutage], exports: [JobProducer, RedisOutage] })
export class QueueModule {}
