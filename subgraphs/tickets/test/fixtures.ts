import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { World } from './harness.js';

export const TIER = `id name priceCents currency capacity available maxPerOrder salesStartAt salesEndAt`;
export const RESERVATION = `id status totalCents currency expiresAt event { id } items { quantity tier { id available } }`;
export const ORDER = `id status totalCents currency createdAt user { id } event { id } tickets { id code status tier { id } }`;

export const ADD_TIER = `mutation($e: ID!, $i: TierInput!) { addTicketTier(eventId: $e, input: $i) { ${TIER} } }`;
export const RESERVE = `mutation($e: ID!, $items: [ReservationItemInput!]!, $k: String!) {
  reserveTickets(eventId: $e, items: $items, idempotencyKey: $k) { ${RESERVATION} } }`;
export const RELEASE = `mutation($id: ID!) { releaseReservation(id: $id) { id status } }`;
export const CHECKOUT = `mutation($r: ID!, $p: String!, $k: String!) {
  checkout(reservationId: $r, paymentToken: $p, idempotencyKey: $k) { ${ORDER} } }`;
export const REFUND = `mutation($id: ID!) { refundOrder(id: $id) { id status tickets { status } } }`;
export const CHECK_IN = `mutation($c: String!) { checkInTicket(code: $c) { id status code order { id } } }`;
export const AVAILABILITY = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Event {
  id availability { eventId capacity sold held available status updatedAt event { id }
  tiers { tierId capacity sold held available } } } } }`;

export interface Tier {
  id: string;
  available: number;
  capacity: number;
}
export interface Reservation {
  id: string;
  status: string;
  totalCents: number;
  expiresAt: string;
}
export interface Order {
  id: string;
  status: string;
  totalCents: number;
  tickets: { id: string; code: string; status: string }[];
}

/** A PUBLISHED event with one tier (capacity 10 by default); the organizer's token too. */
export async function eventWithTier(t: World, tier: Record<string, unknown> = {}) {
  const organizerId = randomUUID();
  const organizer = await t.token(organizerId, ['ORGANIZER']);
  const eventId = await t.publishEvent({ organizerId });
  const added = await t.call<{ addTicketTier: Tier }>(
    ADD_TIER,
    { e: eventId, i: { name: 'General', priceCents: 2500, currency: 'EUR', capacity: 10, ...tier } },
    organizer,
  );
  expect(added.errors).toBeUndefined();
  return { eventId, organizerId, organizer, tierId: added.data!.addTicketTier.id };
}

export async function buyer(t: World) {
  const id = randomUUID();
  return { id, token: await t.token(id) };
}

export async function reserve(
  t: World,
  token: string,
  eventId: string,
  tierId: string,
  quantity = 1,
  key: string = randomUUID(),
) {
  return t.call<{ reserveTickets: Reservation }>(
    RESERVE,
    { e: eventId, items: [{ tierId, quantity }], k: key },
    token,
  );
}

export async function reserved(t: World, token: string, eventId: string, tierId: string, quantity = 1) {
  const res = await reserve(t, token, eventId, tierId, quantity);
  expect(res.errors).toBeUndefined();
  return res.data!.reserveTickets;
}

export async function checkout(
  t: World,
  token: string,
  reservationId: string,
  paymentToken = 'tok_ok',
  key: string = randomUUID(),
) {
  return t.call<{ checkout: Order }>(CHECKOUT, { r: reservationId, p: paymentToken, k: key }, token);
}

/** A confirmed order of `quantity` tickets for a new buyer. */
export async function purchase(t: World, eventId: string, tierId: string, quantity = 1) {
  const who = await buyer(t);
  const reservation = await reserved(t, who.token, eventId, tierId, quantity);
  const res = await checkout(t, who.token, reservation.id);
  expect(res.errors).toBeUndefined();
  return { ...who, order: res.data!.checkout };
}

export async function counters(t: World, tierId: string) {
  const [row] = await t.sql`select sold, held, capacity from tickets.ticket_tiers where id = ${tierId}`;
  return row as unknown as { sold: number; held: number; capacity: number };
}

/** Sold and held per tier, recomputed from the ledger, must equal the counters. */
export async function expectLedgerMatchesCounters(t: World) {
  const rows = await t.sql`
    select t.id, t.sold, t.held, t.capacity, coalesce(sum(l.sold_delta), 0)::int as ledger_sold,
           coalesce(sum(l.held_delta), 0)::int as ledger_held
    from tickets.ticket_tiers t left join tickets.inventory_ledger l on l.tier_id = t.id
    group by t.id`;
  for (const row of rows) {
    expect({ sold: row.ledger_sold, held: row.ledger_held }).toEqual({ sold: row.sold, held: row.held });
    expect(row.sold + row.held).toBeLessThanOrEqual(row.capacity);
  }
  return rows.length;
}

/** Moves a reservation's hold into the past, as if its time had run out. */
export async function expireHold(t: World, reservationId: string) {
  await t.sql`update tickets.reservations set expires_at = now() - interval '1 second' where id = ${reservationId}`;
}
