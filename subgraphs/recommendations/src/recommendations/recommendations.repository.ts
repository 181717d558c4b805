import { Inject, Injectable } from '@nestjs/common';
import { sql, type SQL } from 'drizzle-orm';
import { schema, type RecommendationsDatabase } from '../db/database.js';
import { activityAt } from '../db/activity.js';
import { epochMs, preparedRows, textArray, timestamp, toDate, uuidArray } from '../db/sql.js';
import { boundingBox } from '../scoring/geo.js';
import type { PersonalCandidate } from '../scoring/personal.js';
import type { HistoryItem, ProfileFocus } from '../scoring/profile.js';
import { AFFINITY_DECAY, type InteractionKind } from '../scoring/signals.js';
import { DB } from '../tokens.js';

/** The most recent (event, kind) pairs of a user that shape their profile. */
const HISTORY_LIMIT = 500;
/** Buyers of one event read to find what else they bought (the sample is by id: stable). */
const CO_BUYERS_PER_EVENT = 500;

type CandidateRow = {
  id: string;
  categories: string[];
  city: string;
  organizer_id: string;
  venue_id: string;
  latitude: number | null;
  longitude: number | null;
  starts_at: number;
  popularity: number;
  buyers: number;
  co_sources: string[];
  co_buyers: number[];
  co_source_buyers: number[];
};

@Injectable()
export class RecommendationsRepository {
  constructor(@Inject(DB) private readonly database: RecommendationsDatabase) {}

  /**
   * One statement: the user's views and purchases of catalog events (any status: a past
   * concert still says what they like) in the affinity window, one row per (event, kind).
   * Refunded purchases are gone (a refund deletes its purchase); views stay.
   */
  async history(userId: string, now: Date): Promise<HistoryItem[]> {
    const { interactions, eventCatalog } = schema;
    const rows = await preparedRows<{
      event_id: string;
      kind: InteractionKind;
      last_at: number;
      title: string;
      categories: string[];
      organizer_id: string;
      venue_id: string;
      venue_name: string;
      city: string;
      latitude: number | null;
      longitude: number | null;
    }>(
      this.database,
      sql`
      with mine as (
        select event_id, kind, max(occurred_at) as last_at
        from ${interactions}
        where user_id = ${userId}::uuid
          and occurred_at > ${timestamp(new Date(now.getTime() - AFFINITY_DECAY.windowMs))}
        group by event_id, kind
        order by last_at desc, event_id, kind
        limit ${HISTORY_LIMIT}
      )
      select m.event_id, m.kind, ${epochMs('m.last_at')} as last_at, c.title, c.categories,
        c.organizer_id, c.venue_id, c.venue_name, c.city, c.latitude, c.longitude
      from mine m join ${eventCatalog} c on c.id = m.event_id`,
    );
    return rows.map((r) => ({
      eventId: r.event_id,
      kind: r.kind,
      lastAt: toDate(r.last_at),
      title: r.title,
      categories: r.categories,
      organizerId: r.organizer_id,
      venueId: r.venue_id,
      venueName: r.venue_name,
      city: r.city,
      latitude: r.latitude === null ? null : Number(r.latitude),
      longitude: r.longitude === null ? null : Number(r.longitude),
    }));
  }

