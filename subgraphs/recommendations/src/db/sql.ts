import { sql, type SQL } from 'drizzle-orm';
import { KIND_WEIGHT, type DecaySpec } from '../scoring/signals.js';

/** Helpers the repositories share for hand-written statements (always parameterised). */

/** A JS array as one Postgres array parameter (drizzle would otherwise spread it into a list). */
export const textArray = (values: readonly string[]) => sql`${sql.param([...values])}::text[]`;
export const uuidArray = (values: readonly string[]) => sql`${sql.param([...values])}::uuid[]`;
export const timestamp = (date: Date) => sql`${date.toISOString()}::timestamptz`;

/** Timestamps leave Postgres as epoch milliseconds: unambiguous to parse. */
export const epochMs = (column: SQL | string) =>
  sql`(extract(epoch from ${typeof column === 'string' ? sql.raw(column) : column}) * 1000)::float8`;

/**
 * The decayed weight of the interactions in scope, the same formula as
 * `interactionWeight` in scoring/signals.ts: KIND_WEIGHT x 0.5^(age / half-life), summed, and
 * rounded so that summation order can never change a ranking.
 */
export function decayedSum(now: Date, spec: DecaySpec): SQL {
  const halfLifeSeconds = spec.halfLifeMs / 1000;
  return sql`round(sum(
      (case when kind = 'PURCHASE' then ${KIND_WEIGHT.PURCHASE}::float8 else ${KIND_WEIGHT.VIEW}::float8 end)
      * power(0.5, greatest(0, extract(epoch from (${timestamp(now)} - occurred_at))) / ${halfLifeSeconds}::float8)
    )::numeric, 9)::float8`;
}

/** The start of a decay window. */
export const windowStart = (now: Date, spec: DecaySpec) => timestamp(new Date(now.getTime() - spec.windowMs));

export const toDate = (ms: unknown) => new Date(Number(ms));
