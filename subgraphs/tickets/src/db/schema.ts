import { sql } from 'drizzle-orm';
import {
  bigserial,
  check,
  index,
  integer,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { defineInbox, defineOutbox } from '@marquee/bus';

export const tickets = pgSchema('tickets');

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const eventStatusEnum = tickets.enum('event_status', ['DRAFT', 'PUBLISHED', 'CANCELLED']);
export const reservationStatusEnum = tickets.enum('reservation_status', [
  'HELD',
  'CONFIRMED',
  'EXPIRED',
  'RELEASED',
]);
export const orderStatusEnum = tickets.enum('order_status', ['PENDING', 'CONFIRMED', 'FAILED', 'REFUNDED']);
/**
 * Where the money is, independently of the order: the saga's state is (status, paymentState).
 * UNKNOWN: the provider timed out or failed, so a charge may exist; recovery asks the provider.
 */
export const paymentStateEnum = tickets.enum('payment_state', ['NONE', 'UNKNOWN', 'CHARGED', 'REFUNDED']);
export const ticketStatusEnum = tickets.enum('ticket_status', ['VALID', 'CHECKED_IN', 'VOID']);
export const ledgerKindEnum = tickets.enum('ledger_kind', [
  'HELD',
  'RELEASED',
  'EXPIRED',
  'SOLD',
  'REFUNDED',
  'VOIDED',
]);
export const jobStatusEnum = tickets.enum('job_status', ['PENDING', 'DONE']);

/** What tickets knows about events: a projection of `events.event-changed`, version-guarded. */
export const eventDirectory = tickets.table('event_directory', {
  eventId: uuid('event_id').primaryKey(),
  organizerId: uuid('organizer_id').notNull(),
  status: eventStatusEnum('status').notNull(),
  title: text('title').notNull(),
  startsAt: ts('starts_at').notNull(),
  endsAt: ts('ends_at').notNull(),
  /** The events service's per-event version; a fetched row keeps the version it had. */
  version: integer('version').notNull().default(0),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const ticketTiers = tickets.table(
  'ticket_tiers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => eventDirectory.eventId),
    name: text('name').notNull(),
    priceCents: integer('price_cents').notNull(),
    currency: text('currency').notNull(),
    capacity: integer('capacity').notNull(),
    sold: integer('sold').notNull().default(0),
    held: integer('held').notNull().default(0),
    maxPerOrder: integer('max_per_order').notNull(),
    salesStartAt: ts('sales_start_at'),
    salesEndAt: ts('sales_end_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('ticket_tiers_event_idx').on(t.eventId, t.createdAt),
    // The invariant, enforced by the database whatever the code does.
    check(
      'ticket_tiers_counters_check',
      sql`${t.sold} >= 0 and ${t.held} >= 0 and ${t.sold} + ${t.held} <= ${t.capacity}`,
    ),
    check('ticket_tiers_capacity_check', sql`${t.capacity} between 1 and 1000000`),
    check('ticket_tiers_price_check', sql`${t.priceCents} >= 0`),
    check(
      'ticket_tiers_max_per_order_check',
      sql`${t.maxPerOrder} between 1 and 100 and ${t.maxPerOrder} <= ${t.capacity}`,
    ),
    check('ticket_tiers_currency_check', sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check(
      'ticket_tiers_sales_window_check',
      sql`${t.salesStartAt} is null or ${t.salesEndAt} is null or ${t.salesStartAt} < ${t.salesEndAt}`,
    ),
  ],
);

export const reservations = tickets.table(
  'reservations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => eventDirectory.eventId),
    status: reservationStatusEnum('status').notNull().default('HELD'),
    expiresAt: ts('expires_at').notNull(),
    totalCents: integer('total_cents').notNull(),
    currency: text('currency').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    requestHash: text('request_hash').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('reservations_idempotency_key').on(t.userId, t.idempotencyKey),
    // Only live holds are indexed: the sweeper and the expired-hold reads stay small.
    index('reservations_held_expiry_idx')
      .on(t.expiresAt)
      .where(sql`status = 'HELD'`),
    index('reservations_held_event_idx')
      .on(t.eventId, t.expiresAt)
      .where(sql`status = 'HELD'`),
    // A user's live holds (the per-user limits), and their recent holds (the holding window).
    index('reservations_held_user_idx')
      .on(t.userId, t.expiresAt)
      .where(sql`status = 'HELD'`),
    index('reservations_user_created_idx').on(t.userId, t.createdAt),
  ],
);

/** The start of a user's holding window on a tier (reservations/hold-limits.ts), written when one starts. */
export const holdWindows = tickets.table(
  'hold_windows',
  {
    userId: uuid('user_id').notNull(),
    tierId: uuid('tier_id')
      .notNull()
      .references(() => ticketTiers.id),
    startedAt: ts('started_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.tierId] })],
);

export const reservationItems = tickets.table(
  'reservation_items',
  {
    reservationId: uuid('reservation_id')
      .notNull()
      .references(() => reservations.id),
    tierId: uuid('tier_id')
      .notNull()
      .references(() => ticketTiers.id),
    quantity: integer('quantity').notNull(),
    unitPriceCents: integer('unit_price_cents').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.reservationId, t.tierId] }),
    check('reservation_items_quantity_check', sql`${t.quantity} > 0`),
  ],
);

/**
 * An order whose saga has work left: PENDING, or money not where the status says (a charge
 * to confirm or give back, or an UNKNOWN outcome to look up).
 */
export const openSaga = sql`status = 'PENDING' or (status <> 'CONFIRMED' and payment_state not in ('NONE', 'REFUNDED'))`;

export const orders = tickets.table(
  'orders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => eventDirectory.eventId),
    reservationId: uuid('reservation_id')
      .notNull()
      .references(() => reservations.id),
    status: orderStatusEnum('status').notNull().default('PENDING'),
    paymentState: paymentStateEnum('payment_state').notNull().default('NONE'),
    totalCents: integer('total_cents').notNull(),
    currency: text('currency').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    requestHash: text('request_hash').notNull(),
    paymentReference: text('payment_reference'),
    /** Why a FAILED order failed (PAYMENT_DECLINED, PAYMENT_TIMEOUT, HOLD_EXPIRED, ...). */
    failureReason: text('failure_reason'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    confirmedAt: ts('confirmed_at'),
    refundedAt: ts('refunded_at'),
  },
  (t) => [
    uniqueIndex('orders_idempotency_key').on(t.userId, t.idempotencyKey),
    // One live checkout per reservation: a second one cannot charge the buyer again.
    uniqueIndex('orders_live_reservation_key')
      .on(t.reservationId)
      .where(sql`status in ('PENDING', 'CONFIRMED', 'REFUNDED')`),
    index('orders_user_page_idx').on(t.userId, t.createdAt, t.id),
    index('orders_event_status_idx').on(t.eventId, t.status),
    // Sagas with work left (see CheckoutRecovery): small, whatever the number of orders.
    // (Spelled without 'UNKNOWN': a new enum value cannot be used in the migration adding it.)
    index('orders_open_saga_idx').on(t.updatedAt).where(openSaga),
  ],
);

export const issuedTickets = tickets.table(
  'tickets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    tierId: uuid('tier_id')
      .notNull()
      .references(() => ticketTiers.id),
    eventId: uuid('event_id').notNull(),
    /** At least 128 random bits; what the door scanner reads. */
    code: text('code').notNull(),
    status: ticketStatusEnum('status').notNull().default('VALID'),
    createdAt: ts('created_at').notNull().defaultNow(),
    checkedInAt: ts('checked_in_at'),
    voidedAt: ts('voided_at'),
  },
  (t) => [uniqueIndex('tickets_code_key').on(t.code), index('tickets_order_idx').on(t.orderId)],
);

/** Every change of a tier's counters, written in the transaction that changes them. */
export const inventoryLedger = tickets.table(
  'inventory_ledger',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tierId: uuid('tier_id')
      .notNull()
      .references(() => ticketTiers.id),
    eventId: uuid('event_id').notNull(),
    kind: ledgerKindEnum('kind').notNull(),
    soldDelta: integer('sold_delta').notNull(),
    heldDelta: integer('held_delta').notNull(),
    reservationId: uuid('reservation_id'),
    orderId: uuid('order_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('inventory_ledger_tier_idx').on(t.tierId)],
);

/** An event was cancelled: its orders are refunded one by one; survives restarts. */
export const cancellationJobs = tickets.table('cancellation_jobs', {
  eventId: uuid('event_id').primaryKey(),
  reason: text('reason').notNull(),
  status: jobStatusEnum('status').notNull().default('PENDING'),
  refundedOrders: integer('refunded_orders').notNull().default(0),
  releasedReservations: integer('released_reservations').notNull().default(0),
  createdAt: ts('created_at').notNull().defaultNow(),
  finishedAt: ts('finished_at'),
});

export const notificationKindEnum = tickets.enum('notification_kind', [
  'EVENT_CANCELLED',
  'EVENT_RESCHEDULED',
]);

/**
 * What ticket holders must be told: one row per holder per domain event, written in the
 * transaction that consumed the event; the dispatcher hands each to the Notifier port.
 */
export const notificationOutbox = tickets.table(
  'notification_outbox',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The bus message this came from: with userId, what makes a notification unique. */
    sourceId: text('source_id').notNull(),
    kind: notificationKindEnum('kind').notNull(),
    userId: uuid('user_id').notNull(),
    eventId: uuid('event_id').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    lastError: text('last_error'),
    createdAt: ts('created_at').notNull().defaultNow(),
    sentAt: ts('sent_at'),
  },
  (t) => [
    uniqueIndex('notification_outbox_source_user_key').on(t.sourceId, t.userId),
    index('notification_outbox_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`sent_at is null`),
  ],
);

/** The built-in Notifier's mailbox: every notification delivered, once. */
export const notifications = tickets.table(
  'notifications',
  {
    id: uuid('id').primaryKey(),
    kind: notificationKindEnum('kind').notNull(),
    userId: uuid('user_id').notNull(),
    eventId: uuid('event_id').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('notifications_user_idx').on(t.userId, t.createdAt)],
);

export const outbox = defineOutbox(tickets);
export const inbox = defineInbox(tickets);
