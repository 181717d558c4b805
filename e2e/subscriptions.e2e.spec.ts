import { Redis } from 'ioredis';
import { eventually } from '@marquee/subgraph-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent } from './fixtures.js';
import { ORGANIZER, startTestStack, type TestStack } from './harness.js';
import { collect, sseSubscribe, wsClient } from './live.js';

let stack: TestStack;
let organizer: string;

beforeAll(async () => {
  stack = await startTestStack();
  organizer = (await stack.signIn(ORGANIZER.email, ORGANIZER.password)).token;
});
afterAll(() => stack?.stop());

const LIVE = `subscription Live($eventId: ID!) {
  ticketAvailabilityChanged(eventId: $eventId) {
    eventId available held sold status
    event { title venue { city } organizer { name } }
  }
}`;
type Live = {
  ticketAvailabilityChanged: {
    available: number;
    held: number;
    status: string;
    event: { title: string; venue: { city: string }; organizer: { name: string } };
  };
};

let keys = 0;
async function hold(eventId: string, tierId: string, token: string, quantity = 1) {
  keys += 1;
  const res = await stack.call(
    `mutation($e: ID!, $items: [ReservationItemInput!]!, $k: String!) { reserveTickets(eventId: $e, items: $items, idempotencyKey: $k) { id } }`,
    { e: eventId, items: [{ tierId, quantity }], k: `live-${keys}` },
    token,
  );
  expect(res.errors).toBeUndefined();
}

/** Redis pub/sub channels of this stack's namespace, as the Redis server counts them. */
async function redisChannels(): Promise<string[]> {
  if (!process.env.REDIS_URL) return stack.bus.listeningChannels();
  const redis = new Redis(process.env.REDIS_URL);
  try {
    return (await redis.pubsub('CHANNELS', `${stack.busPrefix}:*`)) as string[];
  } finally {
    redis.disconnect();
  }
}

async function ticketsLiveSubscriptions(): Promise<number> {
  const text = await (await fetch(stack.urls.tickets.replace('/graphql', '/metrics'))).text();
  return Number(/^tickets_live_subscriptions\{[^}]*\} (\d+)/m.exec(text)?.[1] ?? 'NaN');
}

