import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { eventually } from '@marquee/subgraph-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buyer,
  counters,
  eventWithTier,
  expectLedgerMatchesCounters,
  expireHold,
  reserved,
} from './fixtures.js';
import { startStripeTickets, WEBHOOK_SECRET, type StripeWorld } from './stripe/stripe-world.js';

let s: StripeWorld;
beforeAll(async () => {
  s = await startStripeTickets();
});
afterAll(() => s.stop());

const reasonOf = (res: { errors?: { extensions?: Record<string, unknown> }[] }) =>
  res.errors?.[0]?.extensions?.reason;

/** A buyer with a 2-ticket hold on a new event, and the tier. */
async function held(quantity = 2) {
  const { eventId, tierId, organizer, organizerId } = await eventWithTier(s.t);
  const who = await buyer(s.t);
  const hold = await reserved(s.t, who.token, eventId, tierId, quantity);
  return { who, hold, tierId, organizer, eventId, organizerId };
}

/** Checks out with a card that needs 3-D Secure: the PENDING order and its intent. */
async function awaitingBuyer(quantity = 2) {
  const h = await held(quantity);
  const key = randomUUID();
  const res = await s.checkout(h.who.token, h.hold.id, 'pm_card_authenticationRequired', key);
  expect(res.errors).toBeUndefined();
  const order = res.data!.checkout;
  return { ...h, key, order, intent: s.intentOf(order.id) };
}

