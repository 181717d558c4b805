import { randomBytes } from 'node:crypto';
import type Stripe from 'stripe';
import { STRIPE_API_VERSION } from '../../src/payments/stripe/stripe-client.js';

/** An Event as Stripe sends it to a webhook endpoint (the pinned API version's shape). */
export function stripeEvent(type: string, object: unknown): Stripe.Event {
  return {
    id: `evt_${randomBytes(12).toString('hex')}`,
    object: 'event',
    api_version: STRIPE_API_VERSION,
    created: Math.floor(Date.now() / 1000),
    data: { object: JSON.parse(JSON.stringify(object)) as unknown },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  } as unknown as Stripe.Event;
}

/** The Charge of a succeeded intent, refunds included (what charge.* events carry). */
export function chargeObject(intent: Stripe.PaymentIntent, refunds: Stripe.Refund[]) {
  const refunded = refunds
    .filter((r) => r.payment_intent === intent.id)
    .reduce((sum, r) => sum + r.amount, 0);
  return {
    id: intent.latest_charge,
    object: 'charge',
    amount: intent.amount_received,
    amount_refunded: refunded,
    currency: intent.currency,
    metadata: {},
    paid: true,
    payment_intent: intent.id,
    refunded: refunded === intent.amount_received,
    status: 'succeeded',
  };
}