describe('live availability through the gateway (graphql-ws)', () => {
  it('sends the current state first, then federated updates after each sale', async () => {
    const { eventId, tierIds } = await createEvent(stack, organizer, {
      title: 'Live Show',
      tiers: [{ name: 'GA', priceCents: 100, capacity: 10 }],
    });
    const client = wsClient(stack.gatewayUrl);
    const live = collect<Live>(client, LIVE, { eventId });
    const [first] = await live.waitFor(1);
    expect(first!.ticketAvailabilityChanged).toMatchObject({
      available: 10,
      held: 0,
      status: 'ON_SALE',
      event: { title: 'Live Show', venue: { city: 'Berlin' }, organizer: { name: 'Olga Organizer' } },
    });
    const buyer = await stack.signUp('live-buyer@example.com');
    await hold(eventId, tierIds[0]!, buyer.token, 2);
    await stack.settle();
    await eventually(async () =>
      expect(live.values.at(-1)!.ticketAvailabilityChanged).toMatchObject({ available: 8, held: 2 }),
    );
    live.stop();
    await client.dispose();
  });

  it('shares one upstream subscription among equal subscribers and frees everything when they leave', async () => {
    const { eventId, tierIds } = await createEvent(stack, organizer, {
      tiers: [{ name: 'GA', priceCents: 100, capacity: 50 }],
    });
    const before = stack.gateway.subscriptions.stats();
    const watchedBefore = await ticketsLiveSubscriptions();
    const clients = [0, 1, 2, 3, 4].map(() => wsClient(stack.gatewayUrl));
    const lives = clients.map((client) => collect<Live>(client, LIVE, { eventId }));
    await Promise.all(lives.map((live) => live.waitFor(1)));
    const during = stack.gateway.subscriptions.stats();
    expect(during.subscribers - before.subscribers).toBe(5);
    expect(during.topics - before.topics).toBe(1);
    expect((await ticketsLiveSubscriptions()) - watchedBefore).toBe(1);
    expect((await redisChannels()).some((c) => c.endsWith(`tickets.availability.${eventId}`))).toBe(true);

    const buyer = await stack.signUp('share-buyer@example.com');
    await hold(eventId, tierIds[0]!, buyer.token);
    await stack.settle();
    await eventually(async () => {
      for (const live of lives) expect(live.values.at(-1)!.ticketAvailabilityChanged.held).toBe(1);
    });

    for (const live of lives) live.stop();
    await Promise.all(clients.map((client) => client.dispose()));
    await eventually(async () => {
      expect(stack.gateway.subscriptions.stats()).toMatchObject({
        topics: before.topics,
        subscribers: before.subscribers,
        upstream: before.upstream,
      });
      expect(await ticketsLiveSubscriptions()).toBe(watchedBefore);
      expect((await redisChannels()).some((c) => c.endsWith(`tickets.availability.${eventId}`))).toBe(false);
    });
  });

  it('coalesces a burst to at most one update per 100 ms, ending on the final state', async () => {
    const { eventId, tierIds } = await createEvent(stack, organizer, {
      tiers: [{ name: 'GA', priceCents: 100, capacity: 100 }],
    });
    const client = wsClient(stack.gatewayUrl);
    const live = collect<Live>(client, LIVE, { eventId });
    await live.waitFor(1);
    const buyers = await Promise.all(
      [0, 1, 2, 3, 4, 5, 6, 7].map((i) => stack.signUp(`burst${i}@example.com`)),
    );
    await Promise.all(buyers.map((b) => hold(eventId, tierIds[0]!, b.token, 2)));
    await stack.settle();
    await eventually(async () => expect(live.values.at(-1)!.ticketAvailabilityChanged.held).toBe(16));
    // 8 changes, fewer updates, the last one final (the spacing is unit-tested in coalescer.spec.ts).
    expect(live.values.length - 1).toBeLessThan(8);
    live.stop();
    await client.dispose();
  });

  it('gives a reconnecting subscriber the current state first', async () => {
    const { eventId, tierIds } = await createEvent(stack, organizer, {
      tiers: [{ name: 'GA', priceCents: 100, capacity: 20 }],
    });
    const first = wsClient(stack.gatewayUrl);
    const live = collect<Live>(first, LIVE, { eventId });
    await live.waitFor(1);
    live.stop();
    await first.dispose();
    const buyer = await stack.signUp('reconnect@example.com');
    await hold(eventId, tierIds[0]!, buyer.token, 3);
    await stack.settle();
    const again = wsClient(stack.gatewayUrl);
    const relive = collect<Live>(again, LIVE, { eventId });
    const [current] = await relive.waitFor(1);
    expect(current!.ticketAvailabilityChanged).toMatchObject({ held: 3, available: 17 });
    relive.stop();
    await again.dispose();
  });

  it('answers bad subscriptions with a clean error and keeps the connection healthy', async () => {
    const { eventId: draftId } = await createEvent(stack, organizer, { publish: false });
    const { eventId } = await createEvent(stack, organizer);
    const client = wsClient(stack.gatewayUrl);
    const cases: [string, Record<string, unknown>, string][] = [
      [LIVE, { eventId: draftId }, 'NOT_FOUND'],
      [LIVE, { eventId: '00000000-0000-4000-8000-000000000000' }, 'NOT_FOUND'],
      [LIVE, {}, 'BAD_USER_INPUT'],
      [`subscription { ticketAvailabilityChanged(eventId: "x") { nope } }`, {}, 'GRAPHQL_VALIDATION_FAILED'],
      [`subscription {`, {}, 'GRAPHQL_PARSE_FAILED'],
    ];
    for (const [query, variables, code] of cases) {
      const bad = collect<Live>(client, query, variables);
      await eventually(async () => expect(bad.errors.length).toBeGreaterThan(0));
      const text = JSON.stringify(bad.errors);
      expect(text).toContain(code);
      expect(text).not.toMatch(/stack|\.ts:|select /i);
    }
    // The organizer may watch their own draft.
    const ownerClient = wsClient(stack.gatewayUrl, organizer);
    const own = collect<Live>(ownerClient, LIVE, { eventId: draftId });
    await own.waitFor(1);
    // Same connection as all the failures: still works.
    const good = collect<Live>(client, LIVE, { eventId });
    await good.waitFor(1);
    good.stop();
    own.stop();
    await client.dispose();
    await ownerClient.dispose();
  });

  it('refuses a connection with a forged token', async () => {
    const client = wsClient(stack.gatewayUrl, 'forged.token.value');
    const live = collect<Live>(client, LIVE, { eventId: '00000000-0000-4000-8000-000000000000' });
    await eventually(async () => expect(live.errors.length).toBeGreaterThan(0));
    expect((live.errors[0] as { code?: number }).code).toBe(4403);
    await client.dispose();
  });
});

describe('live availability over Server-Sent Events', () => {
  it('streams the same federated payloads', async () => {
    const { eventId, tierIds } = await createEvent(stack, organizer, {
      title: 'SSE Night',
      tiers: [{ name: 'GA', priceCents: 100, capacity: 5 }],
    });
    const before = stack.gateway.subscriptions.stats().subscribers;
    const sse = await sseSubscribe<Live>(stack.gatewayUrl, { query: LIVE, variables: { eventId } });
    expect(sse.status).toBe(200);
    const [first] = await sse.waitFor(1);
    expect(first!.ticketAvailabilityChanged).toMatchObject({ available: 5, event: { title: 'SSE Night' } });
    const buyer = await stack.signUp('sse-buyer@example.com');
    await hold(eventId, tierIds[0]!, buyer.token);
    await stack.settle();
    await eventually(async () => expect(sse.values.at(-1)!.ticketAvailabilityChanged.available).toBe(4));
    sse.close();
    await eventually(async () => expect(stack.gateway.subscriptions.stats().subscribers).toBe(before));
  });

  it('checks the token like HTTP does', async () => {
    const refused = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: {
        accept: 'text/event-stream',
        'content-type': 'application/json',
        authorization: 'Bearer forged',
      },
      body: JSON.stringify({ query: LIVE, variables: { eventId: '00000000-0000-4000-8000-000000000000' } }),
    });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
  });

  it('runs queries over SSE too, then completes', async () => {
    const sse = await sseSubscribe<{ events: { totalCount: number } }>(stack.gatewayUrl, {
      query: '{ events { totalCount } }',
    });
    const [result] = await sse.waitFor(1);
    expect(result!.events.totalCount).toBeGreaterThan(0);
    await eventually(async () => expect(sse.raw.at(-1)?.event).toBe('complete'));
  });
});
