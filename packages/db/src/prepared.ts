import { sql, type Column, type Placeholder, type SQL } from 'drizzle-orm';

/**
 * Runs a drizzle query as a prepared statement.
 *
 * drizzle's postgres-js driver sends ordinary queries with `prepare: false`, and postgres.js
 * then precedes every parameterised statement with a Parse/Describe round trip to learn the
 * parameter types: two round trips (and two socket writes) per statement, and no pipelining.
 * Prepared, postgres.js describes a statement once per connection and caches it: one round
 * trip, and statements issued together in a transaction go out in one write. Hot paths use
 * this; the name is informational (postgres.js names its statements itself).
 */
export function prepared<T>(
  name: string,
  query: { prepare(name: string): { execute(): Promise<T> } },
): Promise<T> {
  return query.prepare(name).execute();
}

/**
 * `column = any($1::uuid[])`: one statement text whatever the number of ids. drizzle's
 * `inArray` spreads ids into `in ($1, $2, ...)`, a different statement (to prepare and plan)
 * for every batch size a DataLoader happens to collect.
 */
export function anyUuid(column: Column | SQL, ids: readonly string[] | Placeholder): SQL {
  return sql`${column} = any(${uuidArray(ids)})`;
}

/** Ids as one Postgres array parameter (drizzle would otherwise spread a JS array into a list). */
export function uuidArray(ids: readonly string[] | Placeholder): SQL {
  const value = Array.isArray(ids) ? sql.param([...ids]) : (ids as Placeholder);
  return sql`${value}::uuid[]`;
}
