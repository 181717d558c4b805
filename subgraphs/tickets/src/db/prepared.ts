/**
 * Runs a drizzle query as a prepared statement.
 *
 * drizzle's postgres-js driver sends ordinary queries with `prepare: false`, and postgres.js
 * then precedes every parameterised statement with a Parse/Describe round trip to learn the
 * parameter types: two round trips (and two socket writes) per statement, and no pipelining.
 * Prepared, postgres.js describes a statement once per connection and caches it: one round
 * trip, and statements issued together in a transaction go out in one write. The hot paths
 * (reserve, checkout, refund) use this; the name is informational (postgres.js names its
 * statements itself).
 */
export function prepared<T>(
  name: string,
  query: { prepare(name: string): { execute(): Promise<T> } },
): Promise<T> {
  return query.prepare(name).execute();
}
