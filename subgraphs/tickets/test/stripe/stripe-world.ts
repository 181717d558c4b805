import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { INTERNAL_HEADER } from '@marquee/auth';
import { StripePaymentProvider } from '../../src/payments/stripe/stripe-provider.js';
import { CHECKOUT, ORDER, type Order } from '../fixtures.js';
import { startTickets, type World } from '../harness.js';
import { startFakeStripe, type FakeStripe } from './fake-stripe.js';

export const WEBHOOK_SECRET = 'whsec_test_0123456789abcdef0123456789';

export const PAID_ORDER = `${ORDER} payment { status clientSecret nextAction }`;
export const CHECKOUT_PAYMENT = CHECKOUT.replace(ORDER, PAID_ORDER);
export const ORDER_QUERY = `query($id: ID!) { order(id: $id) { ${PAID_ORDER} } }`;
export type PaidOrder = Order & {
  payment: { status: string; clientSecret: string | null; nextAction: string | null };
};

export interface DeliverOptions {
  secret?: string;
  /** Seconds since the epoch the signature claims (default now). */
  timestamp?: number;
  /** Sent instead of a valid signature (null: no Stripe-Signature header). */
  signature?: string | null;
  /** Without the gateway's internal credential. */
  outsider?: boolean;
}

/** The tickets service paying through Stripe (the fake server), and webhooks as Stripe signs them. */
export async function startStripeTickets() {
  const fake: FakeStripe = await startFakeStripe();
  const provider = new StripePaymentProvider({
    secretKey: fake.secretKey,
    apiUrl: fake.url,
    webhookSecret: WEBHOOK_SECRET,
  });
  // Recovery picks only what a test aged (age()), however slow the machine.
  const t: World = await startTickets({
    env: { CHECKOUT_RECOVERY_AFTER_MS: '600000' },
    deps: { payments: provider },
  });

  return {
    t,
    fake,
    provider,
    checkout: (token: string, reservationId: string, card: string, key: string = randomUUID()) =>
      t.call<{ checkout: PaidOrder }>(CHECKOUT_PAYMENT, { r: reservationId, p: card, k: key }, token),
    order: (token: string, id: string) => t.call<{ order: PaidOrder | null }>(ORDER_QUERY, { id }, token),
    /** The intent Stripe has for this order. */
    intentOf(orderId: string) {
      const intent = [...fake.intents.values()].find((i) => i.metadata.orderId === orderId);
      if (!intent) throw new Error(`no intent for ${orderId}`);
      return intent;
    },
    /** The events Stripe has for this intent, oldest first. */
    eventsOf(intentId: string, type?: string) {
      return fake.events.filter((e) => {
        const object = e.data.object as { id: string; payment_intent?: string };
        return (object.id === intentId || object.payment_intent === intentId) && (!type || e.type === type);
      });
    },
    /** POSTs a delivery to /webhooks/stripe as the gateway forwards it (raw body, signature header). */
    async deliver(event: Stripe.Event | string, options: DeliverOptions = {}) {
      const payload = typeof event === 'string' ? event : JSON.stringify(event, null, 2);
      const signature =
        options.signature !== undefined
          ? options.signature
          : Stripe.webhooks.generateTestHeaderString({
              payload,
              secret: options.secret ?? WEBHOOK_SECRET,
              ...(options.timestamp ? { timestamp: options.timestamp } : {}),
            });
      const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
      if (signature !== null) headers['stripe-signature'] = signature;
      if (!options.outsider) headers[INTERNAL_HEADER] = t.internalSecret;
      const res = await fetch(new URL('/webhooks/stripe', t.url), { method: 'POST', headers, body: payload });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    /** As if the order was last touched long ago: recovery picks it up now. */
    async age(orderId: string) {
      await t.sql`update tickets.orders set updated_at = now() - interval '1 hour' where id = ${orderId}`;
    },
    async row(orderId: string) {
      const [row] = await t.sql`select status, payment_state, failure_reason, payment_intent_id,
        payment_client_secret from tickets.orders where id = ${orderId}`;
      return row!;
    },
    async stop() {
      await t.stop();
      await fake.close();
    },
  };
}

export type StripeWorld = Awaited<ReturnType<typeof startStripeTickets>>;
