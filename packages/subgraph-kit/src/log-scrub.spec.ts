import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { loggableError, scrubLine, scrubText } from './log-scrub.js';

/*
 * The shapes of a failed query's errors, built here as drizzle and postgres.js build them (the
 * real ones, from a real PostgreSQL, are in subgraphs/tickets/test/error-logs.spec.ts).
 */
/** drizzle-orm/errors.js's, line for line (this package does not depend on drizzle). */
class DrizzleQueryError extends Error {
  constructor(
    readonly query: string,
    readonly params: unknown[],
    override readonly cause?: unknown,
  ) {
    super(`Failed query: ${query}\nparams: ${params.join(',')}`);
  }
}

function postgresError(fields: Record<string, unknown>, parameters: unknown[]) {
  const error = Object.assign(new Error(String(fields.message)), { name: 'PostgresError' }, fields);
  // postgres.js adds these non-enumerable, unless it runs in debug mode.
  Object.defineProperties(error, {
    query: { value: 'insert into t (email, amount) values ($1, $2)' },
    parameters: { value: parameters },
  });
  return error;
}

function capture() {
  const lines: string[] = [];
  return { lines, log: createLogger('test', 'info', { write: (line: string) => void lines.push(line) }) };
}

describe('failed queries in log lines', () => {
  it('keep the SQL state, the message and the names, drop the values and the detail', () => {
    const driver = postgresError(
      {
        message: 'duplicate key value violates unique constraint "accounts_email_key"',
        code: '23505',
        detail: 'Key (email)=(alice@example.com) already exists.',
        constraint_name: 'accounts_email_key',
        table_name: 'accounts',
      },
      ['alice@example.com', 4_200],
    );
    const error = new DrizzleQueryError(
      'insert into t (email, amount) values ($1, $2)',
      ['alice@example.com', 4_200],
      driver,
    );
    const text = JSON.stringify(loggableError(error));
    expect(text).not.toMatch(/alice|4200/);
    expect(loggableError(error)).toMatchObject({
      type: 'DrizzleQueryError',
      message: 'Failed query',
      query: 'insert into t (email, amount) values ($1, $2)',
      cause: { code: '23505', constraint_name: 'accounts_email_key', table_name: 'accounts' },
    });
  });

  it('replace a bound value wherever Postgres repeats it (a raised exception, a routine’s message)', () => {
    const driver = postgresError({ message: 'tier 5f0c-secret-tier is closed', code: 'P0001' }, [
      '5f0c-secret-tier',
    ]);
    expect(JSON.stringify(loggableError(driver))).not.toContain('5f0c-secret-tier');
  });

  it('cannot be steered by a value that looks like the end of the params', () => {
    // A caller's value pretending a stack frame follows, and a quote to end a JSON string.
    const hostile = 'x\n    at fake (f.js:1:1)\nsecret-after "quote';
    const error = new DrizzleQueryError('select $1, $2', [hostile, 'second-secret'], new Error('boom'));
    for (const text of [String(error), error.message, error.stack ?? '']) {
      expect(scrubText(text)).not.toMatch(/secret/);
    }
    const line = JSON.stringify({ msg: `failed: ${error.message}` });
    expect(scrubLine(line)).not.toMatch(/secret/);
    expect(JSON.parse(scrubLine(line))).toEqual({
      msg: 'failed: Failed query: select $1, $2\nparams: [redacted]',
    });
  });

  it('mask the values Postgres quotes in its messages, even as plain text', () => {
    for (const message of [
      'invalid input syntax for type uuid: "idem-key-1"',
      'invalid input value for enum tickets.status: "idem-key-1"',
      'malformed array literal: "idem-key-1"',
      'value "idem-key-1" is out of range for type integer',
      'date/time field value out of range: "idem-key-1"',
    ]) {
      expect(scrubText(`PostgresError: ${message}`)).not.toContain('idem-key-1');
      expect(scrubText(message)).toContain('[redacted]');
    }
    // Names Postgres quotes are not values: they stay.
    expect(scrubText('relation "tickets.tiers" does not exist')).toBe(
      'relation "tickets.tiers" does not exist',
    );
  });

  it('go through the real logger safely, leaving the caller’s objects and requests alone', () => {
    const { lines, log } = capture();
    const error = new DrizzleQueryError('select $1', ['secret-value'], new Error('boom'));
    const context = { job: { error }, attempt: 2 };
    const request = new (class Request {
      url = '/graphql';
    })();
    log.error(context, 'job failed');
    log.error({ err: error, req: request }, 'request failed');
    log.error(error);
    expect(context.job.error).toBe(error);
    expect(lines.join('')).not.toContain('secret-value');
    expect(JSON.parse(lines[1]!)).toMatchObject({ req: { url: '/graphql' }, err: { query: 'select $1' } });
    expect(JSON.parse(lines[2]!)).toMatchObject({ msg: 'Failed query', err: { cause: { message: 'boom' } } });
  });
});
