import { errorCodes, eventually, graphql } from '@marquee/subgraph-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buy, createEvent } from './fixtures.js';
import { ADMIN, ORGANIZER, startTestStack, type TestStack } from './harness.js';

let stack: TestStack;
let organizer: string;

beforeAll(async () => {
  // One proxy hop trusted: x-forwarded-for plays distinct anonymous visitors.
  stack = await startTestStack({ TRUST_PROXY_HOPS: '1' });
  organizer = (await stack.signIn(ORGANIZER.email, ORGANIZER.password)).token;
});
afterAll(() => stack?.stop());

const ORDER = `query($id: ID!) { order(id: $id) { id status totalCents currency user { id name } event { title }
  tickets { code status tier { name } } } }`;

describe('buying tickets', () => {
  it('reserves and checks out; the order is visible to its buyer only', async () => {
    const { eventId, tierIds } = await createEvent(stack, organizer, {
      title: 'Checkout Night',
      tiers: [{ name: 'Floor', priceCents: 3000, capacity: 5 }],
    });
    const buyer = await stack.signUp('buyer@example.com', 'Bea Buyer');
    const other = await stack.signUp('other@example.com');
    const order = await buy(stack, buyer.token, eventId, tierIds[0]!, 2);
    expect(order.status).toBe('CONFIRMED');
    expect(order.tickets).toHaveLength(2);

    const mine = await stack.call(ORDER, { id: order.id }, buyer.token);
    expect(mine.data).toMatchObject({
      order: {
        status: 'CONFIRMED',
        totalCents: 6000,
        currency: 'EUR',
        user: { name: 'Bea Buyer' },
        event: { title: 'Checkout Night' },
      },
    });
    expect(errorCodes(await stack.call(ORDER, { id: order.id }, other.token))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await stack.call(ORDER, { id: order.id }))).toEqual(['UNAUTHENTICATED']);
    const admin = await stack.signIn(ADMIN.email, ADMIN.password);
    expect((await stack.call(ORDER, { id: order.id }, admin.token)).errors).toBeUndefined();
    expect((await stack.call(ORDER, { id: order.id }, organizer)).errors).toBeUndefined();

    const myOrders = await stack.call<{
      me: { orders: { totalCount: number; edges: { node: { id: string } }[] } };
    }>(`{ me { orders(first: 10) { totalCount edges { node { id } } } } }`, {}, buyer.token);
    expect(myOrders.data!.me.orders.edges.map((e) => e.node.id)).toEqual([order.id]);
    const theirs = await stack.call(
      `query($id: ID!) { user(id: $id) { orders { totalCount } } }`,
      { id: buyer.userId },
      other.token,
    );
    expect(errorCodes(theirs)).toEqual(['FORBIDDEN']);

    const availability = await stack.call(
      `query($id: ID!) { event(id: $id) { availability { sold held available capacity status } } }`,
      { id: eventId },
    );
    expect(availability.data).toEqual({
      event: { availability: { sold: 2, held: 0, available: 3, capacity: 5, status: 'ON_SALE' } },
    });
  });

  it('never sells more than capacity, even to a crowd at once', async () => {
    const { eventId, tierIds } = await createEvent(stack, organizer, {
      title: 'Tiny Gig',
      tiers: [{ name: 'Only', priceCents: 1000, capacity: 3 }],
    });
    const crowd = await Promise.all([...Array(8).keys()].map((i) => stack.signUp(`crowd${i}@example.com`)));
    const results = await Promise.all(
      crowd.map((person, i) =>
        stack.call(
          `mutation($e: ID!, $items: [ReservationItemInput!]!, $k: String!) { reserveTickets(eventId: $e, items: $items, idempotencyKey: $k) { id } }`,
          { e: eventId, items: [{ tierId: tierIds[0], quantity: 1 }], k: `crowd-${i}` },
          person.token,
        ),
      ),
    );
    expect(results.filter((r) => !r.errors)).toHaveLength(3);
    expect(results.filter((r) => r.errors).map((r) => errorCodes(r)[0])).toEqual(Array(5).fill('CONFLICT'));
    const a = await stack.call(
      `query($id: ID!) { event(id: $id) { availability { held available status } } }`,
      { id: eventId },
    );
    expect(a.data).toEqual({ event: { availability: { held: 3, available: 0, status: 'SOLD_OUT' } } });
  });

  it('refunds, checks in, and refunds everything when an event is cancelled', async () => {
    const { eventId, tierIds } = await createEvent(stack, organizer, {
      title: 'Cancelled Fest',
      tiers: [{ name: 'GA', priceCents: 500, capacity: 10 }],
    });
    const fan = await stack.signUp('fan@example.com');
    const first = await buy(stack, fan.token, eventId, tierIds[0]!, 1);
    const second = await buy(stack, fan.token, eventId, tierIds[0]!, 1);

    const CHECK_IN = `mutation($c: String!) { checkInTicket(code: $c) { status } }`;
    expect(errorCodes(await stack.call(CHECK_IN, { c: second.tickets[0]!.code }, fan.token))).toEqual([
      'FORBIDDEN',
    ]);
    expect((await stack.call(CHECK_IN, { c: second.tickets[0]!.code }, organizer)).data).toEqual({
      checkInTicket: { status: 'CHECKED_IN' },
    });
    expect(errorCodes(await stack.call(CHECK_IN, { c: second.tickets[0]!.code }, organizer))).toEqual([
      'CONFLICT',
    ]);

    const REFUND = `mutation($id: ID!) { refundOrder(id: $id) { status tickets { status } } }`;
    expect((await stack.call(REFUND, { id: first.id }, fan.token)).data).toEqual({
      refundOrder: { status: 'REFUNDED', tickets: [{ status: 'VOID' }] },
    });
    expect(errorCodes(await stack.call(REFUND, { id: first.id }, fan.token))).toEqual(['CONFLICT']);

    const cancel = await stack.call(
      `mutation($id: ID!) { cancelEvent(id: $id, reason: "Storm warning") { status } }`,
      { id: eventId },
      organizer,
    );
    expect(cancel.data).toEqual({ cancelEvent: { status: 'CANCELLED' } });
    await eventually(async () => {
      await stack.settle();
      const o = await stack.call<{ order: { status: string } }>(ORDER, { id: second.id }, fan.token);
      expect(o.data!.order.status).toBe('REFUNDED');
      const a = await stack.call(`query($id: ID!) { event(id: $id) { availability { status sold } } }`, {
        id: eventId,
      });
      expect(a.data).toEqual({ event: { availability: { status: 'CANCELLED', sold: 0 } } });
    }, 15_000);
  });
});

