import { EventCancelled, EventChanged, EventRescheduled } from '@marquee/bus';
import type { VenueRow } from '../venues/venues.repository.js';
import type { EventRow } from './events.repository.js';

/** The full snapshot consumers keep projections of (parsed, so the contract is enforced here). */
export function eventChanged(event: EventRow, venue: VenueRow): EventChanged {
  return EventChanged.parse({
    eventId: event.id,
    version: event.version,
    organizerId: event.organizerId,
    status: event.status,
    title: event.title,
    categories: event.categories,
    startsAt: event.startsAt.toISOString(),
    endsAt: event.endsAt.toISOString(),
    timezone: event.timezone,
    venue: {
      id: venue.id,
      name: venue.name,
      city: venue.city,
      country: venue.country,
      latitude: venue.latitude,
      longitude: venue.longitude,
    },
  });
}

export function eventCancelled(event: EventRow): EventCancelled {
  return EventCancelled.parse({
    eventId: event.id,
    organizerId: event.organizerId,
    reason: event.cancellationReason ?? '',
  });
}

/** Undefined when neither start nor end moved. */
export function eventRescheduled(before: EventRow, after: EventRow): EventRescheduled | undefined {
  const moved =
    before.startsAt.getTime() !== after.startsAt.getTime() ||
    before.endsAt.getTime() !== after.endsAt.getTime();
  if (!moved) return undefined;
  return EventRescheduled.parse({
    eventId: after.id,
    title: after.title,
    startsAt: after.startsAt.toISOString(),
    endsAt: after.endsAt.toISOString(),
    previousStartsAt: before.startsAt.toISOString(),
    previousEndsAt: before.endsAt.toISOString(),
  });
}
