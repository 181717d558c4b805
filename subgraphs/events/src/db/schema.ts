import { sql } from 'drizzle-orm';
import {
  check,
  customType,
  doublePrecision,
  index,
  integer,
  pgSchema,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { defineInbox, defineOutbox } from '@marquee/bus';

export const events = pgSchema('events');

export const eventStatus = events.enum('event_status', ['DRAFT', 'PUBLISHED', 'CANCELLED']);

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/** The text search configuration of `events.search`; queries must use the same one. */
export const SEARCH_CONFIG = 'english';

export const venues = events.table(
  'venues',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    address: text('address').notNull(),
    city: text('city').notNull(),
    country: text('country').notNull(),
    capacity: integer('capacity').notNull(),
    latitude: doublePrecision('latitude'),
    longitude: doublePrecision('longitude'),
    createdBy: uuid('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Bounding-box prefilter of geo search (no PostGIS on embedded Postgres).
    index('venues_lat_lon_idx').on(t.latitude, t.longitude),
    index('venues_city_idx').on(sql`lower(${t.city})`),
    check('venues_capacity_check', sql`${t.capacity} between 1 and 1000000`),
    check(
      'venues_coordinates_check',
      sql`(${t.latitude} is null) = (${t.longitude} is null)
        and (${t.latitude} is null or ${t.latitude} between -90 and 90)
        and (${t.longitude} is null or ${t.longitude} between -180 and 180)`,
    ),
  ],
);

export const eventsTable = events.table(
  'events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organizerId: uuid('organizer_id').notNull(),
    venueId: uuid('venue_id')
      .notNull()
      .references(() => venues.id),
    title: text('title').notNull(),
    description: text('description').notNull(),
    // Millisecond precision, like a JS Date: cursors carry startsAt exactly.
    startsAt: timestamp('starts_at', { withTimezone: true, precision: 3 }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true, precision: 3 }).notNull(),
    timezone: text('timezone').notNull(),
    /** Lower-cased, trimmed and deduplicated. */
    categories: text('categories').array().notNull(),
    status: eventStatus('status').notNull().default('DRAFT'),
    cancellationReason: text('cancellation_reason'),
    /** Increments on every change; consumers ignore snapshots that are not newer. */
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    search: tsvector('search')
      .notNull()
      .generatedAlwaysAs(
        sql`setweight(to_tsvector(${sql.raw(`'${SEARCH_CONFIG}'`)}::regconfig, title), 'A') || setweight(to_tsvector(${sql.raw(`'${SEARCH_CONFIG}'`)}::regconfig, description), 'B')`,
      ),
  },
  (t) => [
    index('events_search_idx').using('gin', t.search),
    index('events_categories_idx').using('gin', t.categories),
    index('events_status_starts_idx').on(t.status, t.startsAt, t.id),
    index('events_organizer_starts_idx').on(t.organizerId, t.startsAt, t.id),
    index('events_venue_idx').on(t.venueId),
    check('events_time_order_check', sql`${t.startsAt} < ${t.endsAt}`),
  ],
);

export const outbox = defineOutbox(events);
export const inbox = defineInbox(events);
