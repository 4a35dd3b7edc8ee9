import type { IncomingMessage, ServerResponse } from 'node:http';
import { loggerParams, routePattern } from './logger';
import { loadConfig } from './vigie-config';

type LevelOf = (req: IncomingMessage, res: ServerResponse, error?: Error) => string;

const levelOf = (loggerParams(loadConfig({})).pinoHttp as { customLogLevel: LevelOf }).customLogLevel;
const req = (url: string, routed: object = {}) => ({ url, method: 'GET', ...routed }) as unknown as IncomingMessage;
const res = (statusCode: number) => ({ statusCode }) as ServerResponse;

describe('request log levels', () => {
  it('logs probes and scrapes at debug, refused requests at info, failures at error', () => {
    expect(levelOf(req('/health/ready'), res(200))).toBe('debug');
    expect(levelOf(req('/health/live?x=1'), res(200))).toBe('debug');
    expect(levelOf(req('/metrics'), res(200))).toBe('debug');
    expect(levelOf(req('/v1/fugues'), res(201))).toBe('info');
    expect(levelOf(req('/v1/fugues/abc'), res(404))).toBe('info');
    expect(levelOf(req('/v1/fugues'), res(429))).toBe('info');
    expect(levelOf(req('/v1/fugues'), res(500))).toBe('error');
    expect(levelOf(req('/health/ready'), res(503))).toBe('error');
    expect(levelOf(req('/v1/fugues'), res(200), new Error('aborted'))).toBe('error');
  });
});

describe('routePattern', () => {
  it('names the pattern that served the request, never the concrete path', () => {
    expect(routePattern(req('/a/eyJsecret', { route: { path: '/a/:token' } }))).toBe('/a/:token');
    expect(routePattern(req('/admin/queues/api/queues?x=1', { baseUrl: '/admin/queues', route: { path: '/api/queues' } }))).toBe('/admin/queues/api/queues');
    expect(routePattern(req('/admin/queues/static/app.js', { baseUrl: '/admin/queues' }))).toBe('/admin/queues/*');
    expect(routePattern(req('/no/such/route?token=x'))).toBe('(no route)');
  });
});
