import { randomUUID } from 'node:crypto';
import { RedisBus, clearRedisNamespace } from '@marquee/bus';
import { eventually } from '@marquee/subgraph-kit/testing';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { TicketsRunningService } from '../src/service.js';
import { ADD_TIER, buyer, RESERVE, type Tier } from './fixtures.js';
import { startTickets, type World } from './harness.js';

const url = process.env.REDIS_URL;
const prefix = `marquee-test-tickets-${randomUUID()}`;
const buses: RedisBus[] = [];
const redisBus = () => {
  const bus = new RedisBus({ url: url!, prefix, blockMs: 200, retryAfterMs: 1_000 });
  buses.push(bus);
  return bus;
};

describe.skipIf(!url)('two replicas on Redis (REDIS_URL)', () => {
  let t: World;
  let replica: TicketsRunningService;
  const clients: Client[] = [];

  beforeAll(async () => {
    t = await startTickets({ bus: redisBus() });
    replica = await t.startReplica({ bus: redisBus() });
  });
  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await replica.close();
    await t.stop();
    await Promise.all(buses.map((b) => b.close()));
    await clearRedisNamespace(url!, prefix);
  });

  function watch(serviceUrl: string, eventId: string) {
    const seen: { held: number }[] = [];
    const client = createClient({
      url: serviceUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { 'x-marquee-internal': t.internalSecret },
      retryAttempts: 0,
    });
    clients.push(client);
    client.subscribe<{ ticketAvailabilityChanged: { held: number } }>(
      {
        query: `subscription($e: ID!) { ticketAvailabilityChanged(eventId: $e) { held } }`,
        variables: { e: eventId },
      },
      { next: (m) => seen.push(m.data!.ticketAvailabilityChanged), error: () => {}, complete: () => {} },
    );
    return seen;
  }

  it('shares the projection and tells every replica`s subscribers about every change', async () => {
    const organizerId = randomUUID();
    const eventId = await t.publishEvent({ organizerId });
    await eventually(async () => {
      const rows = await t.sql`select 1 from tickets.event_directory where event_id = ${eventId}`;
      expect(rows).toHaveLength(1);
    });
    const tier = await t.call<{ addTicketTier: Tier }>(
      ADD_TIER,
      { e: eventId, i: { name: 'GA', priceCents: 100, currency: 'EUR', capacity: 10 } },
      await t.token(organizerId, ['ORGANIZER']),
    );
    const tierId = tier.data!.addTicketTier.id;
    const onA = watch(t.url, eventId);
    const onB = watch(replica.url, eventId);
    // The current state first (a change still in flight may add another, identical push).
    await eventually(async () => expect(Math.min(onA.length, onB.length)).toBeGreaterThan(0));
    expect([onA[0], onB[0]]).toEqual([{ held: 0 }, { held: 0 }]);
    const who = await buyer(t);
    const variables = { e: eventId, items: [{ tierId, quantity: 2 }] };
    await t.callAt(replica.url, RESERVE, { ...variables, k: randomUUID() }, who.token);
    await t.callAt(t.url, RESERVE, { ...variables, k: randomUUID() }, who.token);
    await eventually(async () => {
      expect(onA.at(-1)).toEqual({ held: 4 });
      expect(onB.at(-1)).toEqual({ held: 4 });
    }, 10_000);
  });
});
