import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'drizzle-orm';
import { schema, type RecommendationsDatabase } from '../db/database.js';
import { epochMs, timestamp, toDate, uuidArray } from '../db/sql.js';
import type { SimilarCandidate, SimilarityProfile } from '../scoring/similar.js';
import { DB } from '../tokens.js';

export interface SimilarPool {
  source: SimilarityProfile;
  candidates: SimilarCandidate[];
}

type PoolRow = {
  source_id: string;
  source_categories: string[];
  source_city: string;
  source_organizer_id: string;
  source_starts_at: number;
  id: string;
  categories: string[];
  city: string;
  organizer_id: string;
  starts_at: number;
  co_buyers: number;
};

@Injectable()
export class SimilarEventsRepository {
  constructor(@Inject(DB) private readonly database: RecommendationsDatabase) {}

  /**
   * One statement for any number of source events: for each, at most `poolSize` recommendable
   * events (PUBLISHED, not ended, not itself) that share a category, the city or the organizer
   * with it, or were bought by someone who bought it; roughly pre-ordered so the pool keeps
   * the likeliest ones. Sources missing from the catalog have no pool.
   */
  async pools(sourceIds: readonly string[], now: Date, poolSize: number): Promise<Map<string, SimilarPool>> {
    const { eventCatalog, interactions } = schema;
    const rows = await this.database.db.execute<PoolRow>(sql`
      with src as (
        select id, categories, city, organizer_id, starts_at
        from ${eventCatalog} where id = any(${uuidArray(sourceIds)})
      ),
      co as (
        select a.event_id as source_id, b.event_id as candidate_id, count(distinct a.user_id)::int as co_buyers
        from ${interactions} a
        join ${interactions} b on b.user_id = a.user_id and b.kind = 'PURCHASE' and b.event_id <> a.event_id
        where a.kind = 'PURCHASE' and a.event_id = any(${uuidArray(sourceIds)})
        group by a.event_id, b.event_id
      )
      select s.id as source_id, s.categories as source_categories, s.city as source_city,
        s.organizer_id as source_organizer_id, ${epochMs('s.starts_at')} as source_starts_at,
        k.id, k.categories, k.city, k.organizer_id, ${epochMs('k.starts_at')} as starts_at, k.co_buyers
      from src s cross join lateral (
        select c.id, c.categories, c.city, c.organizer_id, c.starts_at, coalesce(co.co_buyers, 0) as co_buyers
        from ${eventCatalog} c
        left join co on co.source_id = s.id and co.candidate_id = c.id
        where c.status = 'PUBLISHED' and c.ends_at > ${timestamp(now)} and c.id <> s.id
          and (c.categories && s.categories or c.organizer_id = s.organizer_id
            or lower(c.city) = lower(s.city) or co.co_buyers is not null)
        order by cardinality(array(select unnest(c.categories) intersect select unnest(s.categories))) desc,
          coalesce(co.co_buyers, 0) desc, (lower(c.city) = lower(s.city)) desc,
          (c.organizer_id = s.organizer_id) desc, c.starts_at, c.id
        limit ${poolSize}
      ) k`);
    const pools = new Map<string, SimilarPool>();
    for (const r of rows) {
      const pool = pools.get(r.source_id) ?? {
        source: {
          id: r.source_id,
          categories: r.source_categories,
          city: r.source_city,
          organizerId: r.source_organizer_id,
          startsAt: toDate(r.source_starts_at),
        },
        candidates: [],
      };
      pool.candidates.push({
        id: r.id,
        categories: r.categories,
        city: r.city,
        organizerId: r.organizer_id,
        startsAt: toDate(r.starts_at),
        coBuyers: Number(r.co_buyers),
      });
      pools.set(r.source_id, pool);
    }
    return pools;
  }
}
