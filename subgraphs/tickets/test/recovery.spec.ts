import { randomUUID } from 'node:crypto';
import { errorCodes, eventually } from '@marquee/subgraph-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentProvider, TestPaymentProvider } from '../src/payments/payment-provider.js';
import {
  buyer,
  checkout,
  CHECKOUT,
  counters,
  eventWithTier,
  expectLedgerMatchesCounters,
  expireHold,
  purchase,
  REFUND,
  reserved,
  type Order,
} from './fixtures.js';
import { startTickets, type World } from './harness.js';

let t: World;
beforeAll(async () => {
  t = await startTickets();
});
afterAll(() => t.stop());

/** The restarted service: recovery on, and orders untouched for 200 ms count as abandoned. */
const RECOVERING = {
  env: { PAYMENT_TIMEOUT_MS: '100', CHECKOUT_RECOVERY_AFTER_MS: '200', RECOVERY_INTERVAL_MS: '100' },
  deps: { workers: { recovery: true } },
};

/**
 * A provider for a replica that freezes mid-checkout, as if killed there: charge() never
 * answers (after charging, or before) until the test wakes the "zombie" up.
 */
function freezing(real: TestPaymentProvider, when: 'after-charge' | 'before-charge') {
  let wake!: () => void;
  const woken = new Promise<void>((resolve) => (wake = resolve));
  let frozen = 0;
  const provider: PaymentProvider = {
    acceptsToken: (token) => real.acceptsToken(token),
    async charge(request) {
      const result = when === 'after-charge' ? await real.charge(request) : undefined;
      frozen += 1;
      await woken;
      return result ?? real.charge(request); // a zombie charging late
    },
    findCharge: (key) => real.findCharge(key),
    refund: (reference) => real.refund(reference),
  };
  return { provider, wake, frozen: () => frozen };
}

async function order(id: string) {
  const [row] =
    await t.sql`select status, payment_state, failure_reason from tickets.orders where id = ${id}`;
  return row;
}

/** Starts checkouts on a replica that freezes; returns the order ids and the zombie requests. */
async function crashMidCheckout(when: 'after-charge' | 'before-charge', holds: number, quantity = 2) {
  const frozen = freezing(t.payments, when);
  const doomed = await t.startReplica({
    env: { PAYMENT_TIMEOUT_MS: '60000', CHECKOUT_RECOVERY_AFTER_MS: '120000' },
    deps: { payments: frozen.provider },
  });
  const { eventId, tierId } = await eventWithTier(t, { capacity: 20 });
  const buyers = await Promise.all(Array.from({ length: holds }, () => buyer(t)));
  const reservations = await Promise.all(buyers.map((b) => reserved(t, b.token, eventId, tierId, quantity)));
  const zombies = buyers.map((b, i) =>
    t.callAt<{ checkout: Order }>(
      doomed.url,
      CHECKOUT,
      { r: reservations[i]!.id, p: 'tok_ok', k: randomUUID() },
      b.token,
    ),
  );
  await eventually(async () => expect(frozen.frozen()).toBe(holds));
  const orderIds: string[] = [];
  for (const r of reservations) {
    const [row] =
      await t.sql`select id, status, payment_state from tickets.orders where reservation_id = ${r.id}`;
    // What the crash leaves behind: a PENDING order, no charge recorded on it.
    expect(row).toMatchObject({ status: 'PENDING', payment_state: 'NONE' });
    orderIds.push(row!.id as string);
  }
  const wakeUp = async () => {
    frozen.wake();
    const replies = await Promise.all(zombies);
    await doomed.close();
    return replies;
  };
  return { eventId, tierId, buyers, reservations, orderIds, wakeUp };
}

