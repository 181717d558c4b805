import { sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { RecommendationsDatabase } from './database.js';

/** Helpers the repositories share for hand-written statements (always parameterised). */

export { uuidArray } from '@marquee/db';
/** Text values as one Postgres array parameter (drizzle would otherwise spread it into a list). */
export const textArray = (values: readonly string[]) => sql`${sql.param([...values])}::text[]`;
export const timestamp = (date: Date) => sql`${date.toISOString()}::timestamptz`;

/** Timestamps leave Postgres as epoch milliseconds: unambiguous to parse. */
export const epochMs = (column: SQL | string) =>
  sql`(extract(epoch from ${typeof column === 'string' ? sql.raw(column) : column}) * 1000)::float8`;

export const toDate = (ms: unknown) => new Date(Number(ms));

const dialect = new PgDialect();

/**
 * Runs a hot read as a named prepared statement (drizzle's `execute` never prepares): Postgres
 * plans it once per connection and text instead of on every request. Parameterised as ever.
 */
export async function preparedRows<T extends Record<string, unknown>>(
  database: RecommendationsDatabase,
  query: SQL,
): Promise<T[]> {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return (await database.sql.unsafe(text, params as never[], { prepare: true })) as unknown as T[];
}
