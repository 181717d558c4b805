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
});
