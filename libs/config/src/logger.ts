import type { Params } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { VigieConfig } from './vigie-config';

/**
 * Structured JSON logs, one line per request with its correlation id. Request bodies, query
 * strings and headers are never logged: they may carry a child's personal data or a key.
 */
export function loggerParams(config: VigieConfig): Params {
  return {
    pinoHttp: {
      level: config.LOG_LEVEL,
      genReqId: (req: IncomingMessage) => (req as IncomingMessage & { correlationId?: string }).correlationId ?? 'none',
      serializers: {
        req: (req: { method: string; url: string; id: string }) => ({ method: req.method, path: req.url.split('?')[0], correlationId: req.id }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customProps: (req: IncomingMessage) => ({
        clientId: (req as IncomingMessage & { caller?: { clientId: string } }).caller?.clientId,
      }),
      customSuccessMessage: (req: IncomingMessage, res: ServerResponse) => `${req.method} ${res.statusCode}`,
      customErrorMessage: (req: IncomingMessage, res: ServerResponse) => `${req.method} ${res.statusCode}`,
      redact: { paths: ['req.headers', 'req.body', 'req.query', 'res.headers'], remove: true },
      autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health/live' || req.url === '/metrics' },
    },
  };
}
