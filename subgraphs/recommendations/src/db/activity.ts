import { sql, type SQL } from 'drizzle-orm';
import type { PgTransaction } from 'drizzle-orm/pg-core';
import {
  KIND_WEIGHT,
  POPULARITY_DECAY,
  TRENDING_DECAY,
  type DecaySpec,
  type InteractionKind,
} from '../scoring/signals.js';
import { schema, type RecommendationsDb } from './database.js';
import { timestamp } from './sql.js';

/**
 * The decayed activity counters of `event_activity` (see schema.ts): how writes move them and
 * how reads see them at `now`. Float8 arithmetic throughout (extract() would be numeric).
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Tx = PgTransaction<any, any, any>;

/** 0.5^(max(0, seconds from `earlier` to `later`) / half-life). */
const fade = (later: SQL, earlier: SQL, spec: DecaySpec) =>
  sql`power(0.5::float8, greatest(0::float8, date_part('epoch', ${later} - ${earlier})) / ${spec.halfLifeMs / 1000}::float8)`;

/**
 * Adds one interaction at `at` to its event's counters (`sign` -1 takes one back, e.g. a
 * refunded purchase at the time it was made). Runs inside the caller's transaction.
 */
export async function addActivity(
  tx: Tx,
  change: { eventId: string; kind: InteractionKind; at: Date; sign?: 1 | -1 },
): Promise<void> {
  const { eventActivity: a } = schema;
  const weight = (change.sign ?? 1) * KIND_WEIGHT[change.kind];
  const old = sql`${a.updatedAt}`;
  const at = sql`excluded.updated_at`;
  const counter = (column: typeof a.popularity | typeof a.trend, spec: DecaySpec) =>
    sql`greatest(0::float8, ${column} * ${fade(at, old, spec)} + ${weight}::float8 * ${fade(old, at, spec)})`;
  const purchases = change.kind === 'PURCHASE' ? (change.sign ?? 1) : 0;
  await tx.execute(sql`
    insert into ${a} (event_id, popularity, trend, purchases, updated_at)
    values (${change.eventId}::uuid, ${Math.max(0, weight)}::float8, ${Math.max(0, weight)}::float8,
      ${Math.max(0, purchases)}::int, ${timestamp(change.at)})
    on conflict (event_id) do update set
      popularity = ${counter(a.popularity, POPULARITY_DECAY)},
      trend = ${counter(a.trend, TRENDING_DECAY)},
      purchases = greatest(0, ${a.purchases} + ${purchases}::int),
      updated_at = greatest(${old}, ${at})`);
}

/**
 * A counter of `alias` (an `event_activity` row, possibly missing) as seen at `now`: 0 when
 * the event's latest activity is older than the window. Rounded (in float8: numeric is slow)
 * so that the order updates were applied in never reorders equal results.
 */
export function activityAt(alias: string, counter: 'popularity' | 'trend', now: Date): SQL {
  const spec = counter === 'popularity' ? POPULARITY_DECAY : TRENDING_DECAY;
  const updatedAt = sql.raw(`${alias}.updated_at`);
  const since = timestamp(new Date(now.getTime() - spec.windowMs));
  return sql`coalesce(case when ${updatedAt} > ${since}
    then round(${sql.raw(`${alias}.${counter}`)} * ${fade(timestamp(now), updatedAt, spec)} * 1e9::float8) / 1e9::float8
    else 0::float8 end, 0::float8)`;
}

/** Recomputes every counter from the interactions (bulk loads; the same sums as addActivity's). */
export async function rebuildActivity(db: RecommendationsDb): Promise<void> {
  const { eventActivity: a, interactions } = schema;
  const weight = sql`(case when kind = 'PURCHASE' then ${KIND_WEIGHT.PURCHASE}::float8 else ${KIND_WEIGHT.VIEW}::float8 end)`;
  await db.execute(sql`
    insert into ${a} (event_id, popularity, trend, purchases, updated_at)
    select event_id, sum(w * ${fade(sql`last`, sql`occurred_at`, POPULARITY_DECAY)}),
      sum(w * ${fade(sql`last`, sql`occurred_at`, TRENDING_DECAY)}),
      count(*) filter (where kind = 'PURCHASE')::int, last
    from (
      select event_id, kind, occurred_at, ${weight} as w, max(occurred_at) over (partition by event_id) as last
      from ${interactions}
    ) x
    group by event_id, last
    on conflict (event_id) do update set
      popularity = excluded.popularity, trend = excluded.trend, purchases = excluded.purchases,
      updated_at = excluded.updated_at`);
}