  /**
   * One statement: recommendable events (PUBLISHED, not ended, not held by the user) with
   * their popularity and co-purchase counts, from bounded pools: the user's categories,
   * organizers, venues and places, what buyers of the user's events also bought, and the most
   * popular overall (which also carries the global maximum popularity is scaled by).
   * Popularity is the decayed activity counter (every view, anonymous ones too, a user's
   * views of an event once a day; every purchase not refunded).
   */
  async candidates(options: {
    userId: string | null;
    now: Date;
    focus: ProfileFocus;
    poolSize: number;
  }): Promise<PersonalCandidate[]> {
    const { interactions, eventCatalog, eventActivity, ticketHoldings } = schema;
    const { userId, now, focus, poolSize } = options;
    const pool = (where: SQL) =>
      sql`(select id from live where ${where} order by popularity desc, starts_at, id limit ${poolSize})`;
    const boxes = focus.places.flatMap((p) =>
      p.latitude === null || p.longitude === null
        ? []
        : [boundingBox({ latitude: p.latitude, longitude: p.longitude })],
    );
    const near = sql.join(
      [
        sql`lower(city) = any(${textArray(focus.places.map((p) => p.key))})`,
        ...boxes.map(
          (b) => sql`(latitude between ${b.minLatitude}::float8 and ${b.maxLatitude}::float8
            and longitude between ${b.minLongitude}::float8 and ${b.maxLongitude}::float8)`,
        ),
      ],
      sql` or `,
    );
    const rows = await preparedRows<CandidateRow>(
      this.database,
      sql`
      with live as (
        select c.id, c.categories, c.city, c.organizer_id, c.venue_id, c.latitude, c.longitude, c.starts_at,
          ${activityAt('a', 'popularity', now)} as popularity, coalesce(a.purchases, 0) as buyers
        from ${eventCatalog} c left join ${eventActivity} a on a.event_id = c.id
        where c.status = 'PUBLISHED' and c.ends_at > ${timestamp(now)}
          and not exists (
            select 1 from ${ticketHoldings} h
            where h.user_id = ${userId}::uuid and h.event_id = c.id and h.refunded_at is null
          )
      ),
      co_buyers as (
        select s.source_id, b.user_id
        from unnest(${uuidArray(focus.purchases)}) as s(source_id)
        cross join lateral (
          select user_id from ${interactions}
          where kind = 'PURCHASE' and event_id = s.source_id and user_id <> ${userId}::uuid
          order by user_id limit ${CO_BUYERS_PER_EVENT}
        ) b
      ),
      source_buyers as (
        select source_id, count(distinct user_id)::int as n from co_buyers group by source_id
      ),
      co as (
        select cb.source_id, y.event_id as candidate_id, count(distinct cb.user_id)::int as co_buyers
        from co_buyers cb
        join ${interactions} y on y.user_id = cb.user_id and y.kind = 'PURCHASE' and y.event_id <> cb.source_id
        group by cb.source_id, y.event_id
      ),
      co_live as (
        select co.candidate_id, sum(co.co_buyers) as total,
          array_agg(co.source_id::text order by co.source_id) as sources,
          array_agg(co.co_buyers order by co.source_id) as co_buyers,
          array_agg(sb.n order by co.source_id) as source_buyers
        from co join source_buyers sb using (source_id) join live l on l.id = co.candidate_id
        group by co.candidate_id
      ),
      pool as (
        ${pool(sql`categories && ${textArray(focus.categories)}`)}
        union ${pool(sql`organizer_id = any(${uuidArray(focus.organizers)})`)}
        union ${pool(sql`venue_id = any(${uuidArray(focus.venues)})`)}
        union ${pool(sql`(${near})`)}
        union (select candidate_id from co_live order by total desc, candidate_id limit ${poolSize})
        union ${pool(sql`true`)}
      )
      select l.id, l.categories, l.city, l.organizer_id, l.venue_id, l.latitude, l.longitude,
        ${epochMs('l.starts_at')} as starts_at, l.popularity,
        l.buyers,
        coalesce(cl.sources, '{}') as co_sources, coalesce(cl.co_buyers, '{}') as co_buyers,
        coalesce(cl.source_buyers, '{}') as co_source_buyers
      from pool join live l on l.id = pool.id
      left join co_live cl on cl.candidate_id = l.id`,
    );
    return rows.map((r) => ({
      id: r.id,
      categories: r.categories,
      city: r.city,
      organizerId: r.organizer_id,
      venueId: r.venue_id,
      latitude: r.latitude === null ? null : Number(r.latitude),
      longitude: r.longitude === null ? null : Number(r.longitude),
      startsAt: toDate(r.starts_at),
      popularity: Number(r.popularity),
      buyers: Number(r.buyers),
      coPurchases: r.co_sources.map((sourceId, i) => ({
        sourceId,
        coBuyers: Number(r.co_buyers[i]),
        sourceBuyers: Number(r.co_source_buyers[i]),
      })),
    }));
  }
}
