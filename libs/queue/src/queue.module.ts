import { Module } from '@nestjs/common';
import { JobProducer } from './job-producer';

@Module({ providers: [JobProducer], exports: [JobProducer] })
export class QueueModule {}
