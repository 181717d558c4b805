import { z } from 'zod';

/**
 * The domain events services exchange. The publishing service owns each topic; consumers
 * parse payloads with these schemas and ignore what they do not understand.
 */
export const Topics = {
  /** Every create, update, publish and cancel of an event: a full snapshot with a version. */
  eventChanged: 'events.event-changed',
  /** An organizer or admin cancelled an event: tickets refunds its orders. */
  eventCancelled: 'events.event-cancelled',
  /** Start or end time moved: ticket holders are told. */
  eventRescheduled: 'events.event-rescheduled',
  orderConfirmed: 'tickets.order-confirmed',
  orderRefunded: 'tickets.order-refunded',
  /** Any change to an event's seats (hold, release, expiry, sale, refund, cancellation). */
  availabilityChanged: 'tickets.availability-changed',
  eventViewed: 'recommendations.event-viewed',
} as const;

const isoDate = z.iso.datetime({ offset: true });

export const EventChanged = z.object({
  eventId: z.string(),
  version: z.number().int(),
  organizerId: z.string(),
  status: z.enum(['DRAFT', 'PUBLISHED', 'CANCELLED']),
  title: z.string(),
  categories: z.array(z.string()),
  startsAt: isoDate,
  endsAt: isoDate,
  timezone: z.string(),
  venue: z.object({
    id: z.string(),
    name: z.string(),
    city: z.string(),
    country: z.string(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
  }),
});
export type EventChanged = z.infer<typeof EventChanged>;

export const EventCancelled = z.object({ eventId: z.string(), organizerId: z.string(), reason: z.string() });
export type EventCancelled = z.infer<typeof EventCancelled>;

export const EventRescheduled = z.object({
  eventId: z.string(),
  title: z.string(),
  startsAt: isoDate,
  endsAt: isoDate,
  previousStartsAt: isoDate,
  previousEndsAt: isoDate,
});
export type EventRescheduled = z.infer<typeof EventRescheduled>;

export const OrderConfirmed = z.object({
  orderId: z.string(),
  userId: z.string(),
  eventId: z.string(),
  ticketCount: z.number().int(),
  totalCents: z.number().int(),
  currency: z.string(),
  confirmedAt: isoDate,
});
export type OrderConfirmed = z.infer<typeof OrderConfirmed>;

export const OrderRefunded = z.object({
  orderId: z.string(),
  userId: z.string(),
  eventId: z.string(),
  refundedAt: isoDate,
});
export type OrderRefunded = z.infer<typeof OrderRefunded>;

export const AvailabilityChanged = z.object({ eventId: z.string(), changedAt: isoDate });
export type AvailabilityChanged = z.infer<typeof AvailabilityChanged>;

export const EventViewed = z.object({
  eventId: z.string(),
  userId: z.string().nullable(),
  viewedAt: isoDate,
});
export type EventViewed = z.infer<typeof EventViewed>;
