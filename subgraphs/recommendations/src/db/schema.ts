import { sql } from 'drizzle-orm';
import {
  bigserial,
  date,
  doublePrecision,
  index,
  integer,
  pgSchema,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { defineInbox, defineOutbox } from '@marquee/bus';

export const recommendations = pgSchema('recommendations');

export const eventStatus = recommendations.enum('event_status', ['DRAFT', 'PUBLISHED', 'CANCELLED']);
export const interactionKind = recommendations.enum('interaction_kind', ['VIEW', 'PURCHASE']);

/**
 * What we know of every event, projected from `events.event-changed` snapshots. A snapshot
 * replaces the row only when its version is newer, so late or repeated messages change nothing.
 * Categories are stored trimmed and lower-cased: they are matched, never displayed as given.
 */
export const eventCatalog = recommendations.table(
  'event_catalog',
  {
    id: uuid('id').primaryKey(),
    status: eventStatus('status').notNull(),
    title: text('title').notNull(),
    categories: text('categories').array().notNull(),
    organizerId: uuid('organizer_id').notNull(),
    venueId: uuid('venue_id').notNull(),
    /** As the events service names it; '' for rows projected before the name was kept. */
    venueName: text('venue_name').notNull().default(''),
    city: text('city').notNull(),
    country: text('country').notNull(),
    latitude: doublePrecision('latitude'),
    longitude: doublePrecision('longitude'),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    version: integer('version').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('event_catalog_live_idx').on(t.status, t.endsAt),
    index('event_catalog_city_idx').on(sql`lower(${t.city})`),
    index('event_catalog_categories_idx').using('gin', t.categories),
    index('event_catalog_organizer_idx').on(t.organizerId),
  ],
);

/**
 * Views (signed-in or anonymous) and purchases. A purchase carries the bus message and the
 * order it came from, both unique, so a redelivered message can never count twice; a refund
 * deletes the purchase of its order. A signed-in user's views of one event are one row per
 * UTC day (`view_day`; the latest time of that day): reloading a page never inflates
 * popularity. An anonymous client's too (`client_key`, the first view of the day: see
 * views/view-client.ts), so one address cannot make an event trend. Purchases (no view_day)
 * are never merged; nor are anonymous rows from before client keys (null).
 */
export const interactions = recommendations.table(
  'interactions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: uuid('user_id'),
    eventId: uuid('event_id').notNull(),
    kind: interactionKind('kind').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    sourceMessageId: text('source_message_id'),
    orderId: uuid('order_id'),
    viewDay: date('view_day', { mode: 'string' }),
    /** Anonymous views only: a keyed hash of the client's address and the day, never the address. */
    clientKey: text('client_key'),
  },
  (t) => [
    uniqueIndex('interactions_source_message_key').on(t.sourceMessageId),
    uniqueIndex('interactions_order_key').on(t.orderId),
    uniqueIndex('interactions_daily_view_key').on(t.userId, t.eventId, t.viewDay),
    uniqueIndex('interactions_daily_anonymous_view_key')
      .on(t.clientKey, t.eventId, t.viewDay)
      .where(sql`client_key is not null`),
    index('interactions_user_idx')
      .on(t.userId, t.occurredAt)
      .where(sql`user_id is not null`),
    index('interactions_purchases_idx')
      .on(t.eventId, t.userId)
      .where(sql`kind = 'PURCHASE'`),
    // "What else did this event's buyers buy": from a buyer to their purchases.
    index('interactions_user_purchases_idx')
      .on(t.userId, t.eventId)
      .where(sql`kind = 'PURCHASE'`),
  ],
);

/**
 * The crowd's activity per event as exponentially decayed counters, kept current by every
 * write that adds or takes back an interaction (views: each signed-in user and each anonymous
 * client once per event and day; purchases; refunds subtract): `popularity` (half-life 7 days) and
 * `trend` (half-life 2 days) as of `updated_at`, the latest activity. Reading one at `now`
 * is value x 0.5^((now - updated_at) / half-life): O(1) per event instead of re-reading
 * every recent interaction on every request.
 */
export const eventActivity = recommendations.table('event_activity', {
  eventId: uuid('event_id').primaryKey(),
  popularity: doublePrecision('popularity').notNull(),
  trend: doublePrecision('trend').notNull(),
  /** Purchases on record (not refunded), undecayed: how many bought it, for co-purchase scores. */
  purchases: integer('purchases').notNull().default(0),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

/**
 * One row per order we heard of: confirmed (the buyer holds tickets) until refunded. Either
 * message may arrive first; a refunded order never counts as held again.
 */
export const ticketHoldings = recommendations.table(
  'ticket_holdings',
  {
    orderId: uuid('order_id').primaryKey(),
    userId: uuid('user_id').notNull(),
    eventId: uuid('event_id').notNull(),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
    refundedAt: timestamp('refunded_at', { withTimezone: true }),
  },
  (t) => [index('ticket_holdings_user_idx').on(t.userId, t.eventId)],
);

export const outbox = defineOutbox(recommendations);
export const inbox = defineInbox(recommendations);