describe('recommendations', () => {
  it('ranks the user’s favourite category first and never an event they hold tickets for', async () => {
    const jazz = await Promise.all(
      [0, 1, 2].map((i) =>
        createEvent(stack, organizer, { title: `Jazz ${i}`, categories: ['jazz'], startsInHours: 300 + i }),
      ),
    );
    const food = await Promise.all(
      [0, 1].map((i) =>
        createEvent(stack, organizer, { title: `Food ${i}`, categories: ['food'], startsInHours: 300 + i }),
      ),
    );
    const fan = await stack.signUp('jazzfan@example.com');
    await stack.settle(); // views are of events the recommendations catalog knows
    const VIEW = `mutation($e: ID!) { recordEventView(eventId: $e) }`;
    for (const e of [jazz[0]!, jazz[1]!])
      expect((await stack.call(VIEW, { e: e.eventId }, fan.token)).data).toEqual({ recordEventView: true });
    // Anonymous views count for trending, once per visitor (6 outweigh one view plus one purchase, 1 + 3).
    for (let i = 0; i < 6; i++) {
      const visitor = { headers: { 'x-forwarded-for': `198.51.100.${i + 1}` } };
      const res = await graphql(stack.gatewayUrl, VIEW, { e: food[0]!.eventId }, visitor);
      expect(res.data).toEqual({ recordEventView: true });
    }
    await buy(stack, fan.token, jazz[0]!.eventId, jazz[0]!.tierIds[0]!);
    await stack.settle();
    const REC = `{ me { recommendedEvents(first: 5) { score reasons event { id title } } } }`;
    await eventually(async () => {
      await stack.settle();
      const res = await stack.call<{
        me: { recommendedEvents: { reasons: string[]; event: { id: string; title: string } }[] };
      }>(REC, {}, fan.token);
      expect(res.errors).toBeUndefined();
      const recs = res.data!.me.recommendedEvents;
      expect(recs.map((r) => r.event.id)).not.toContain(jazz[0]!.eventId);
      expect(recs[0]!.event.title).toMatch(/^Jazz [12]$/);
      expect(recs[0]!.reasons.join(' ')).toMatch(/jazz/i);
    }, 10_000);
    const other = await stack.signUp('nosy@example.com');
    expect(
      errorCodes(
        await stack.call(
          `query($id: ID!) { user(id: $id) { recommendedEvents { score } } }`,
          { id: fan.userId },
          other.token,
        ),
      ),
    ).toEqual(['FORBIDDEN']);
    const trending = await stack.call<{ trendingEvents: { title: string }[] }>(
      `{ trendingEvents(first: 3) { title } }`,
    );
    expect(trending.data!.trendingEvents[0]!.title).toBe('Food 0');
  });
});
