import { randomUUID } from 'node:crypto';
import { errorCodes, eventually } from '@marquee/subgraph-kit/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  ADD_TIER,
  AVAILABILITY,
  counters,
  eventWithTier,
  expectLedgerMatchesCounters,
  purchase,
  REFUND,
  reserve,
  reserved,
  buyer,
  type Tier,
} from './fixtures.js';
import { startTickets, type World } from './harness.js';

let t: World;
beforeAll(async () => {
  t = await startTickets();
});
afterAll(() => t.stop());

const reasonOf = (res: { errors?: { extensions?: Record<string, unknown> }[] }) =>
  res.errors?.[0]?.extensions?.reason;

async function jobOf(eventId: string) {
  const [row] = await t.sql`select status, refunded_orders, released_reservations
    from tickets.cancellation_jobs where event_id = ${eventId}`;
  return row;
}

it('refunds every paid order exactly once and resumes after being stopped half-way', async () => {
  const { eventId, tierId, organizerId, organizer } = await eventWithTier(t, { capacity: 20 });
  const vip = await t.call<{ addTicketTier: Tier }>(
    ADD_TIER,
    { e: eventId, i: { name: 'VIP', priceCents: 9900, currency: 'EUR', capacity: 5 } },
    organizer,
  );
  const vipId = vip.data!.addTicketTier.id;
  const paid = [];
  for (let i = 0; i < 5; i++)
    paid.push((await purchase(t, eventId, i % 2 ? vipId : tierId, 1 + (i % 2))).order);
  const earlier = await purchase(t, eventId, tierId, 1);
  expect((await t.call(REFUND, { id: earlier.order.id }, earlier.token)).errors).toBeUndefined();
  const holder = await buyer(t);
  const hold = await reserved(t, holder.token, eventId, tierId, 3);

  const messageId = `events:${randomUUID()}`;
  await t.cancelEvent(eventId, organizerId, messageId);
  await t.cancelEvent(eventId, organizerId, messageId); // redelivered: applied once
  expect(await jobOf(eventId)).toMatchObject({ status: 'PENDING', refunded_orders: 0 });

  // Stop half-way: two refunds, then the process goes away.
  const partial = await t.service.runCancellations({ maxOrders: 2 });
  expect(partial).toMatchObject({ refunded: 2, finished: [] });
  await t.restart({ deps: { workers: { cancellations: true } } });
  try {
    await eventually(async () => expect(await jobOf(eventId)).toMatchObject({ status: 'DONE' }));
  } finally {
    await t.restart();
  }
  expect(await jobOf(eventId)).toEqual({ status: 'DONE', refunded_orders: 5, released_reservations: 1 });

  const orders =
    await t.sql`select id, status, payment_state from tickets.orders where event_id = ${eventId}`;
  expect(orders.map((o) => [o.status, o.payment_state])).toEqual(Array(6).fill(['REFUNDED', 'REFUNDED']));
  for (const order of [...paid, earlier.order]) {
    const charge = [...t.payments.charges.values()].find((c) => c.idempotencyKey === order.id);
    expect(charge!.refunds).toBe(1);
  }
  const perOrder = await t.sql`select order_id, count(*)::int as n from tickets.outbox o
    join lateral (select (o.payload->>'orderId')::uuid as order_id) p on true
    where o.topic = 'tickets.order-refunded' and o.payload->>'eventId' = ${eventId} group by order_id`;
  expect(perOrder.map((r) => r.n)).toEqual(Array(6).fill(1));
  const voided = await t.sql`select order_id, count(*)::int as n from tickets.inventory_ledger
    where event_id = ${eventId} and kind = 'VOIDED' group by order_id`;
  expect(voided).toHaveLength(5);
  expect(voided.every((r) => r.n === 1)).toBe(true);
  const [tickets] = await t.sql`select count(*)::int as n from tickets.tickets
    where event_id = ${eventId} and status <> 'VOID'`;
  expect(tickets!.n).toBe(0);
  const [reservation] = await t.sql`select status from tickets.reservations where id = ${hold.id}`;
  expect(reservation!.status).toBe('RELEASED');
  expect(await counters(t, tierId)).toMatchObject({ sold: 0, held: 0 });
  expect(await counters(t, vipId)).toMatchObject({ sold: 0, held: 0 });
  await expectLedgerMatchesCounters(t);

  const availability = await t.call(AVAILABILITY, { r: [{ __typename: 'Event', id: eventId }] });
  expect(availability.data).toMatchObject({
    _entities: [{ availability: { status: 'CANCELLED', sold: 0 } }],
  });
  expect(reasonOf(await reserve(t, holder.token, eventId, tierId))).toBe('EVENT_CANCELLED');
  const tier = await t.call(
    ADD_TIER,
    { e: eventId, i: { name: 'Late', priceCents: 1, currency: 'EUR', capacity: 1 } },
    organizer,
  );
  expect(errorCodes(tier)).toEqual(['CONFLICT']);
});

it('refunds each order once even when two replicas work the same job', async () => {
  const { eventId, tierId, organizerId } = await eventWithTier(t, { capacity: 30 });
  const paid = [];
  for (let i = 0; i < 8; i++) paid.push((await purchase(t, eventId, tierId, 1)).order);
  await t.cancelEvent(eventId, organizerId);
  const replica = await t.startReplica();
  try {
    const runs = await Promise.all([t.service.runCancellations(), replica.runCancellations()]);
    expect(runs[0]!.refunded + runs[1]!.refunded).toBe(8);
  } finally {
    await replica.close();
  }
  for (const order of paid) {
    const charge = [...t.payments.charges.values()].find((c) => c.idempotencyKey === order.id);
    expect(charge!.refunds).toBe(1);
  }
  expect(await jobOf(eventId)).toMatchObject({ status: 'DONE', refunded_orders: 8 });
  expect(await counters(t, tierId)).toMatchObject({ sold: 0 });
  await expectLedgerMatchesCounters(t);
});
