import { expect } from 'vitest';
import type { TestStack } from './harness.js';

let counter = 0;

export interface EventSpec {
  title?: string;
  description?: string;
  categories?: string[];
  city?: string;
  latitude?: number;
  longitude?: number;
  startsInHours?: number;
  tiers?: { name: string; priceCents: number; capacity: number; maxPerOrder?: number }[];
  publish?: boolean;
}

/** Venue + event + tiers (+ publish) through the gateway, as an organizer would. */
export async function createEvent(stack: TestStack, token: string, spec: EventSpec = {}) {
  counter += 1;
  const venue = await stack.call<{ createVenue: { id: string } }>(
    `mutation($i: CreateVenueInput!) { createVenue(input: $i) { id } }`,
    {
      i: {
        name: `Venue ${counter}`,
        address: `${counter} Main Street`,
        city: spec.city ?? 'Berlin',
        country: 'DE',
        capacity: 500,
        latitude: spec.latitude ?? 52.52,
        longitude: spec.longitude ?? 13.405,
      },
    },
    token,
  );
  expect(venue.errors).toBeUndefined();
  const startsAt = new Date(Date.now() + (spec.startsInHours ?? 24 * (10 + counter)) * 3_600_000);
  const created = await stack.call<{ createEvent: { id: string; status: string } }>(
    `mutation($i: CreateEventInput!) { createEvent(input: $i) { id status } }`,
    {
      i: {
        title: spec.title ?? `Event ${counter}`,
        description: spec.description ?? 'A fine evening',
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + 3 * 3_600_000).toISOString(),
        timezone: 'Europe/Berlin',
        categories: spec.categories ?? ['music'],
        venueId: venue.data!.createVenue.id,
      },
    },
    token,
  );
  expect(created.errors).toBeUndefined();
  const eventId = created.data!.createEvent.id;
  const tierIds: string[] = [];
  for (const tier of spec.tiers ?? [{ name: 'General', priceCents: 2500, capacity: 100 }]) {
    const added = await stack.call<{ addTicketTier: { id: string } }>(
      `mutation($e: ID!, $i: TierInput!) { addTicketTier(eventId: $e, input: $i) { id } }`,
      { e: eventId, i: { currency: 'EUR', ...tier } },
      token,
    );
    expect(added.errors).toBeUndefined();
    tierIds.push(added.data!.addTicketTier.id);
  }
  if (spec.publish ?? true) {
    const published = await stack.call(
      `mutation($id: ID!) { publishEvent(id: $id) { id } }`,
      { id: eventId },
      token,
    );
    expect(published.errors).toBeUndefined();
  }
  return { eventId, tierIds, venueId: venue.data!.createVenue.id };
}

export async function buy(stack: TestStack, token: string, eventId: string, tierId: string, quantity = 1) {
  counter += 1;
  const reserved = await stack.call<{ reserveTickets: { id: string; status: string } }>(
    `mutation($e: ID!, $items: [ReservationItemInput!]!, $k: String!) {
      reserveTickets(eventId: $e, items: $items, idempotencyKey: $k) { id status } }`,
    { e: eventId, items: [{ tierId, quantity }], k: `reserve-${counter}` },
    token,
  );
  expect(reserved.errors).toBeUndefined();
  const order = await stack.call<{ checkout: { id: string; status: string; tickets: { code: string }[] } }>(
    `mutation($r: ID!, $k: String!) { checkout(reservationId: $r, paymentToken: "tok_ok", idempotencyKey: $k) {
      id status tickets { code } } }`,
    { r: reserved.data!.reserveTickets.id, k: `checkout-${counter}` },
    token,
  );
  expect(order.errors).toBeUndefined();
  return order.data!.checkout;
}
