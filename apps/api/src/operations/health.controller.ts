import { Controller, Get, Header, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { DomainError, MetricsService } from '@vigie/domain';
import { JobProducer } from '@vigie/queue';
import { Readiness } from '@vigie/config';
import { Public } from '../http/auth.guard';

/** Probes and metrics are never rate-limited: an orchestrator or a scraper must always get an answer. */
@ApiTags('operations')
@Public()
@SkipThrottle()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly producer: JobProducer,
    private readonly metrics: MetricsService,
    private readonly readiness: Readiness,
  ) {}

  @Get('health/live')
  @ApiOkResponse({ description: 'The process is up', schema: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } } })
  live() {
    return { status: 'ok' };
  }

  /**
   * Ready when PostgreSQL answers and the process is not shutting down. Redis down does not make
   * the API unready: declarations are kept in the outbox and triaged when Redis answers again;
   * the body says `redis: degraded`. A Redis that may evict jobs (not noeviction) is not ready.
   */
  @Get('health/ready')
  @HealthCheck()
  async ready() {
    if (this.readiness.draining) throw shuttingDown();
    const redis = await this.redisState();
    try {
      const result = await this.health.check([
        () => this.db.pingCheck('database', { timeout: 1500 }),
        () => {
          if (redis.status === 'degraded') return {};
          const indicator = this.indicators.check('redis');
          return redis.status === 'up' ? indicator.up(redis.data) : indicator.down(redis.data);
        },
      ]);
      return redis.status === 'degraded' ? { ...result, details: { ...result.details, redis: { status: 'degraded', ...redis.data } } } : result;
    } catch (error) {
      throw notReady(error);
    }
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiExcludeEndpoint()
  async prometheus(@Res({ passthrough: true }) _res: Response) {
    return this.metrics.render();
  }

  private async redisState(): Promise<{ status: 'up' | 'down' | 'degraded'; data: Record<string, string> }> {
    try {
      const policy = await withTimeout(this.producer.maxmemoryPolicy(), 1500);
      if (policy !== 'noeviction') return { status: 'down', data: { maxmemoryPolicy: policy, message: 'Redis must use maxmemory-policy noeviction' } };
      return { status: 'up', data: { maxmemoryPolicy: policy } };
    } catch {
      return { status: 'degraded', data: { message: 'unreachable: declarations are kept and will be triaged when it answers' } };
    }
  }
}

/** Readiness during the shutdown grace period: the load balancer must stop routing here. */
export function shuttingDown(): DomainError {
  return new DomainError('DEPENDENCY_UNAVAILABLE', 'Not ready: shutting down', [{ field: 'process', message: 'shutting down' }]);
}

/**
 * The 503 names each dependency that is down, in `details` of the usual error body: the error
 * filter keeps only the status of terminus's own exception, which would hide what is down.
 */
export function notReady(error: unknown): unknown {
  if (!(error instanceof ServiceUnavailableException)) return error;
  const report = error.getResponse() as { error?: Record<string, { status: string; message?: string }> };
  const down = Object.entries(report.error ?? {}).map(([field, r]) => ({ field, message: r.message ? `down: ${r.message}` : r.status }));
  const names = down.map((d) => d.field).join(', ') || 'a dependency';
  return new DomainError('DEPENDENCY_UNAVAILABLE', `Not ready: ${names} unavailable`, down);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
