import type { NestExpressApplication } from '@nestjs/platform-express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { NextFunction, Request, Response } from 'express';
import { ApiClientService, DomainError } from '@vigie/domain';
import { JobProducer } from '@vigie/queue';
import { AuthFailureLimiter } from '../http/auth-failure.limiter';
import { statusOf } from '../http/error.filter';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/**
 * Bull Board for administrators at /admin/queues. A browser signs in with HTTP Basic auth
 * (any user name, the admin API key as password); scripts may send the Bearer key.
 * Job payloads carry ids only, so the dashboard shows no personal data.
 */
export function mountQueueDashboard(app: NestExpressApplication): void {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: app.get(JobProducer).allQueues().map((queue) => new BullMQAdapter(queue, { readOnlyMode: false })),
    serverAdapter,
  });
  const clients = app.get(ApiClientService);
  const failures = app.get(AuthFailureLimiter);
  app.use(QUEUE_DASHBOARD_PATH, (req: Request, res: Response, next: NextFunction) => {
    void adminOnly(clients, failures, req, res)
      .then((verdict) => {
        if (verdict === 'admin') return next();
        // Basic first, for a browser to ask for the key; Bearer for scripts (RFC 6750 errors).
        const bearer = verdict === 'no_key' ? 'Bearer' : verdict === 'unknown_key' ? 'Bearer error="invalid_token"' : 'Bearer error="insufficient_scope"';
        res.setHeader('WWW-Authenticate', `Basic realm="Vigie queues", ${bearer}`);
        res.status(401).json({ statusCode: 401, code: 'UNAUTHENTICATED', message: 'An admin API key is required', correlationId: (req as Request & { correlationId?: string }).correlationId ?? 'none' });
      })
      .catch((error: unknown) => {
        if (!(error instanceof DomainError)) return next(error);
        res.status(statusOf(error.code)).json({ statusCode: statusOf(error.code), code: error.code, message: error.message, correlationId: (req as Request & { correlationId?: string }).correlationId ?? 'none' });
      });
  });
  app.use(QUEUE_DASHBOARD_PATH, serverAdapter.getRouter());
}

async function adminOnly(clients: ApiClientService, failures: AuthFailureLimiter, req: Request, res: Response): Promise<'admin' | 'no_key' | 'unknown_key' | 'not_admin'> {
  const header = req.header('authorization') ?? '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  const basic = /^Basic\s+(\S+)$/i.exec(header)?.[1];
  const key = bearer ?? (basic ? Buffer.from(basic, 'base64').toString('utf8').split(':').slice(1).join(':') : undefined);
  if (!key) return 'no_key';
  await failures.refuseIfBlocked(req, res);
  const caller = await clients.authenticate(key);
  if (!caller) {
    await failures.recordFailure(req);
    return 'unknown_key';
  }
  return caller.role === 'admin' ? 'admin' : 'not_admin';
}
