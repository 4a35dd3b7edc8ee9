import type { ArgumentsHost } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { ErrorFilter } from './error.filter';

/** A value a database error message would repeat: it must never reach the logs. */
const VALUE = 'Testprenom-0123';

function hostFor(res: FakeResponse): ArgumentsHost {
  const req = { correlationId: '4c1b6a7e-0d5f-4f0e-9d7a-2b8e3c4d5e6f' };
  return { switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }) } as unknown as ArgumentsHost;
}

class FakeResponse {
  statusCode = 200;
  body: unknown;
  headersSent = false;
  locals: Record<string, unknown> = {};
  headers: Record<string, string> = {};
  getHeader(name: string) {
    return this.headers[name.toLowerCase()];
  }
  setHeader(name: string, value: string) {
    this.headers[name.toLowerCase()] = value;
  }
  status(code: number) {
    this.statusCode = code;
    return this;
  }
  json(body: unknown) {
    this.body = body;
    return this;
  }
}

/** A driver error as node-postgres makes it: the SQLSTATE in `code`, the value in the message. */
function pgError(code: string, message: string): Error & { code: string; severity: string } {
  return Object.assign(new Error(message), { code, severity: 'ERROR', detail: `Key (first_name)=(${VALUE}) already exists.` });
}

describe('ErrorFilter logging of database errors', () => {
  let logged: string[];

  beforeEach(() => {
    logged = [];
    const capture = (...args: unknown[]) => {
      logged.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : String(a))).join(' '));
    };
    jest.spyOn(Logger.prototype, 'error').mockImplementation(capture);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(capture);
  });
  afterEach(() => jest.restoreAllMocks());

  it.each([
    ['a query failure', () => new QueryFailedError('SELECT $1::uuid', [VALUE], pgError('22P02', `invalid input syntax for type uuid: "${VALUE}"`))],
    ['a driver error', () => pgError('23505', `duplicate key value violates unique constraint "youths_pkey": ${VALUE}`)],
    ['a database error wrapped in another', () => new Error('Transaction failed', { cause: pgError('22008', `date/time field value out of range: "${VALUE}"`) })],
  ])('logs the SQLSTATE of %s, never its message text, and answers a bare 500', (_name, make) => {
    const error = make();
    const res = new FakeResponse();

    new ErrorFilter().catch(error, hostFor(res));

    expect(res.statusCode).toBe(500);
    expect(res.body).toEqual({ statusCode: 500, code: 'INTERNAL_ERROR', message: 'An unexpected error occurred', correlationId: '4c1b6a7e-0d5f-4f0e-9d7a-2b8e3c4d5e6f' });
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/SQLSTATE (22P02|23505|22008)/);
    expect(logged[0]).toContain('4c1b6a7e-0d5f-4f0e-9d7a-2b8e3c4d5e6f');
    expect(logged[0]).not.toContain(VALUE);
    expect(logged[0]).not.toMatch(/invalid input syntax|duplicate key|out of range/);
  });

  it('still logs the message of an error that is not a database error', () => {
    const res = new FakeResponse();
    new ErrorFilter().catch(new TypeError('x is not a function'), hostFor(res));
    expect(res.statusCode).toBe(500);
    expect(logged.join('\n')).toContain('x is not a function');
  });
});
