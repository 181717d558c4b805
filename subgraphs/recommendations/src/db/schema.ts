import { sql } from 'drizzle-orm';
import {
  bigserial,
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
 * Views (signed-in or anonymous) and purchases. A purchase carries the bus message it came
 * from, unique, so a redelivered message can never count twice.
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
  },
  (t) => [
    uniqueIndex('interactions_source_message_key').on(t.sourceMessageId),
    index('interactions_user_idx')
      .on(t.userId, t.occurredAt)
      .where(sql`user_id is not null`),
    index('interactions_recent_idx').on(t.occurredAt),
    index('interactions_purchases_idx')
      .on(t.eventId, t.userId)
      .where(sql`kind = 'PURCHASE'`),
  ],
);

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
