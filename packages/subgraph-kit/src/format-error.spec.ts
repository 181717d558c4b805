import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createErrorFormatter } from './format-error.js';

describe('error formatting', () => {
  const logged: unknown[] = [];
  const format = createErrorFormatter({ error: (object) => logged.push(object) });

  it('masks unexpected errors and logs them server-side', () => {
    const raw = new Error('Failed query: select * from users.accounts where id = $1');
    const out = format(
      { message: raw.message, extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at x'] } },
      raw,
    );
    expect(out).toEqual({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(JSON.stringify(logged)).toContain('Failed query');
  });

  it('keeps our codes and extra fields, never a stack trace', () => {
    const error = new GraphQLError('Sold out', { extensions: { code: 'CONFLICT', reason: 'SOLD_OUT' } });
    const out = format(
      {
        message: 'Sold out',
        path: ['reserveTickets'],
        extensions: { code: 'CONFLICT', reason: 'SOLD_OUT', stacktrace: ['at y'] },
      },
      error,
    );
    expect(out).toEqual({
      message: 'Sold out',
      path: ['reserveTickets'],
      extensions: { code: 'CONFLICT', reason: 'SOLD_OUT' },
    });
  });

  it('tells a client to retry when the database went away, without the driver’s words', () => {
    for (const code of ['CONNECTION_CLOSED', 'CONNECT_TIMEOUT', 'ECONNREFUSED', '57P01', '08006']) {
      const driver = Object.assign(new Error(`write CONNECTION_CLOSED 127.0.0.1:5432 (${code})`), { code });
      const wrapped = new GraphQLError('Failed query: select 1', {
        originalError: new Error('Failed query', { cause: driver }),
      });
      const out = format(
        { message: wrapped.message, path: ['events'], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
        wrapped,
      );
      expect(out).toEqual({
        message: 'The service is temporarily unavailable; retry shortly',
        path: ['events'],
        extensions: { code: 'SERVICE_UNAVAILABLE' },
      });
    }
  });

  it('keeps other database errors internal', () => {
    const driver = Object.assign(new Error('division by zero'), { code: '22012' });
    const out = format(
      { message: 'Failed query', extensions: {} },
      new GraphQLError('Failed query', { originalError: driver }),
    );
    expect(out.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
  });
});
