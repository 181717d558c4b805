import { randomUUID } from 'node:crypto';
import { eventually } from '@marquee/subgraph-kit/testing';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  ADD_TIER,
  AVAILABILITY,
  buyer,
  checkout,
  eventWithTier,
  expireHold,
  purchase,
  reserved,
  type Tier,
} from './fixtures.js';
import { startTickets, type World } from './harness.js';

let t: World;
beforeAll(async () => {
  t = await startTickets();
});
afterAll(() => t.stop());

interface Availability {
  capacity: number;
  sold: number;
  held: number;
  available: number;
  status: string;
  tiers: { tierId: string; capacity: number; sold: number; held: number; available: number }[];
}

async function availability(eventId: string): Promise<Availability> {
  const res = await t.call<{ _entities: { availability: Availability }[] }>(AVAILABILITY, {
    r: [{ __typename: 'Event', id: eventId }],
  });
  expect(res.errors).toBeUndefined();
  return res.data!._entities[0]!.availability;
}

describe('Event.availability', () => {
  it('sums the tiers and counts only live holds', async () => {
    const { eventId, tierId, organizer } = await eventWithTier(t, { capacity: 10 });
    const vip = await t.call<{ addTicketTier: Tier }>(
      ADD_TIER,
      { e: eventId, i: { name: 'VIP', priceCents: 9000, currency: 'EUR', capacity: 5 } },
      organizer,
    );
    const vipId = vip.data!.addTicketTier.id;
    await purchase(t, eventId, tierId, 2);
    const who = await buyer(t);
    const hold = await reserved(t, who.token, eventId, vipId, 3);
    expect(await availability(eventId)).toEqual(
      expect.objectContaining({
        capacity: 15,
        sold: 2,
        held: 3,
        available: 10,
        status: 'ON_SALE',
        tiers: [
          { tierId, capacity: 10, sold: 2, held: 0, available: 8 },
          { tierId: vipId, capacity: 5, sold: 0, held: 3, available: 2 },
        ],
      }),
    );
    await expireHold(t, hold.id);
    expect(await availability(eventId)).toMatchObject({ held: 0, available: 13 });
  });

  it('reports NOT_ON_SALE, ON_SALE, LOW, SOLD_OUT and CANCELLED', async () => {
    const organizerId = randomUUID();
    const organizer = await t.token(organizerId, ['ORGANIZER']);
    const empty = await t.publishEvent({ organizerId });
    expect((await availability(empty)).status).toBe('NOT_ON_SALE');
    const draft = await t.publishEvent({ organizerId, status: 'DRAFT' });
    await t.call(
      ADD_TIER,
      { e: draft, i: { name: 'A', priceCents: 1, currency: 'EUR', capacity: 5 } },
      organizer,
    );
    expect((await availability(draft)).status).toBe('NOT_ON_SALE');
    const soon = await t.publishEvent({ organizerId });
    const start = new Date(Date.now() + 86_400_000).toISOString();
    await t.call(
      ADD_TIER,
      { e: soon, i: { name: 'A', priceCents: 1, currency: 'EUR', capacity: 5, salesStartAt: start } },
      organizer,
    );
    expect((await availability(soon)).status).toBe('NOT_ON_SALE');

    const { eventId, tierId, organizerId: owner } = await eventWithTier(t, { capacity: 10 });
    expect((await availability(eventId)).status).toBe('ON_SALE');
    await purchase(t, eventId, tierId, 8);
    expect((await availability(eventId)).status).toBe('ON_SALE');
    const who = await buyer(t);
    const hold = await reserved(t, who.token, eventId, tierId, 1);
    expect(await availability(eventId)).toMatchObject({ status: 'LOW', available: 1 });
    await reserved(t, who.token, eventId, tierId, 1);
    expect(await availability(eventId)).toMatchObject({ status: 'SOLD_OUT', available: 0 });
    await expireHold(t, hold.id);
    expect(await availability(eventId)).toMatchObject({ status: 'LOW', available: 1 });
    await t.cancelEvent(eventId, owner);
    expect((await availability(eventId)).status).toBe('CANCELLED');
  });
});

describe('Subscription.ticketAvailabilityChanged', () => {
  const clients: Client[] = [];
  afterAll(async () => {
    for (const client of clients) await client.dispose();
  });

  function connect(
    url: string,
    connectionParams: Record<string, string> = { 'x-marquee-internal': t.internalSecret },
  ) {
    const client = createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams,
      retryAttempts: 0,
    });
    clients.push(client);
    return client;
  }

  it('sends the current availability, then a fresh one after every change, from any replica', async () => {
    const { eventId, tierId } = await eventWithTier(t, { capacity: 10 });
    const replica = await t.startReplica();
    await t.service.settle!(); // nothing from the setup still in flight
    const seen: Availability[] = [];
    const errors: unknown[] = [];
    const stop = connect(t.url).subscribe<{ ticketAvailabilityChanged: Availability }>(
      {
        query: `subscription($e: ID!) { ticketAvailabilityChanged(eventId: $e) {
          eventId sold held available status event { id } } }`,
        variables: { e: eventId },
      },
      {
        next: (message) => seen.push(message.data!.ticketAvailabilityChanged),
        error: (error) => errors.push(error),
        complete: () => {},
      },
    );
    try {
      await eventually(async () => expect(seen.length).toBeGreaterThan(0));
      expect(seen[0]).toMatchObject({ eventId, sold: 0, held: 0, available: 10, status: 'ON_SALE' });
      // A hold made on the other replica reaches this one through the bus.
      const who = await buyer(t);
      const hold = await t.callAt<{ reserveTickets: { id: string } }>(
        replica.url,
        `mutation($e: ID!, $t: ID!) { reserveTickets(eventId: $e, items: [{ tierId: $t, quantity: 2 }], idempotencyKey: "live") { id } }`,
        { e: eventId, t: tierId },
        who.token,
      );
      await replica.settle!();
      await eventually(async () => expect(seen.at(-1)).toMatchObject({ held: 2, available: 8 }));
      await checkout(t, who.token, hold.data!.reserveTickets.id);
      await t.service.settle!();
      await eventually(async () => expect(seen.at(-1)).toMatchObject({ sold: 2, held: 0, available: 8 }));
      expect(errors).toEqual([]);
    } finally {
      stop();
      await replica.close();
    }
  });

  it('refuses websocket connections without the internal credential', async () => {
    const outcome = await new Promise<unknown>((resolve) => {
      connect(t.url, {}).subscribe(
        { query: `subscription { ticketAvailabilityChanged(eventId: "${randomUUID()}") { status } }` },
        {
          next: () => resolve('data'),
          error: (error) => resolve(error),
          complete: () => resolve('complete'),
        },
      );
    });
    expect(outcome).toMatchObject({ code: 4403 });
  });

  it('answers a malformed event id with NOT_FOUND', async () => {
    const outcome = await new Promise<unknown>((resolve) => {
      connect(t.url).subscribe(
        { query: `subscription { ticketAvailabilityChanged(eventId: "nope") { status } }` },
        { next: (m) => resolve(m), error: (error) => resolve(error), complete: () => resolve('complete') },
      );
    });
    expect(JSON.stringify(outcome)).toContain('NOT_FOUND');
  });
});
