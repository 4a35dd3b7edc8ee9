import type { LoggerService } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { Logger as PinoInstance } from 'pino';
import type { VigieConfig } from './vigie-config';

type RoutedRequest = IncomingMessage & {
  baseUrl?: string;
  route?: { path?: string };
  caller?: { clientId: string };
  correlationId?: string;
};
type LocalsResponse = ServerResponse & { locals?: { errorCode?: string } };

/** Levels as names (`"level":"info"`), which a person and a log pipeline read without a table. */
const levelAsName = { level: (label: string) => ({ level: label }) };

/**
 * The route pattern that served a request (`/a/:token`, `/v1/fugues/:id`), never the concrete
 * path: paths carry acknowledgement tokens and ids, query strings carry cursors and filters.
 */
export function routePattern(req: IncomingMessage): string {
  const { baseUrl, route } = req as RoutedRequest;
  if (route?.path !== undefined) return `${baseUrl ?? ''}${route.path}`;
  return baseUrl ? `${baseUrl}/*` : '(no route)';
}

/** Probes and scrapes run every few seconds: worth seeing only when debugging. */
function isProbe(req: IncomingMessage): boolean {
  const path = (req.url ?? '').split('?')[0];
  return path === '/metrics' || path.startsWith('/health/');
}

/**
 * Structured JSON logs, one line per request with its route pattern, status and correlation id.
 * Request paths, bodies, query strings and headers are never logged: they may carry a child's
 * personal data, a key or an acknowledgement token. Probes log at debug, refused requests (4xx)
 * at info with their error code, failures (5xx) at error.
 */
export function loggerParams(config: VigieConfig): Params {
  const atFinish = (req: IncomingMessage, res: ServerResponse, value: object) => ({
    ...value,
    route: routePattern(req),
    clientId: (req as RoutedRequest).caller?.clientId,
    code: (res as LocalsResponse).locals?.errorCode,
  });
  const message = (req: IncomingMessage, res: ServerResponse) => `${req.method} ${routePattern(req)} ${res.statusCode}`;
  return {
    pinoHttp: {
      level: config.LOG_LEVEL,
      formatters: levelAsName,
      genReqId: (req: IncomingMessage) => (req as RoutedRequest).correlationId ?? 'none',
      serializers: {
        // Serialized when the request arrives, before routing: the route is added at the end.
        req: (req: { method: string; id: string }) => ({ method: req.method, correlationId: req.id }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (req: IncomingMessage, res: ServerResponse, error?: Error) => {
        if (error || res.statusCode >= 500) return 'error';
        return isProbe(req) ? 'debug' : 'info';
      },
      customSuccessObject: atFinish,
      customErrorObject: atFinish,
      customSuccessMessage: message,
      customErrorMessage: message,
      redact: { paths: ['req.headers', 'req.body', 'req.query', 'req.url', 'res.headers'], remove: true },
    },
  };
}

/** Start-up messages written before Nest runs (migrations), in the same JSON shape as the rest. */
export function startupLogger(config: VigieConfig): PinoInstance {
  return pino({ level: config.LOG_LEVEL, formatters: levelAsName, base: { pid: process.pid, context: 'Startup' } });
}

/** Nest's own start-up chatter (every module loaded, every route mapped): debug, not info. */
const FRAMEWORK_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

/** Wraps the application logger so that Nest's framework messages go to debug. */
export function withFrameworkAtDebug(logger: LoggerService): LoggerService {
  return {
    log: (message: unknown, ...rest: unknown[]) => {
      const context = rest.at(-1);
      if (typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context)) logger.debug?.(message, ...rest);
      else logger.log(message, ...rest);
    },
    error: (message: unknown, ...rest: unknown[]) => logger.error(message, ...rest),
    warn: (message: unknown, ...rest: unknown[]) => logger.warn(message, ...rest),
    debug: (message: unknown, ...rest: unknown[]) => logger.debug?.(message, ...rest),
    verbose: (message: unknown, ...rest: unknown[]) => logger.verbose?.(message, ...rest),
    fatal: (message: unknown, ...rest: unknown[]) => (logger.fatal ?? logger.error).call(logger, message, ...rest),
  };
}