describe('checkout recovery after a crash', () => {
  it('confirms an order whose charge went through before the crash, with its tickets, once', async () => {
    const crash = await crashMidCheckout('after-charge', 1);
    const [id] = crash.orderIds;
    expect(t.payments.chargeFor(id!)).toMatchObject({ amountCents: 5000, refunds: 0 });
    await t.restart(RECOVERING);
    try {
      await eventually(async () =>
        expect(await order(id!)).toMatchObject({ status: 'CONFIRMED', payment_state: 'CHARGED' }),
      );
      const tickets = await t.sql`select status from tickets.tickets where order_id = ${id!}`;
      expect(tickets.map((r) => r.status)).toEqual(['VALID', 'VALID']);
      expect(await counters(t, crash.tierId)).toMatchObject({ sold: 2, held: 0 });
      // The frozen request wakes up late: it finds the order confirmed and changes nothing.
      const [late] = await crash.wakeUp();
      expect(late!.data!.checkout).toMatchObject({ id, status: 'CONFIRMED' });
      expect(t.payments.chargeFor(id!)!.refunds).toBe(0);
      expect(await t.sql`select id from tickets.tickets where order_id = ${id!}`).toHaveLength(2);
      await expectLedgerMatchesCounters(t);
    } finally {
      await t.restart();
    }
  });

  it('fails an order interrupted before charging, keeps the hold, and refunds a charge that lands late', async () => {
    const crash = await crashMidCheckout('before-charge', 1);
    const [id] = crash.orderIds;
    await t.restart(RECOVERING);
    try {
      await eventually(async () =>
        expect(await order(id!)).toEqual({
          status: 'FAILED',
          payment_state: 'NONE',
          failure_reason: 'CHECKOUT_INTERRUPTED',
        }),
      );
      expect(t.payments.chargeFor(id!)).toBeUndefined();
      expect(await counters(t, crash.tierId)).toMatchObject({ sold: 0, held: 2 }); // the buyer may retry
      // The zombie charges after recovery gave up: that charge is given back at once.
      const [late] = await crash.wakeUp();
      expect(late!.errors![0]!.extensions).toMatchObject({
        code: 'CONFLICT',
        reason: 'CHECKOUT_INTERRUPTED',
      });
      expect(await order(id!)).toMatchObject({ status: 'FAILED', payment_state: 'REFUNDED' });
      expect(t.payments.chargeFor(id!)!.refunds).toBe(1);
      const retry = await checkout(t, crash.buyers[0]!.token, crash.reservations[0]!.id);
      expect(retry.data!.checkout.status).toBe('CONFIRMED');
      expect(await counters(t, crash.tierId)).toMatchObject({ sold: 2, held: 0 });
      await expectLedgerMatchesCounters(t);
    } finally {
      await t.restart();
    }
  });

  it('refunds a charge whose hold ran out before recovery could confirm it', async () => {
    const crash = await crashMidCheckout('after-charge', 1);
    const [id] = crash.orderIds;
    await expireHold(t, crash.reservations[0]!.id);
    await t.restart(RECOVERING);
    try {
      await eventually(async () =>
        expect(await order(id!)).toEqual({
          status: 'FAILED',
          payment_state: 'REFUNDED',
          failure_reason: 'HOLD_EXPIRED',
        }),
      );
      expect(t.payments.chargeFor(id!)!.refunds).toBe(1);
      expect(await counters(t, crash.tierId)).toMatchObject({ sold: 0, held: 0 });
      const [late] = await crash.wakeUp();
      expect(errorCodes(late!)).toEqual(['CONFLICT']);
      expect(t.payments.chargeFor(id!)!.refunds).toBe(1);
      await expectLedgerMatchesCounters(t);
    } finally {
      await t.restart();
    }
  });

  it('recovers each of many orders exactly once when two replicas recover at the same time', async () => {
    const crash = await crashMidCheckout('after-charge', 6, 1);
    await t.restart({ env: RECOVERING.env });
    const replica = await t.startReplica({ env: RECOVERING.env });
    try {
      await new Promise((r) => setTimeout(r, 250)); // the orders are now "abandoned"
      const runs = await Promise.all([t.service.recoverCheckouts(), replica.recoverCheckouts()]);
      expect(runs[0]!.confirmed + runs[1]!.confirmed).toBe(6);
      expect(runs[0]!.errors + runs[1]!.errors).toBe(0);
      for (const id of crash.orderIds) {
        expect(await order(id)).toMatchObject({ status: 'CONFIRMED' });
        expect(t.payments.chargeFor(id)!.refunds).toBe(0);
      }
      expect(await counters(t, crash.tierId)).toMatchObject({ sold: 6, held: 0 });
      await crash.wakeUp();
      expect(await counters(t, crash.tierId)).toMatchObject({ sold: 6, held: 0 });
      await expectLedgerMatchesCounters(t);
    } finally {
      await replica.close();
      await t.restart();
    }
  });

  it('retries a refund the provider failed, until the money is back', async () => {
    const { eventId, tierId } = await eventWithTier(t);
    const refunds = { failing: true };
    const real = t.payments;
    const provider: PaymentProvider = {
      acceptsToken: (token) => real.acceptsToken(token),
      charge: (request) => real.charge(request),
      findCharge: (key) => real.findCharge(key),
      refund: async (reference) => {
        if (refunds.failing) throw new Error('provider down');
        await real.refund(reference);
      },
    };
    await t.restart({ env: RECOVERING.env, deps: { payments: provider } });
    try {
      const paid = await purchase(t, eventId, tierId, 1);
      const res = await t.call(REFUND, { id: paid.order.id }, paid.token);
      expect(res.errors).toBeUndefined(); // tickets void, seats back; the money is owed
      expect(await order(paid.order.id)).toMatchObject({ status: 'REFUNDED', payment_state: 'CHARGED' });
      refunds.failing = false;
      await new Promise((r) => setTimeout(r, 250));
      expect(await t.service.recoverCheckouts()).toMatchObject({ settled: 1, errors: 0 });
      expect(await order(paid.order.id)).toMatchObject({ status: 'REFUNDED', payment_state: 'REFUNDED' });
      expect(real.chargeFor(paid.order.id)!.refunds).toBe(1);
      expect(await t.service.recoverCheckouts()).toMatchObject({ settled: 0 });
    } finally {
      await t.restart();
    }
  });
});
