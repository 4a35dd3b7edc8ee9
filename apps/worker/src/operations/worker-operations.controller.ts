import { Controller, Get, Header, Module, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Readiness } from '@vigie/config';
import { MetricsService } from '@vigie/domain';

/**
 * What a worker run alone serves on WORKER_PORT, for the platform only: its Prometheus metrics
 * (the triage latency and classifications are counted where triage runs) and its probes. Ready
 * when PostgreSQL answers: without Redis the worker still sweeps and keeps the outbox.
 */
@Controller()
export class WorkerOperationsController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly metrics: MetricsService,
    private readonly readiness: Readiness,
  ) {}

  @Get('health/live')
  live() {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @HealthCheck()
  ready() {
    if (this.readiness.draining) throw new ServiceUnavailableException({ status: 'error', details: { process: { status: 'down', message: 'shutting down' } } });
    return this.health.check([() => this.db.pingCheck('database', { timeout: 1500 })]);
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  prometheus() {
    return this.metrics.render();
  }
}

@Module({ imports: [TerminusModule.forRoot({ logger: false })], controllers: [WorkerOperationsController] })
export class WorkerOperationsModule {}
