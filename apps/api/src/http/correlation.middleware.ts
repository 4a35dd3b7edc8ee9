import { randomUUID } from 'node:crypto';
import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { runWithCorrelationId } from '@vigie/config';
import type { VigieRequest } from './request-context';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Gives every request the server's own correlation id, echoed in X-Correlation-Id. A client's
 * X-Correlation-Id is kept beside it (for the audit log) only when it is a UUID: never in its
 * place, so a caller cannot choose the id its requests are audited and logged under.
 */
@Injectable()
export class CorrelationMiddleware implements NestMiddleware {
  use(req: VigieRequest, res: Response, next: NextFunction): void {
    const given = req.header('x-correlation-id')?.trim();
    req.correlationId = randomUUID();
    if (given && UUID.test(given)) req.clientCorrelationId = given.toLowerCase();
    res.setHeader('X-Correlation-Id', req.correlationId);
    runWithCorrelationId(req.correlationId, next);
  }
}
