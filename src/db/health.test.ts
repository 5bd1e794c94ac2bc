import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from './health.ts';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('isDatabaseUnavailable', () => {
  it('knows a database that cannot be reached, went away or is shutting down', () => {
    for (const error of [
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('read ECONNRESET', 'ECONNRESET'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('the database system is starting up', '57P03'),
      withCode('connection failure', '08006'),
      new Error('the query failed', { cause: withCode('connect ECONNREFUSED', 'ECONNREFUSED') }),
    ])
      expect(isDatabaseUnavailable(error), error.message).toBe(true);
  });

  it('leaves every other error to the usual answer', () => {
    for (const error of [
      withCode('duplicate key value violates unique constraint', '23505'),
      withCode('sharing records are kept: DELETE refused', '42501'),
      withCode('invalid input syntax for type uuid', '22P02'),
      new Error('Connection refused by the rules'),
      'ECONNREFUSED',
      undefined,
    ])
      expect(isDatabaseUnavailable(error), String(error)).toBe(false);
  });
});
