import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'drizzle-orm';
import { schema, type RecommendationsDatabase } from '../db/database.js';
import { activityAt } from '../db/activity.js';
import { epochMs, timestamp, toDate } from '../db/sql.js';
import type { TrendingRow } from '../scoring/trending.js';
import { DB } from '../tokens.js';

@Injectable()
export class TrendingRepository {
  constructor(@Inject(DB) private readonly database: RecommendationsDatabase) {}

  /**
   * One statement: the `limit` hottest recommendable events of the last week by the decayed
   * `trend` counter (views, anonymous ones too, each signed-in user's and anonymous client's
   * once a day; purchases not refunded) and the `limit` soonest ones, in `city` if given.
   */
  async trending(options: { now: Date; city: string | null; limit: number }) {
    const { eventCatalog, eventActivity } = schema;
    const { now, city, limit } = options;
    const rows = await this.database.db.execute<{
      pool: 'trending' | 'upcoming';
      id: string;
      starts_at: number;
      score: number;
    }>(sql`
      with live as (
        select c.id, c.starts_at, ${activityAt('a', 'trend', now)} as score
        from ${eventCatalog} c left join ${eventActivity} a on a.event_id = c.id
        where c.status = 'PUBLISHED' and c.ends_at > ${timestamp(now)}
          and (${city}::text is null or lower(c.city) = lower(${city}::text))
      )
      (select 'trending' as pool, id, ${epochMs('starts_at')} as starts_at, score from live
        where score > 0 order by score desc, starts_at, id limit ${limit})
      union all
      (select 'upcoming' as pool, id, ${epochMs('starts_at')} as starts_at, score from live
        order by starts_at, id limit ${limit})`);
    const toRow = (r: (typeof rows)[number]): TrendingRow => ({
      id: r.id,
      startsAt: toDate(r.starts_at),
      score: Number(r.score),
    });
    return {
      trending: rows.filter((r) => r.pool === 'trending').map(toRow),
      upcoming: rows.filter((r) => r.pool === 'upcoming').map(toRow),
    };
  }
}
