import { Inject, Injectable } from '@nestjs/common';
import { and, asc, eq, gt, gte, inArray, isNotNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { anyUuid, prepared } from '@marquee/db';
import { schema, type EventsDatabase } from '../db/database.js';
import { SEARCH_CONFIG } from '../db/schema.js';
import { DB } from '../tokens.js';
import type { EventCursor } from './cursor.js';
import type { EventSearch } from './event-filter.js';
import { eventColumns, type EventRow } from './events.repository.js';
import { boundingBox, EARTH_RADIUS_KM } from './geo.js';

const events = schema.eventsTable;
const venues = schema.venues;
const searchConfig = sql.raw(`'${SEARCH_CONFIG}'::regconfig`);

/** One page of an organizer's events, as the organizedEvents loader asks for it. */
export interface OrganizedRequest {
  organizerId: string;
  limit: number;
  after: EventCursor | undefined;
  includeDrafts: boolean;
}

export interface OrganizedCount {
  all: number;
  /** Without drafts. */
  visible: number;
}

/** Discovery reads: the public catalogue and organizers' lists, always soonest first. */
@Injectable()
export class DiscoveryRepository {
  constructor(@Inject(DB) private readonly database: EventsDatabase) {}

  /** `limit + 1` rows, so the caller learns whether another page exists. */
  page(filter: EventSearch, limit: number, after: EventCursor | undefined): Promise<EventRow[]> {
    // Prepared: one statement text per combination of filters, planned once per connection.
    return prepared(
      'events.page',
      this.database.db
        .select(eventColumns)
        .from(events)
        .where(and(...catalogue(filter), after ? afterCursor(after) : undefined))
        .orderBy(asc(events.startsAt), asc(events.id))
        .limit(limit + 1),
    );
  }

  async count(filter: EventSearch): Promise<number> {
    const [row] = await this.database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(events)
      .where(and(...catalogue(filter)));
    return row?.n ?? 0;
  }

  /**
   * Pages of many organizers' events in one statement: each request is a row of a VALUES
   * list, events are numbered per request (soonest first, after its cursor), and each request
   * keeps its first `limit + 1`.
   */
  async organizedPages(requests: readonly OrganizedRequest[]): Promise<EventRow[][]> {
    const values = sql.join(
      requests.map(
        (r, idx) =>
          sql`(${idx}::int, ${r.organizerId}::uuid, ${r.after?.s ?? null}::timestamptz, ${r.after?.i ?? null}::uuid, ${r.limit + 1}::int, ${r.includeDrafts}::boolean)`,
      ),
      sql`, `,
    );
    const ranked = this.database.db
      .select({
        ...eventColumns,
        idx: sql<number>`r.idx`.as('idx'),
        lim: sql<number>`r.lim`.as('lim'),
        rn: sql<number>`row_number() over (partition by r.idx order by ${events.startsAt}, ${events.id})`.as(
          'rn',
        ),
      })
      .from(events)
      .innerJoin(
        sql`(values ${values}) as r(idx, organizer_id, after_starts, after_id, lim, drafts)`,
        sql`${events.organizerId} = r.organizer_id
          and (r.drafts or ${events.status} <> 'DRAFT')
          and (r.after_id is null or (${events.startsAt}, ${events.id}) > (r.after_starts, r.after_id))`,
      )
      .as('ranked');
    const rows = await prepared(
      'events.organized-pages',
      this.database.db
        .select()
        .from(ranked)
        .where(sql`${ranked.rn} <= ${ranked.lim}`)
        .orderBy(asc(ranked.idx), asc(ranked.rn)),
    );
    const pages = requests.map((): EventRow[] => []);
    for (const { idx, lim: _lim, rn: _rn, ...event } of rows) pages[idx]!.push(event);
    return pages;
  }

  /** Both counts for every organizer in one statement; the caller picks by visibility. */
  async organizedCounts(organizerIds: readonly string[]): Promise<Map<string, OrganizedCount>> {
    const rows = await this.database.db
      .select({
        organizerId: events.organizerId,
        all: sql<number>`count(*)::int`,
        visible: sql<number>`(count(*) filter (where ${events.status} <> 'DRAFT'))::int`,
      })
      .from(events)
      .where(anyUuid(events.organizerId, organizerIds))
      .groupBy(events.organizerId);
    return new Map(rows.map(({ organizerId, ...count }) => [organizerId, count]));
  }
}

function afterCursor(after: EventCursor): SQL {
  return sql`(${events.startsAt}, ${events.id}) > (${after.s}::timestamptz, ${after.i}::uuid)`;
}

/** PUBLISHED events matching every given condition; not yet ended unless startsAfter says otherwise. */
function catalogue(filter: EventSearch): SQL[] {
  const conditions: SQL[] = [eq(events.status, 'PUBLISHED')];
  if (filter.startsAfter) conditions.push(gte(events.startsAt, filter.startsAfter));
  else conditions.push(gt(events.endsAt, sql`now()`));
  if (filter.startsBefore) conditions.push(lt(events.startsAt, filter.startsBefore));
  if (filter.search) {
    conditions.push(sql`${events.search} @@ websearch_to_tsquery(${searchConfig}, ${filter.search})`);
  }
  if (filter.category) conditions.push(sql`${events.categories} @> array[${filter.category}]::text[]`);
  const venue = venueConditions(filter);
  if (venue.length > 0) {
    conditions.push(
      inArray(events.venueId, sql`(select ${venues.id} from ${venues} where ${and(...venue)})`),
    );
  }
  return conditions;
}

function venueConditions(filter: EventSearch): SQL[] {
  const conditions: SQL[] = [];
  if (filter.city) conditions.push(sql`lower(${venues.city}) = lower(${filter.city})`);
  if (filter.near) {
    const { latitude, longitude, radiusKm } = filter.near;
    const box = boundingBox(latitude, longitude, radiusKm);
    conditions.push(isNotNull(venues.latitude));
    conditions.push(sql`${venues.latitude} between ${box.minLat}::float8 and ${box.maxLat}::float8`);
    if (box.lon) {
      const ranges = box.lon.map(
        ([west, east]) => sql`${venues.longitude} between ${west}::float8 and ${east}::float8`,
      );
      conditions.push(or(...ranges)!);
    }
    conditions.push(sql`2 * ${EARTH_RADIUS_KM}::float8 * asin(least(1, sqrt(
        power(sin(radians(${venues.latitude} - ${latitude}::float8) / 2), 2)
        + cos(radians(${latitude}::float8)) * cos(radians(${venues.latitude}))
          * power(sin(radians(${venues.longitude} - ${longitude}::float8) / 2), 2)
      ))) <= ${radiusKm}::float8`);
  }
  return conditions;
}
