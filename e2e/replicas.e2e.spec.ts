import { generateKeyPairSync } from 'node:crypto';
import { eventually } from '@marquee/subgraph-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent } from './fixtures.js';
import { ORGANIZER, startTestStack, type TestStack } from './harness.js';
import { collect, wsClient } from './live.js';

// Two full replicas of the supergraph (every service twice) on one database and one Redis.
const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
let a: TestStack;
let b: TestStack;

beforeAll(async () => {
  if (!process.env.REDIS_URL) return;
  a = await startTestStack({ JWT_PRIVATE_KEY: pem });
  b = await startTestStack({ JWT_PRIVATE_KEY: pem }, { databaseUrl: a.databaseUrl, busPrefix: a.busPrefix });
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
});

const LIVE = `subscription($eventId: ID!) { ticketAvailabilityChanged(eventId: $eventId) { held available event { title } } }`;
type Live = { ticketAvailabilityChanged: { held: number; available: number; event: { title: string } } };

describe.skipIf(!process.env.REDIS_URL)('several gateway and tickets replicas on one Redis', () => {
  it('delivers a sale made through one replica to subscribers of both, once each', async () => {
    const organizer = (await a.signIn(ORGANIZER.email, ORGANIZER.password)).token;
    const { eventId, tierIds } = await createEvent(a, organizer, {
      title: 'Two Doors',
      tiers: [{ name: 'GA', priceCents: 1, capacity: 9 }],
    });
    await a.settle();
    await b.settle();
    const clientA = wsClient(a.gatewayUrl);
    const clientB = wsClient(b.gatewayUrl);
    const onA = collect<Live>(clientA, LIVE, { eventId });
    const onB = collect<Live>(clientB, LIVE, { eventId });
    await Promise.all([onA.waitFor(1), onB.waitFor(1)]);
    await new Promise((r) => setTimeout(r, 300)); // let any earlier change signal pass
    const seenA = onA.values.length;
    const seenB = onB.values.length;

    const buyer = await b.signUp('two-doors@example.com');
    const held = await b.call(
      `mutation($e: ID!, $items: [ReservationItemInput!]!) { reserveTickets(eventId: $e, items: $items, idempotencyKey: "k1") { id } }`,
      { e: eventId, items: [{ tierId: tierIds[0], quantity: 1 }] },
      buyer.token,
    );
    expect(held.errors).toBeUndefined();
    await b.settle();
    await eventually(async () => {
      expect(onA.values.at(-1)!.ticketAvailabilityChanged).toEqual({
        held: 1,
        available: 8,
        event: { title: 'Two Doors' },
      });
      expect(onB.values.at(-1)!.ticketAvailabilityChanged).toEqual({
        held: 1,
        available: 8,
        event: { title: 'Two Doors' },
      });
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(onA.values.length - seenA).toBe(1);
    expect(onB.values.length - seenB).toBe(1);
    onA.stop();
    onB.stop();
    await clientA.dispose();
    await clientB.dispose();
  });
});
