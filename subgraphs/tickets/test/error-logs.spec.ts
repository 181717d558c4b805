import { randomUUID } from 'node:crypto';
import { createDatabase, type Database } from '@marquee/db';
import { createLogger } from '@marquee/subgraph-kit';
import { errorCodes } from '@marquee/subgraph-kit/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buyer, eventWithTier, reserve } from './fixtures.js';
import { startTickets, type World } from './harness.js';

/*
 * A query that fails on the real PostgreSQL, logged by the real logger into a captured stream.
 * drizzle's DrizzleQueryError says "Failed query: <sql>\nparams: <values>" and postgres.js
 * errors carry `parameters` (enumerable with `debug`, as when statements are counted) and a
 * `detail` ("Failing row contains (...)"): user ids, idempotency keys, amounts. None of it may
 * reach a log line; the statement with its placeholders and the SQL state must.
 */

const lines: string[] = [];
const log = createLogger('tickets', 'info', { write: (line: string) => void lines.push(line) });
const output = () => lines.join('');
const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

let t: World;
let database: Database<Record<string, never>>;
beforeAll(async () => {
  t = await startTickets({ deps: { log } });
  // With onQuery postgres.js runs in debug mode: its errors' `parameters` become enumerable.
  database = createDatabase({ url: t.databaseUrl, schema: {}, max: 1, onQuery: () => {} });
});
afterAll(async () => {
  await database?.close();
  await t?.stop();
});

describe('a failing query in the logs', () => {
  it('through a resolver: the SQL and its state, never the hold’s user, key or amount', async () => {
    const { eventId, tierId } = await eventWithTier(t, { priceCents: 43_210 });
    const who = await buyer(t);
    const key = `idem-${randomUUID()}`;
    await t.sql.unsafe(
      `alter table tickets.reservations add constraint refuse_for_test check (total_cents < 0) not valid`,
    );
    lines.length = 0;
    const res = await reserve(t, who.token, eventId, tierId, 3, key);
    await t.sql.unsafe(`alter table tickets.reservations drop constraint refuse_for_test`);
    expect(errorCodes(res)).toEqual(['INTERNAL_SERVER_ERROR']);

    const logged = parsed().find((line) => line.msg === 'unexpected error while resolving');
    expect(logged).toBeDefined();
    const text = JSON.stringify(logged);
    expect(text).toContain('23514');
    expect(text).toContain('refuse_for_test');
    expect(text).toMatch(/insert into \\"tickets\\".\\"reservations\\".*\$1/);
    for (const value of [key, who.id, '129630', '43210', tierId]) expect(output()).not.toContain(value);
  });

  it('however a worker logs the error it caught', async () => {
    const userId = randomUUID();
    const amount = 987_654_321;
    const failures = await Promise.all([
      // 22012: drizzle's DrizzleQueryError over a postgres.js error.
      database.db.execute(sql`select ${userId}::text, ${amount}::int / ${0}::int`).catch((e: unknown) => e),
      // 22P02: Postgres quotes the offending value in its own message.
      database.sql`select ${`idem-${userId}`}::uuid`.catch((e: unknown) => e),
    ]);
    lines.length = 0;
    for (const error of failures) {
      const e = error as Error;
      log.error({ err: e }, 'as err');
      log.error({ error: e }, 'as error');
      log.error(e, 'as the first argument');
      log.error({ err: String(e) }, 'as a string');
      log.error({ err: { message: e.message, stack: e.stack } }, 'described');
      log.warn(`failed: ${e.message}`);
      log.child({ worker: 'sweeper' }).error({ job: { failure: e } }, 'nested in a child logger');
    }
    expect(lines).toHaveLength(14);
    for (const value of [userId, String(amount)]) expect(output()).not.toContain(value);
    const states = parsed()
      .filter((line) => ['as err', 'as error', 'as the first argument'].includes(String(line.msg)))
      .map((line) => JSON.stringify(line).match(/"code":"(\w+)"/)?.[1]);
    expect(states).toEqual(['22012', '22012', '22012', '22P02', '22P02', '22P02']);
    expect(output()).toContain('select $1::text, $2::int / $3::int');
  });
});
