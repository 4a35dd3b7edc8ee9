import { QueryFailedError } from 'typeorm';
import { errorSummary } from './database-errors';

describe('errorSummary', () => {
  it('names a PostgreSQL error by its SQLSTATE and constraint, never by its text', () => {
    const driverError = Object.assign(new Error('new row for relation "youths" violates check constraint "c": Testnom'), {
      code: '23514',
      constraint: 'youths_name_check',
    });
    const error = new QueryFailedError('UPDATE youths SET last_name = $1', ['Testnom'], driverError);
    expect(errorSummary(error)).toBe('SQLSTATE 23514 (youths_name_check)');
    expect(errorSummary(driverError)).toBe('SQLSTATE 23514 (youths_name_check)');
  });

  it('keeps the message of other errors: connection and queue errors quote no row', () => {
    expect(errorSummary(new Error('Redis did not answer in time'))).toBe('Redis did not answer in time');
    expect(errorSummary(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe('connect ECONNREFUSED 127.0.0.1:5432');
  });
});
