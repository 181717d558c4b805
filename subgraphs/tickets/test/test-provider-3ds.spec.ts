import { randomUUID } from 'node:crypto';
import { INTERNAL_HEADER } from '@marquee/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buyer, counters, eventWithTier, reserved } from './fixtures.js';
import { startTickets, type World } from './harness.js';
import { CHECKOUT_PAYMENT, type PaidOrder } from './stripe/stripe-world.js';

let t: World;
beforeAll(async () => {
  t = await startTickets({ env: { CHECKOUT_RECOVERY_AFTER_MS: '600000' } });
});
afterAll(() => t.stop());

async function awaiting() {
  const { eventId, tierId } = await eventWithTier(t);
  const who = await buyer(t);
  const hold = await reserved(t, who.token, eventId, tierId, 2);
  const key = randomUUID();
  const pay = () =>
    t.call<{ checkout: PaidOrder }>(CHECKOUT_PAYMENT, { r: hold.id, p: 'tok_3ds', k: key }, who.token);
  const res = await pay();
  expect(res.errors).toBeUndefined();
  return { order: res.data!.checkout, pay, tierId };
}

describe("the test provider's tok_3ds: a payment that waits for the buyer", () => {
  it('is PENDING until the buyer authenticates; the same checkout key then sells', async () => {
    const { order, pay, tierId } = await awaiting();
    expect(order).toMatchObject({
      status: 'PENDING',
      payment: { status: 'REQUIRES_ACTION', nextAction: 'use_stripe_sdk' },
    });
    expect(order.payment.clientSecret).toMatch(/^pi_test_.+_secret_test$/);
    expect(t.payments.chargeFor(order.id)).toBeUndefined();
    expect((await pay()).data!.checkout.status).toBe('PENDING');
    t.payments.authenticate(order.id);
    const sold = (await pay()).data!.checkout;
    expect(sold).toMatchObject({ status: 'CONFIRMED', payment: { status: 'SUCCEEDED', clientSecret: null } });
    expect(sold.tickets).toHaveLength(2);
    expect(t.payments.chargeFor(order.id)).toMatchObject({ amountCents: 5_000, refunds: 0 });
    expect(await counters(t, tierId)).toMatchObject({ sold: 2, held: 0 });
  });

  it('failed authentication: the replayed checkout is PAYMENT_DECLINED, the hold kept', async () => {
    const { order, pay, tierId } = await awaiting();
    t.payments.authenticate(order.id, 'failed');
    const res = await pay();
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'PAYMENT_DECLINED' });
    expect(await counters(t, tierId)).toMatchObject({ sold: 0, held: 2 });
  });

  it('has no webhook route to answer: the test provider sends none', async () => {
    const res = await fetch(new URL('/webhooks/stripe', t.url), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': 't=1,v1=x',
        [INTERNAL_HEADER]: t.internalSecret,
      },
      body: '{}',
    });
    expect(res.status).toBe(404);
  });

  it('recovery finishes it when nobody calls back', async () => {
    const { order } = await awaiting();
    t.payments.authenticate(order.id);
    await t.sql`update tickets.orders set updated_at = now() - interval '1 hour' where id = ${order.id}`;
    expect(await t.service.recoverCheckouts()).toMatchObject({ confirmed: 1, errors: 0 });
    expect(t.payments.chargeFor(order.id)).toBeDefined();
  });
});
