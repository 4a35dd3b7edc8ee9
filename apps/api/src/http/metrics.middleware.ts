import { Injectable, NestMiddleware } from '@nestjs/common';
import type { Response } from 'express';
import { MetricsService } from '@vigie/domain';
import type { VigieRequest } from './request-context';

/** Counts requests by route pattern (never the concrete URL) and status. */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: MetricsService) {}

  use(req: VigieRequest, res: Response, next: () => void): void {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const route = `${req.baseUrl ?? ''}${(req.route as { path?: string } | undefined)?.path ?? 'unmatched'}`;
      this.metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      this.metrics.httpDuration.observe({ method: req.method, route }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  }
}
