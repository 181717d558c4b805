import { randomUUID } from 'node:crypto';
import { errorCodes } from '@marquee/subgraph-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buyer,
  CHECK_IN,
  counters,
  eventWithTier,
  expectLedgerMatchesCounters,
  ORDER,
  purchase,
  REFUND,
} from './fixtures.js';
import { startTickets, type World } from './harness.js';

let t: World;
const statements: string[] = [];
beforeAll(async () => {
  t = await startTickets({ deps: { onQuery: (q) => statements.push(q) } });
});
afterAll(() => t.stop());

const ORDER_QUERY = `query($id: ID!) { order(id: $id) { ${ORDER} } }`;
const USER_ORDERS = `query($r: [_Any!]!, $first: Int, $after: String) { _entities(representations: $r) {
  ... on User { id orders(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor }
  edges { cursor node { id status tickets { id tier { id name } order { id } } } } } } } }`;
const reasonOf = (res: { errors?: { extensions?: Record<string, unknown> }[] }) =>
  res.errors?.[0]?.extensions?.reason;

interface OrdersPage {
  _entities: {
    orders: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      edges: { node: { id: string; tickets: { tier: { id: string }; order: { id: string } }[] } }[];
    };
  }[];
}

describe('order(id)', () => {
  it('shows an order to its buyer, the event`s organizer and an ADMIN only', async () => {
    const { eventId, tierId, organizer } = await eventWithTier(t);
    const { order, token, id: buyerId } = await purchase(t, eventId, tierId, 2);
    for (const viewer of [token, organizer, await t.token(randomUUID(), ['ADMIN'])]) {
      const res = await t.call(ORDER_QUERY, { id: order.id }, viewer);
      expect(res.data).toMatchObject({
        order: { id: order.id, status: 'CONFIRMED', user: { id: buyerId }, event: { id: eventId } },
      });
    }
    const stranger = await t.token(randomUUID(), ['ORGANIZER']);
    expect(errorCodes(await t.call(ORDER_QUERY, { id: order.id }, stranger))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await t.call(ORDER_QUERY, { id: order.id }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await t.call(ORDER_QUERY, { id: randomUUID() }, token))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await t.call(ORDER_QUERY, { id: 'x' }, token))).toEqual(['NOT_FOUND']);
  });
});

describe('User.orders', () => {
  it('pages the user`s orders newest first, for the user themself or an ADMIN', async () => {
    const { eventId, tierId } = await eventWithTier(t, { capacity: 20 });
    const who = await buyer(t);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const hold = await t.call<{ reserveTickets: { id: string } }>(
        `mutation($e: ID!, $t: ID!, $k: String!) { reserveTickets(eventId: $e, items: [{ tierId: $t, quantity: 2 }], idempotencyKey: $k) { id } }`,
        { e: eventId, t: tierId, k: randomUUID() },
        who.token,
      );
      const paid = await t.call<{ checkout: { id: string } }>(
        `mutation($r: ID!, $k: String!) { checkout(reservationId: $r, paymentToken: "tok_ok", idempotencyKey: $k) { id } }`,
        { r: hold.data!.reserveTickets.id, k: randomUUID() },
        who.token,
      );
      ids.unshift(paid.data!.checkout.id);
    }
    const r = [{ __typename: 'User', id: who.id }];
    statements.length = 0;
    const first = await t.call<OrdersPage>(USER_ORDERS, { r, first: 3 }, who.token);
    // Orders, tickets, tiers, ticket.order: batched, not one query per order or ticket.
    expect(statements.filter((s) => /"tickets"\./.test(s) && !/outbox/.test(s)).length).toBeLessThanOrEqual(
      4,
    );
    const page = first.data!._entities[0]!.orders;
    expect(page.totalCount).toBe(5);
    expect(page.edges.map((e) => e.node.id)).toEqual(ids.slice(0, 3));
    expect(page.edges[0]!.node.tickets).toHaveLength(2);
    expect(page.edges[0]!.node.tickets[0]!).toMatchObject({ tier: { id: tierId }, order: { id: ids[0] } });
    expect(page.pageInfo.hasNextPage).toBe(true);
    const second = await t.call<OrdersPage>(
      USER_ORDERS,
      { r, first: 3, after: page.pageInfo.endCursor },
      who.token,
    );
    const rest = second.data!._entities[0]!.orders;
    expect(rest.edges.map((e) => e.node.id)).toEqual(ids.slice(3));
    expect(rest.pageInfo.hasNextPage).toBe(false);

    const admin = await t.call<OrdersPage>(
      USER_ORDERS,
      { r, first: 1 },
      await t.token(randomUUID(), ['ADMIN']),
    );
    expect(admin.data!._entities[0]!.orders.edges).toHaveLength(1);
    expect(errorCodes(await t.call(USER_ORDERS, { r }, (await buyer(t)).token))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await t.call(USER_ORDERS, { r }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await t.call(USER_ORDERS, { r, first: -1 }, who.token))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await t.call(USER_ORDERS, { r, after: 'bm9wZQ' }, who.token))).toEqual([
      'BAD_USER_INPUT',
    ]);
  });
});

