import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Response } from 'express';
import { MetricsService } from '@vigie/domain';
import { JobProducer } from '@vigie/queue';
import { Public } from '../http/auth.guard';

@ApiTags('operations')
@Public()
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
  live() {
    return { status: 'ok' };
  }

  /** Ready when PostgreSQL and Redis answer; Redis must also keep jobs (noeviction). */
  @Get('health/ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.db.pingCheck('database', { timeout: 1500 }), () => this.redisCheck()]);
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

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
