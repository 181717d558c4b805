import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'drizzle-orm';
import { schema, type RecommendationsDatabase } from '../db/database.js';
import { decayedSum, epochMs, textArray, timestamp, toDate, windowStart } from '../db/sql.js';
import type { HistoryItem, PersonalCandidate } from '../scoring/personal.js';
import { AFFINITY_DECAY, POPULARITY_DECAY, type InteractionKind } from '../scoring/signals.js';
import { DB } from '../tokens.js';

/** The most recent (event, kind) pairs of a user that shape their profile. */
const HISTORY_LIMIT = 500;

@Injectable()
export class RecommendationsRepository {
  constructor(@Inject(DB) private readonly database: RecommendationsDatabase) {}

  /**
   * One statement: the user's views and purchases of catalog events (any status: a past
   * concert still says what they like) in the affinity window, one row per (event, kind).
   */
  async history(userId: string, now: Date): Promise<HistoryItem[]> {
    const { interactions, eventCatalog } = schema;
    const rows = await this.database.db.execute<{
      event_id: string;
      kind: InteractionKind;
      last_at: number;
      categories: string[];
      city: string;
    }>(sql`
      with mine as (
        select event_id, kind, max(occurred_at) as last_at
        from ${interactions}
        where user_id = ${userId}::uuid and occurred_at > ${windowStart(now, AFFINITY_DECAY)}
        group by event_id, kind
        order by last_at desc, event_id, kind
        limit ${HISTORY_LIMIT}
      )
      select m.event_id, m.kind, ${epochMs('m.last_at')} as last_at, c.categories, c.city
      from mine m join ${eventCatalog} c on c.id = m.event_id`);
    return rows.map((r) => ({
      eventId: r.event_id,
      kind: r.kind,
      lastAt: toDate(r.last_at),
      categories: r.categories,
      city: r.city,
    }));
  }

  /**
   * One statement: recommendable events (PUBLISHED, not ended, not held by the user) with
   * their popularity, from three bounded pools: the user's categories, the user's cities and
   * the most popular overall (which also carries the global maximum the scores scale by).
   * Popularity counts signed-in views and purchases only; anonymous views feed trending alone.
   */
  async candidates(options: {
    userId: string | null;
    now: Date;
    categories: readonly string[];
    cities: readonly string[];
    poolSize: number;
  }): Promise<PersonalCandidate[]> {
    const { interactions, eventCatalog, ticketHoldings } = schema;
    const { userId, now, poolSize } = options;
    const rows = await this.database.db.execute<{
      id: string;
      categories: string[];
      city: string;
      starts_at: number;
      popularity: number;
    }>(sql`
      with popular as (
        select event_id, ${decayedSum(now, POPULARITY_DECAY)} as popularity
        from ${interactions}
        where occurred_at > ${windowStart(now, POPULARITY_DECAY)} and user_id is not null
        group by event_id
      ),
      live as (
        select c.id, c.categories, c.city, c.starts_at, coalesce(p.popularity, 0)::float8 as popularity
        from ${eventCatalog} c left join popular p on p.event_id = c.id
        where c.status = 'PUBLISHED' and c.ends_at > ${timestamp(now)}
          and not exists (
            select 1 from ${ticketHoldings} h
            where h.user_id = ${userId}::uuid and h.event_id = c.id and h.refunded_at is null
          )
      )
      select id, categories, city, ${epochMs('starts_at')} as starts_at, popularity from (
        (select * from live where categories && ${textArray(options.categories)}
          order by popularity desc, starts_at, id limit ${poolSize})
        union
        (select * from live where lower(city) = any(${textArray(options.cities)})
          order by popularity desc, starts_at, id limit ${poolSize})
        union
        (select * from live order by popularity desc, starts_at, id limit ${poolSize})
      ) pool`);
    return rows.map((r) => ({
      id: r.id,
      categories: r.categories,
      city: r.city,
      startsAt: toDate(r.starts_at),
      popularity: Number(r.popularity),
    }));
  }
}