describe('refundOrder', () => {
  it('refunds once: tickets VOID, seats back, money back, announced', async () => {
    const { eventId, tierId } = await eventWithTier(t);
    const { order, token } = await purchase(t, eventId, tierId, 3);
    const res = await t.call(REFUND, { id: order.id }, token);
    expect(res.data).toEqual({
      refundOrder: { id: order.id, status: 'REFUNDED', tickets: Array(3).fill({ status: 'VOID' }) },
    });
    expect(await counters(t, tierId)).toMatchObject({ sold: 0, held: 0 });
    const charge = [...t.payments.charges.values()].find((c) => c.idempotencyKey === order.id);
    expect(charge!.refunds).toBe(1);
    const [row] = await t.sql`select payment_state from tickets.orders where id = ${order.id}`;
    expect(row!.payment_state).toBe('REFUNDED');
    const [outbox] = await t.sql`select count(*)::int as n from tickets.outbox
      where topic = 'tickets.order-refunded' and payload->>'orderId' = ${order.id}`;
    expect(outbox!.n).toBe(1);
    const again = await t.call(REFUND, { id: order.id }, token);
    expect(reasonOf(again)).toBe('ORDER_NOT_CONFIRMED');
    await expectLedgerMatchesCounters(t);
  });

  it('refunds exactly once when many ask at the same moment', async () => {
    const { eventId, tierId, organizer } = await eventWithTier(t);
    const { order, token } = await purchase(t, eventId, tierId, 2);
    const admin = await t.token(randomUUID(), ['ADMIN']);
    const results = await Promise.all(
      [token, organizer, admin, token, organizer, admin].map((who) => t.call(REFUND, { id: order.id }, who)),
    );
    expect(results.filter((r) => r.data?.refundOrder).length).toBe(1);
    expect(results.flatMap(errorCodes).sort()).toEqual(Array(5).fill('CONFLICT'));
    const charge = [...t.payments.charges.values()].find((c) => c.idempotencyKey === order.id);
    expect(charge!.refunds).toBe(1);
    const [ledger] = await t.sql`select count(*)::int as n, sum(sold_delta)::int as sold
      from tickets.inventory_ledger where order_id = ${order.id} and kind = 'REFUNDED'`;
    expect(ledger).toEqual({ n: 1, sold: -2 });
    expect(await counters(t, tierId)).toMatchObject({ sold: 0 });
  });

  it('is for the buyer, the organizer or an ADMIN; only CONFIRMED orders', async () => {
    const { eventId, tierId, organizer } = await eventWithTier(t);
    const { order } = await purchase(t, eventId, tierId);
    expect(errorCodes(await t.call(REFUND, { id: order.id }, (await buyer(t)).token))).toEqual(['FORBIDDEN']);
    const [untouched] = await t.sql`select status, payment_state from tickets.orders where id = ${order.id}`;
    expect(untouched).toEqual({ status: 'CONFIRMED', payment_state: 'CHARGED' }); // nothing written
    expect(errorCodes(await t.call(REFUND, { id: order.id }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await t.call(REFUND, { id: randomUUID() }, organizer))).toEqual(['NOT_FOUND']);
    expect((await t.call(REFUND, { id: order.id }, organizer)).errors).toBeUndefined();
    const { order: used, token } = await purchase(t, eventId, tierId);
    expect((await t.call(CHECK_IN, { c: used.tickets[0]!.code }, organizer)).errors).toBeUndefined();
    expect(reasonOf(await t.call(REFUND, { id: used.id }, token))).toBe('TICKET_USED');
  });
});

describe('checkInTicket', () => {
  it('checks a ticket in once, for the event`s organizer only', async () => {
    const { eventId, tierId, organizer, organizerId } = await eventWithTier(t);
    const { order, token } = await purchase(t, eventId, tierId, 2);
    const code = order.tickets[0]!.code;
    expect(errorCodes(await t.call(CHECK_IN, { c: code }, await t.token(randomUUID(), ['ADMIN'])))).toEqual([
      'FORBIDDEN',
    ]);
    expect(errorCodes(await t.call(CHECK_IN, { c: code }, token))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await t.call(CHECK_IN, { c: code }, await t.token(organizerId)))).toEqual([
      'FORBIDDEN',
    ]);
    expect(errorCodes(await t.call(CHECK_IN, { c: code }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await t.call(CHECK_IN, { c: 'no-such-code' }, organizer))).toEqual(['NOT_FOUND']);
    const ok = await t.call(CHECK_IN, { c: code }, organizer);
    expect(ok.data).toMatchObject({ checkInTicket: { status: 'CHECKED_IN', code, order: { id: order.id } } });
    const twice = await t.call(CHECK_IN, { c: code }, organizer);
    expect(reasonOf(twice)).toBe('ALREADY_CHECKED_IN');
  });

  it('lets one of two simultaneous check-ins win, and refuses VOID tickets', async () => {
    const { eventId, tierId, organizer } = await eventWithTier(t);
    const { order } = await purchase(t, eventId, tierId, 1);
    const code = order.tickets[0]!.code;
    const results = await Promise.all(
      Array.from({ length: 5 }, () => t.call(CHECK_IN, { c: code }, organizer)),
    );
    expect(results.filter((r) => r.data?.checkInTicket).length).toBe(1);
    expect(results.flatMap(errorCodes)).toEqual(Array(4).fill('CONFLICT'));
    const refunded = await purchase(t, eventId, tierId, 1);
    expect((await t.call(REFUND, { id: refunded.order.id }, refunded.token)).errors).toBeUndefined();
    const voided = await t.call(CHECK_IN, { c: refunded.order.tickets[0]!.code }, organizer);
    expect(reasonOf(voided)).toBe('TICKET_VOID');
  });
});
