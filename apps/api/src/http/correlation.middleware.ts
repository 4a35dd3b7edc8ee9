import { randomUUID } from 'node:crypto';
import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { runWithCorrelationId } from '@vigie/config';
import type { VigieRequest } from './request-context';

const ACCEPTED = /^[A-Za-z0-9._-]{8,64}$/;

/** Takes the caller's X-Correlation-Id when well-formed, or makes one; echoed on every response. */
@Injectable()
export class CorrelationMiddleware implements NestMiddleware {
  use(req: VigieRequest, res: Response, next: NextFunction): void {
    const given = req.header('x-correlation-id');
    req.correlationId = given && ACCEPTED.test(given) ? given : randomUUID();
    res.setHeader('X-Correlation-Id', req.correlationId);
    runWithCorrelationId(req.correlationId, next);
  }
}