describe('checkout through Stripe (fake server), with 3-D Secure and webhooks', () => {
  it('pays without authentication: CONFIRMED with tickets, the intent id on the order', async () => {
    const { who, hold, tierId } = await held();
    const before = s.fake.charges;
    const res = await s.checkout(who.token, hold.id, 'pm_card_visa');
    expect(res.errors).toBeUndefined();
    const order = res.data!.checkout;
    expect(order).toMatchObject({
      status: 'CONFIRMED',
      payment: { status: 'SUCCEEDED', clientSecret: null },
    });
    expect(order.tickets).toHaveLength(2);
    expect(await s.row(order.id)).toMatchObject({ payment_intent_id: s.intentOf(order.id).id });
    expect(s.fake.charges).toBe(before + 1);
    expect(await counters(s.t, tierId)).toMatchObject({ sold: 2, held: 0 });
  });

  it('needs the buyer: PENDING with the client secret (buyer only), hold extended once; the webhook sells', async () => {
    const { who, hold, tierId, organizer, order, intent } = await awaitingBuyer();
    expect(order).toMatchObject({
      status: 'PENDING',
      tickets: [],
      payment: {
        status: 'REQUIRES_ACTION',
        clientSecret: intent.client_secret,
        nextAction: 'use_stripe_sdk',
      },
    });
    // Extended to HOLD_CEILING_SECONDS (default: twice the 600 s hold) after it was made.
    const [r] = await s.t.sql`select extract(epoch from expires_at - created_at)::int as s
      from tickets.reservations where id = ${hold.id}`;
    expect(r!.s).toBe(1_200);
    expect((await s.order(organizer, order.id)).data!.order!.payment).toEqual({
      status: 'REQUIRES_ACTION',
      clientSecret: null,
      nextAction: 'use_stripe_sdk',
    });
    expect(await counters(s.t, tierId)).toMatchObject({ sold: 0, held: 2 });

    const before = s.fake.charges;
    s.fake.authenticate(intent.id);
    expect(s.fake.charges).toBe(before); // the buyer authenticating moves no money
    // Stripe's (late) delivery of requires_action: the state is read from Stripe, now ready.
    const [requiresAction] = s.eventsOf(intent.id, 'payment_intent.requires_action');
    expect(await s.deliver(requiresAction!)).toMatchObject({ status: 200 });
    const sold = (await s.order(who.token, order.id)).data!.order!;
    expect(sold).toMatchObject({ status: 'CONFIRMED', payment: { status: 'SUCCEEDED', clientSecret: null } });
    expect(sold.tickets).toHaveLength(2);
    expect(s.fake.charges).toBe(before + 1);
    expect(await counters(s.t, tierId)).toMatchObject({ sold: 2, held: 0 });
    // Then the succeeded event arrives: nothing more happens.
    const [succeeded] = s.eventsOf(intent.id, 'payment_intent.succeeded');
    expect(await s.deliver(succeeded!)).toMatchObject({ status: 200 });
    expect(await counters(s.t, tierId)).toMatchObject({ sold: 2, held: 0 });
  });

  it('the client may call checkout again with the same key once the buyer authenticated', async () => {
    const { who, hold, key, order, intent } = await awaitingBuyer(1);
    const early = await s.checkout(who.token, hold.id, 'pm_card_authenticationRequired', key);
    expect(early.data!.checkout).toMatchObject({ id: order.id, status: 'PENDING' });
    s.fake.authenticate(intent.id);
    const res = await s.checkout(who.token, hold.id, 'pm_card_authenticationRequired', key);
    expect(res.data!.checkout).toMatchObject({ id: order.id, status: 'CONFIRMED' });
    expect(res.data!.checkout.tickets).toHaveLength(1);
  });

  it('a decline fails at once; failed authentication fails by webhook; both keep the hold', async () => {
    const { who, hold, tierId } = await held();
    const declined = await s.checkout(who.token, hold.id, 'pm_card_chargeDeclined');
    expect(reasonOf(declined)).toBe('PAYMENT_DECLINED');
    const { order, intent } = await (async () => {
      const res = await s.checkout(who.token, hold.id, 'pm_card_threeDSecure2Required');
      return { order: res.data!.checkout, intent: s.intentOf(res.data!.checkout.id) };
    })();
    s.fake.failAuthentication(intent.id);
    const [failed] = s.eventsOf(intent.id, 'payment_intent.payment_failed');
    expect(await s.deliver(failed!)).toMatchObject({ status: 200 });
    expect(await s.row(order.id)).toMatchObject({
      status: 'FAILED',
      payment_state: 'NONE',
      failure_reason: 'PAYMENT_DECLINED',
      payment_client_secret: null,
    });
    expect(await counters(s.t, tierId)).toMatchObject({ sold: 0, held: 2 });
    const retry = await s.checkout(who.token, hold.id, 'pm_card_visa');
    expect(retry.data!.checkout.status).toBe('CONFIRMED');
  });

  it('webhooks replayed 3 times, side by side and out of order, make one sale', async () => {
    const { who, order, intent, tierId } = await awaitingBuyer();
    s.fake.authenticate(intent.id);
    const before = s.fake.charges;
    const [requiresAction] = s.eventsOf(intent.id, 'payment_intent.requires_action');
    const [created] = s.eventsOf(intent.id, 'payment_intent.created');
    const answers = await Promise.all(
      [requiresAction, requiresAction, requiresAction].map((e) => s.deliver(e!)),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const [succeeded] = s.eventsOf(intent.id, 'payment_intent.succeeded');
    for (const event of [succeeded, succeeded, succeeded, created, requiresAction])
      expect((await s.deliver(event!)).status).toBe(200);
    expect(s.fake.charges).toBe(before + 1);
    const sold = (await s.order(who.token, order.id)).data!.order!;
    expect(sold.status).toBe('CONFIRMED');
    expect(sold.tickets).toHaveLength(2);
    expect(await counters(s.t, tierId)).toMatchObject({ sold: 2, held: 0 });
    const [inbox] = await s.t.sql`select count(*)::int as n from tickets.inbox
      where consumer = 'payment-webhooks' and message_id = ${succeeded!.id}`;
    expect(inbox!.n).toBe(1);
    await expectLedgerMatchesCounters(s.t);
  });

  it('a success after the hold expired is refunded automatically; the seats go back', async () => {
    const { hold, order, intent, tierId } = await awaitingBuyer();
    s.fake.authenticate(intent.id);
    // A replica confirmed it and died before selling; then the hold ran out.
    await s.provider.confirm(order.id, intent.id);
    await expireHold(s.t, hold.id);
    const [succeeded] = s.eventsOf(intent.id, 'payment_intent.succeeded');
    expect(await s.deliver(succeeded!)).toMatchObject({ status: 200 });
    expect(await s.row(order.id)).toMatchObject({
      status: 'FAILED',
      failure_reason: 'HOLD_EXPIRED',
      payment_state: 'REFUNDED',
    });
    expect(s.fake.refunds.filter((r) => r.payment_intent === intent.id)).toHaveLength(1);
    expect(await counters(s.t, tierId)).toMatchObject({ sold: 0, held: 0 });
    // Stripe's charge.refunded for our own refund is recorded; replays record nothing more.
    const [refunded] = s.eventsOf(intent.id, 'charge.refunded');
    for (let i = 0; i < 2; i++) expect((await s.deliver(refunded!)).status).toBe(200);
    const rows = await s.t.sql`select kind, amount, currency, detail from tickets.order_payment_events
      where order_id = ${order.id}`;
    expect(rows).toEqual([{ kind: 'REFUNDED', amount: 2 * 2_500, currency: 'EUR', detail: 'full' }]);
  });

  it('a success after the event was cancelled is refunded automatically', async () => {
    const { hold, order, intent, eventId, organizerId } = await awaitingBuyer(1);
    s.fake.authenticate(intent.id);
    await s.provider.confirm(order.id, intent.id); // confirmed by a replica that died before selling
    await s.t.cancelEvent(eventId, organizerId);
    await s.t.service.runCancellations();
    const [r] = await s.t.sql`select status from tickets.reservations where id = ${hold.id}`;
    expect(r!.status).toBe('RELEASED');
    const [succeeded] = s.eventsOf(intent.id, 'payment_intent.succeeded');
    expect(await s.deliver(succeeded!)).toMatchObject({ status: 200 });
    expect(await s.row(order.id)).toMatchObject({ status: 'FAILED', payment_state: 'REFUNDED' });
    expect(s.fake.refunds.filter((r) => r.payment_intent === intent.id)).toHaveLength(1);
  });

  it('refuses forged, altered, old, unsigned and outside deliveries, writing nothing', async () => {
    const { order, intent } = await awaitingBuyer();
    s.fake.authenticate(intent.id);
    const [event] = s.eventsOf(intent.id, 'payment_intent.requires_action');
    const payload = JSON.stringify(event);
    const count = async () =>
      (
        await s.t.sql`select (select count(*) from tickets.inbox)::int as inbox,
        (select count(*) from tickets.order_payment_events)::int as events`
      )[0];
    const before = await count();
    const charges = s.fake.charges;
    const forged = await s.deliver(payload, { secret: 'whsec_forged_000000000000000000' });
    expect(forged).toMatchObject({
      status: 400,
      body: { errors: [{ extensions: { code: 'BAD_REQUEST' } }] },
    });
    const altered = payload.replace(intent.id, 'pi_someone_else');
    const signed = Stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
    expect((await s.deliver(altered, { signature: signed })).status).toBe(400);
    const old = Math.floor(Date.now() / 1000) - 400;
    expect((await s.deliver(payload, { timestamp: old })).status).toBe(400);
    expect((await s.deliver(payload, { signature: null })).status).toBe(400);
    expect((await s.deliver(payload, { outsider: true })).status).toBe(401);
    expect(await count()).toEqual(before);
    expect(s.fake.charges).toBe(charges);
    expect(await s.row(order.id)).toMatchObject({ status: 'PENDING' });
    expect(s.intentOf(order.id).status).toBe('requires_confirmation'); // never confirmed
  });

  it('records disputes on the order, once', async () => {
    const { who, hold } = await held(1);
    const order = (await s.checkout(who.token, hold.id, 'pm_card_visa')).data!.checkout;
    const dispute = s.fake.dispute(s.intentOf(order.id).id, 'fraudulent');
    for (let i = 0; i < 3; i++) expect((await s.deliver(dispute)).status).toBe(200);
    const rows = await s.t.sql`select kind, amount, detail from tickets.order_payment_events
      where order_id = ${order.id}`;
    expect(rows).toEqual([{ kind: 'DISPUTED', amount: 2_500, detail: 'fraudulent' }]);
  });
});

describe('recovery of payments that outlived their checkout', () => {
  it('sells after a lost webhook (the buyer authenticated, nobody told us)', async () => {
    const { order, intent, tierId } = await awaitingBuyer();
    s.fake.authenticate(intent.id);
    await s.age(order.id);
    expect(await s.t.service.recoverCheckouts()).toMatchObject({ confirmed: 1, errors: 0 });
    expect(await s.row(order.id)).toMatchObject({ status: 'CONFIRMED', payment_state: 'CHARGED' });
    expect(await counters(s.t, tierId)).toMatchObject({ sold: 2, held: 0 });
  });

  it('sells a payment confirmed by a checkout that crashed before the sale', async () => {
    const { order, intent } = await awaitingBuyer(1);
    s.fake.authenticate(intent.id);
    await s.provider.confirm(order.id, intent.id);
    await s.age(order.id);
    expect(await s.t.service.recoverCheckouts()).toMatchObject({ confirmed: 1, errors: 0 });
    expect(await s.row(order.id)).toMatchObject({ status: 'CONFIRMED' });
  });

  it('after a timeout, finds the charge that went through late and gives it back', async () => {
    const { who, hold, tierId } = await held(1);
    await s.t.restart({
      env: { PAYMENT_TIMEOUT_MS: '150', CHECKOUT_RECOVERY_AFTER_MS: '600000' },
      deps: { payments: s.provider },
    });
    s.fake.slowConfirms(600);
    try {
      const res = await s.checkout(who.token, hold.id, 'pm_card_visa');
      expect(reasonOf(res)).toBe('PAYMENT_TIMEOUT');
      const [row] = await s.t.sql`select id from tickets.orders where reservation_id = ${hold.id}`;
      const orderId = row!.id as string;
      expect(await s.row(orderId)).toMatchObject({ status: 'FAILED', payment_state: 'UNKNOWN' });
      // Stripe confirmed it anyway, after we stopped waiting.
      await eventually(async () => expect(s.intentOf(orderId).status).toBe('succeeded'));
      await s.age(orderId);
      expect(await s.t.service.recoverCheckouts()).toMatchObject({ settled: 1, errors: 0 });
      expect(await s.row(orderId)).toMatchObject({ status: 'FAILED', payment_state: 'REFUNDED' });
      expect(s.fake.refunds.filter((r) => r.payment_intent === s.intentOf(orderId).id)).toHaveLength(1);
      expect(await counters(s.t, tierId)).toMatchObject({ sold: 0, held: 1 }); // the hold stays
    } finally {
      s.fake.slowConfirms(0);
      await s.t.restart({ env: { CHECKOUT_RECOVERY_AFTER_MS: '600000' }, deps: { payments: s.provider } });
    }
  });

  it('leaves a payment with the buyer alone while the hold lasts; past it, cancels it and frees the seats', async () => {
    const { hold, order, intent, tierId } = await awaitingBuyer();
    await s.age(order.id);
    expect(await s.t.service.recoverCheckouts()).toMatchObject({ waiting: 1, errors: 0 });
    expect(await s.row(order.id)).toMatchObject({ status: 'PENDING' });
    await expireHold(s.t, hold.id);
    await s.age(order.id);
    expect(await s.t.service.recoverCheckouts()).toMatchObject({ failed: 1, errors: 0 });
    expect(await s.row(order.id)).toMatchObject({
      status: 'FAILED',
      failure_reason: 'HOLD_EXPIRED',
      payment_state: 'NONE',
    });
    expect(s.intentOf(order.id).status).toBe('canceled');
    expect(await counters(s.t, tierId)).toMatchObject({ sold: 0, held: 0 });
    // The buyer authenticates too late: nothing can be charged any more.
    expect(() => s.fake.authenticate(intent.id)).toThrow();
  });
});
