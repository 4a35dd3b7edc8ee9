import { Module } from '@nestjs/common';
import { AuthFailureLimiter } from './auth-failure.limiter';
import { RateLimitStore } from './rate-limit.store';

/** The rate limiters' shared counters (Redis, memory while Redis is down). */
@Module({
  providers: [RateLimitStore, AuthFailureLimiter],
  exports: [RateLimitStore, AuthFailureLimiter],
})
export class RateLimitModule {}
