import { randomUUID } from 'node:crypto';
import { OrderConfirmed } from '@marquee/bus';
import { errorCodes } from '@marquee/subgraph-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentProvider } from '../src/payments/payment-provider.js';
import {
  buyer,
  checkout,
  counters,
  eventWithTier,
  expectLedgerMatchesCounters,
  expireHold,
  reserve,
  reserved,
} from './fixtures.js';
import { startTickets, type World } from './harness.js';

let t: World;
beforeAll(async () => {
  t = await startTickets();
});
afterAll(() => t.stop());

const reasonOf = (res: { errors?: { extensions?: Record<string, unknown> }[] }) =>
  res.errors?.[0]?.extensions?.reason;

async function orderRow(t: World, id: string) {
  const [row] =
    await t.sql`select status, payment_state, failure_reason from tickets.orders where id = ${id}`;
  return row;
}

async function ordersOfReservation(t: World, reservationId: string) {
  return t.sql`select id, status, payment_state, failure_reason from tickets.orders
    where reservation_id = ${reservationId} order by created_at`;
}

describe('checkout', () => {
  it('charges, sells the held seats and issues unguessable tickets', async () => {
    const { eventId, tierId } = await eventWithTier(t);
    const who = await buyer(t);
    const key = randomUUID();
    const hold = (await reserve(t, who.token, eventId, tierId, 3, key)).data!.reserveTickets;
    const res = await checkout(t, who.token, hold.id);
    const order = res.data!.checkout;
    expect(order).toMatchObject({
      status: 'CONFIRMED',
      totalCents: 7500,
      currency: 'EUR',
      user: { id: who.id },
      event: { id: eventId },
    });
    expect(order.tickets).toHaveLength(3);
    for (const ticket of order.tickets) {
      expect(ticket.status).toBe('VALID');
      expect(ticket.code).toMatch(/^[A-Za-z0-9_-]{27}$/); // 160 random bits, base64url
    }
    expect(new Set(order.tickets.map((x) => x.code)).size).toBe(3);
    expect(await counters(t, tierId)).toEqual({ sold: 3, held: 0, capacity: 10 });
    const replayed = await reserve(t, who.token, eventId, tierId, 3, key);
    expect(replayed.data!.reserveTickets.status).toBe('CONFIRMED');
    const charge = [...t.payments.charges.values()].find((c) => c.idempotencyKey === order.id);
    expect(charge).toMatchObject({ amountCents: 7500, currency: 'EUR', refunds: 0 });
    expect(await orderRow(t, order.id)).toMatchObject({ payment_state: 'CHARGED' });
    const [outbox] = await t.sql`select payload from tickets.outbox where topic = 'tickets.order-confirmed'
      and payload->>'orderId' = ${order.id}`;
    expect(outbox!.payload).toMatchObject({ userId: who.id, eventId, ticketCount: 3, totalCents: 7500 });
    expect(OrderConfirmed.safeParse(outbox!.payload).success).toBe(true); // what consumers parse
    expect(errorCodes(await checkout(t, who.token, hold.id))).toEqual(['CONFLICT']);
    await expectLedgerMatchesCounters(t);
  });

  it('is for the reservation`s owner only, with a known payment token', async () => {
    const { eventId, tierId } = await eventWithTier(t);
    const who = await buyer(t);
    const hold = await reserved(t, who.token, eventId, tierId);
    expect(errorCodes(await checkout(t, (await buyer(t)).token, hold.id))).toEqual(['FORBIDDEN']);
    const anonymous = await t.call(
      `mutation($r: ID!) { checkout(reservationId: $r, paymentToken: "tok_ok", idempotencyKey: "k") { id } }`,
      { r: hold.id },
    );
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await checkout(t, who.token, randomUUID()))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await checkout(t, who.token, hold.id, 'tok_bogus'))).toEqual(['BAD_USER_INPUT']);
    expect(await ordersOfReservation(t, hold.id)).toHaveLength(0);
  });

  it('keeps the hold when the card is declined, so the buyer can retry with a new key', async () => {
    const { eventId, tierId } = await eventWithTier(t);
    const who = await buyer(t);
    const hold = await reserved(t, who.token, eventId, tierId, 2);
    const key = randomUUID();
    const declined = await checkout(t, who.token, hold.id, 'tok_declined', key);
    expect(errorCodes(declined)).toEqual(['CONFLICT']);
    expect(reasonOf(declined)).toBe('PAYMENT_DECLINED');
    expect(await counters(t, tierId)).toMatchObject({ sold: 0, held: 2 });
    const replay = await checkout(t, who.token, hold.id, 'tok_declined', key);
    expect(reasonOf(replay)).toBe('PAYMENT_DECLINED');
    const retried = await checkout(t, who.token, hold.id, 'tok_ok');
    expect(retried.data!.checkout.status).toBe('CONFIRMED');
    const orders = await ordersOfReservation(t, hold.id);
    expect(orders.map((o) => [o.status, o.payment_state, o.failure_reason])).toEqual([
      ['FAILED', 'NONE', 'PAYMENT_DECLINED'],
      ['CONFIRMED', 'CHARGED', null],
    ]);
  });

  it('returns the same order for the same key, and refuses the key with another payload', async () => {
    const { eventId, tierId } = await eventWithTier(t);
    const who = await buyer(t);
    const hold = await reserved(t, who.token, eventId, tierId);
    const key = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => checkout(t, who.token, hold.id, 'tok_ok', key)),
    );
    expect(results.flatMap(errorCodes)).toEqual([]);
    const [id] = new Set(results.map((r) => r.data!.checkout.id));
    expect(results.every((r) => r.data!.checkout.id === id)).toBe(true);
    expect([...t.payments.charges.values()].filter((c) => c.idempotencyKey === id)).toHaveLength(1);
    const other = await checkout(t, who.token, hold.id, 'tok_declined', key);
    expect(reasonOf(other)).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('refunds the charge when the hold expired while paying', async () => {
    const { eventId, tierId } = await eventWithTier(t);
    const who = await buyer(t);
    const hold = await reserved(t, who.token, eventId, tierId, 2);
    await withProvider(t, { during: () => expireHold(t, hold.id) }, async () => {
      const res = await checkout(t, who.token, hold.id);
      expect(reasonOf(res)).toBe('HOLD_EXPIRED');
    });
    const [order] = await ordersOfReservation(t, hold.id);
    expect(order).toMatchObject({
      status: 'FAILED',
      payment_state: 'REFUNDED',
      failure_reason: 'HOLD_EXPIRED',
    });
    expect(t.payments.outstanding.filter((c) => c.idempotencyKey === order!.id)).toHaveLength(0);
    expect(await counters(t, tierId)).toMatchObject({ sold: 0, held: 0 });
    await expectLedgerMatchesCounters(t);
  });

  it('refunds the charge when the event was cancelled while paying', async () => {
    const { eventId, tierId, organizerId } = await eventWithTier(t);
    const who = await buyer(t);
    const hold = await reserved(t, who.token, eventId, tierId, 1);
    await withProvider(t, { during: () => t.cancelEvent(eventId, organizerId) }, async () => {
      expect(reasonOf(await checkout(t, who.token, hold.id))).toBe('EVENT_CANCELLED');
    });
    const [order] = await ordersOfReservation(t, hold.id);
    expect(order).toMatchObject({ status: 'FAILED', payment_state: 'REFUNDED' });
    expect(await counters(t, tierId)).toMatchObject({ sold: 0, held: 0 });
  });

  it('fails fast with PAYMENT_TIMEOUT when the provider is too slow, charging nothing', async () => {
    await t.restart({ env: { PAYMENT_TIMEOUT_MS: '150' } });
    try {
      const { eventId, tierId } = await eventWithTier(t);
      const who = await buyer(t);
      const hold = await reserved(t, who.token, eventId, tierId);
      const res = await checkout(t, who.token, hold.id, 'tok_slow');
      expect(reasonOf(res)).toBe('PAYMENT_TIMEOUT');
      const [order] = await ordersOfReservation(t, hold.id);
      // The provider may still charge after we stopped waiting: UNKNOWN until recovery asks.
      expect(order).toMatchObject({ status: 'FAILED', payment_state: 'UNKNOWN' });
      expect(t.payments.chargeFor(order!.id)).toBeUndefined();
      expect(await counters(t, tierId)).toMatchObject({ held: 1, sold: 0 });
      await t.sql`update tickets.orders set updated_at = now() - interval '1 hour' where id = ${order!.id}`;
      expect(await t.service.recoverCheckouts()).toMatchObject({ settled: 1, errors: 0 });
      expect((await ordersOfReservation(t, hold.id))[0]).toMatchObject({
        status: 'FAILED',
        payment_state: 'NONE',
      });
    } finally {
      await t.restart();
    }
  });

  it('opens the circuit after repeated failures and answers PAYMENT_UNAVAILABLE without calling', async () => {
    let calls = 0;
    const broken: PaymentProvider = {
      acceptsToken: () => true,
      charge: async () => {
        calls += 1;
        throw new Error('provider down');
      },
      findCharge: async () => null,
      refund: async () => {},
    };
    await t.restart({ deps: { payments: broken, breaker: { volumeThreshold: 3, resetTimeoutMs: 60_000 } } });
    try {
      const { eventId, tierId } = await eventWithTier(t);
      const who = await buyer(t);
      const hold = await reserved(t, who.token, eventId, tierId);
      for (let i = 0; i < 5; i++) {
        expect(reasonOf(await checkout(t, who.token, hold.id))).toBe('PAYMENT_UNAVAILABLE');
      }
      expect(calls).toBe(3);
      expect(await counters(t, tierId)).toMatchObject({ held: 1 });
    } finally {
      await t.restart();
    }
  });

  it('completes a slow (5 s) payment within PAYMENT_TIMEOUT_MS', async () => {
    const { eventId, tierId } = await eventWithTier(t);
    const who = await buyer(t);
    const hold = await reserved(t, who.token, eventId, tierId);
    const res = await checkout(t, who.token, hold.id, 'tok_slow');
    expect(res.data!.checkout.status).toBe('CONFIRMED');
  }, 15_000);
});

/** Runs `body` with a provider that does `during()` while charging (after the order is PENDING). */
async function withProvider(t: World, hooks: { during: () => Promise<void> }, body: () => Promise<void>) {
  const real = t.payments;
  const provider: PaymentProvider = {
    acceptsToken: (token) => real.acceptsToken(token),
    charge: async (request) => {
      await hooks.during();
      return real.charge(request);
    },
    findCharge: (key) => real.findCharge(key),
    refund: (reference) => real.refund(reference),
  };
  await t.restart({ deps: { payments: provider } });
  try {
    await body();
  } finally {
    await t.restart();
  }
}
