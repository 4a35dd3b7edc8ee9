import { Controller, Get, Header, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { DomainError, MetricsService } from '@vigie/domain';
import { JobProducer } from '@vigie/queue';
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
  ) {}

  @Get('health/live')
  @ApiOkResponse({ description: 'The process is up', schema: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } } })
  live() {
    return { status: 'ok' };
  }

  /** Ready when PostgreSQL and Redis answer; Redis must also keep jobs (noeviction). */
  @Get('health/ready')
  @HealthCheck()
  async ready() {
    try {
      return await this.health.check([() => this.db.pingCheck('database', { timeout: 1500 }), () => this.redisCheck()]);
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

  private async redisCheck() {
    const indicator = this.indicators.check('redis');
    try {
      const policy = await withTimeout(this.producer.maxmemoryPolicy(), 1500);
      if (policy !== 'noeviction') return indicator.down({ maxmemoryPolicy: policy, message: 'Redis must use maxmemory-policy noeviction' });
      return indicator.up({ maxmemoryPolicy: policy });
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}

/**
 * The 503 names each dependency that is down, in `details` of the usual error body: the error
 * filter keeps only the status of terminus's own exception, which would hide what is down.
 */
function notReady(error: unknown): unknown {
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
