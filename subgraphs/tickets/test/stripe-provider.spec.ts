import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STRIPE_API_VERSION } from '../src/payments/stripe/stripe-client.js';
import { StripePaymentProvider } from '../src/payments/stripe/stripe-provider.js';
import { startFakeStripe, type FakeStripe } from './stripe/fake-stripe.js';

const WEBHOOK_SECRET = 'whsec_test_0123456789abcdef0123456789';

let fake: FakeStripe;
let provider: StripePaymentProvider;
let orders = 0;
const orderId = () => `00000000-0000-4000-8000-${String(++orders).padStart(12, '0')}`;
const charge = (id: string, token: string, amountCents = 2_500, currency = 'EUR') =>
  provider.charge({ idempotencyKey: id, token, amountCents, currency });
const intentOf = (id: string) => [...fake.intents.values()].filter((i) => i.metadata.orderId === id);

beforeAll(async () => {
  fake = await startFakeStripe();
  provider = new StripePaymentProvider({
    secretKey: fake.secretKey,
    apiUrl: fake.url,
    webhookSecret: WEBHOOK_SECRET,
  });
});
afterAll(() => fake.close());

describe('StripePaymentProvider against a Stripe-compatible server, through the SDK', () => {
  it('pins the API version the SDK defaults to, and sends it', async () => {
    expect(STRIPE_API_VERSION).toBe(Stripe.API_VERSION);
    await charge(orderId(), 'pm_card_visa');
    expect(fake.requests.every((r) => r.version === STRIPE_API_VERSION)).toBe(true);
  });

  it('charges a card: one intent per order, manual confirmation, the order id as key and metadata', async () => {
    const id = orderId();
    const before = fake.charges;
    const result = await charge(id, 'pm_card_visa');
    const [intent] = intentOf(id);
    expect(result).toEqual({ ok: true, reference: intent!.id });
    expect(intent).toMatchObject({
      amount: 2_500,
      currency: 'eur',
      status: 'succeeded',
      confirmation_method: 'manual',
      capture_method: 'automatic',
      payment_method_types: ['card'],
      metadata: { orderId: id },
    });
    const create = fake.requests.find((r) => r.path === '/v1/payment_intents' && r.idempotencyKey === id);
    expect(create).toBeDefined();
    expect(fake.charges).toBe(before + 1);
  });

  it('answers a declined card as DECLINED (an answer, not an error)', async () => {
    const id = orderId();
    expect(await charge(id, 'pm_card_chargeDeclined')).toEqual({ ok: false, reason: 'DECLINED' });
    expect(await charge(orderId(), 'pm_card_chargeDeclinedInsufficientFunds')).toEqual({
      ok: false,
      reason: 'DECLINED',
    });
    expect(intentOf(id)[0]).toMatchObject({
      status: 'requires_payment_method',
      last_payment_error: { code: 'card_declined' },
    });
    expect(await provider.findCharge(id)).toBeNull();
  });

  it('never passes a card that needs 3-D Secure as paid: the intent is canceled, the charge declined', async () => {
    for (const card of ['pm_card_authenticationRequired', 'pm_card_threeDSecure2Required']) {
      const id = orderId();
      const before = fake.charges;
      expect(await charge(id, card)).toEqual({ ok: false, reason: 'DECLINED' });
      expect(intentOf(id)[0]).toMatchObject({ status: 'canceled' });
      expect(fake.charges).toBe(before);
      expect(await provider.findCharge(id)).toBeNull();
    }
  });

  it('reports requires_action with what the client needs, and charges only when we confirm again', async () => {
    const id = orderId();
    const state = await provider.payments.pay({
      orderId: id,
      amount: 1_000,
      currency: 'EUR',
      paymentMethod: 'pm_card_authenticationRequired',
    });
    expect(state).toMatchObject({ status: 'requires_action', nextAction: 'use_stripe_sdk' });
    if (state.status !== 'requires_action') throw new Error('unreachable');
    expect(state.clientSecret).toMatch(new RegExp(`^${state.intentId}_secret_`));
    const before = fake.charges;
    fake.authenticate(state.intentId);
    expect(fake.charges).toBe(before); // the buyer authenticating moves no money
    expect(await provider.payments.find(id, state.intentId)).toMatchObject({
      status: 'requires_confirmation',
    });
    expect(await provider.payments.confirm(id, state.intentId, 2)).toMatchObject({ status: 'succeeded' });
    expect(fake.charges).toBe(before + 1);
  });

  it('retrying a charge for the same order replays it: one intent, one charge', async () => {
    const id = orderId();
    const before = fake.charges;
    const results = await Promise.all([1, 2, 3].map(() => charge(id, 'pm_card_visa')));
    const again = await charge(id, 'pm_card_visa');
    expect(intentOf(id)).toHaveLength(1);
    expect(new Set([...results, again].map((r) => (r.ok ? r.reference : null)))).toEqual(
      new Set([intentOf(id)[0]!.id]),
    );
    expect(fake.charges).toBe(before + 1);
    expect(fake.requests.some((r) => r.idempotencyKey === id && r.replayed)).toBe(true);
  });

  it('sends amounts in the minor unit Stripe wants: JPY as is, KWD to the nearest ten refused', async () => {
    const yen = orderId();
    await charge(yen, 'pm_card_visa', 5_000, 'JPY');
    expect(intentOf(yen)[0]).toMatchObject({ amount: 5_000, currency: 'jpy' });
    const krona = orderId();
    await charge(krona, 'pm_card_visa', 1_990, 'ISK');
    expect(intentOf(krona)[0]).toMatchObject({ amount: 199_000, currency: 'isk' });
    await expect(charge(orderId(), 'pm_card_visa', 5_125, 'KWD')).rejects.toMatchObject({
      code: 'AMOUNT_NOT_CHARGEABLE',
    });
  });

  it('finds the charge of an order: by the intent it remembers, or by searching metadata', async () => {
    const id = orderId();
    const result = await charge(id, 'pm_card_visa');
    expect(await provider.findCharge(id)).toEqual({ reference: result.ok && result.reference });
    // Another process (after a crash) does not know the intent id: it searches.
    const fresh = new StripePaymentProvider({ secretKey: fake.secretKey, apiUrl: fake.url });
    expect(await fresh.findCharge(id)).toEqual({ reference: result.ok && result.reference });
    expect(fake.requests.some((r) => r.path === '/v1/payment_intents/search')).toBe(true);
    expect(await fresh.findCharge(orderId())).toBeNull();
  });

  it('refunds in full or in part, each at most once per key', async () => {
    const id = orderId();
    const result = await charge(id, 'pm_card_visa', 3_000);
    if (!result.ok) throw new Error('charge failed');
    const intentId = result.reference;
    const refundsOf = () => fake.refunds.filter((r) => r.payment_intent === intentId).map((r) => r.amount);
    const part = { intentId, orderId: id, amount: { value: 1_000, currency: 'EUR' } };
    const first = await provider.payments.refund(part);
    expect(await provider.payments.refund(part)).toEqual(first); // replayed, not refunded again
    expect(refundsOf()).toEqual([1_000]);
    await provider.payments.refund({ ...part, key: `${id}:refund:ticket-2` }); // another ticket, same price
    expect(refundsOf()).toEqual([1_000, 1_000]);
    // The port's full refund takes what is left, and twice is harmless.
    await provider.refund(intentId);
    await provider.refund(intentId);
    await new StripePaymentProvider({ secretKey: fake.secretKey, apiUrl: fake.url }).refund(intentId);
    expect(refundsOf()).toEqual([1_000, 1_000, 1_000]);
    await expect(provider.payments.refund({ ...part, key: 'late-partial' })).rejects.toMatchObject({
      code: 'charge_already_refunded',
    });
  });

  it('verifies webhook signatures with constructEvent: valid, forged, too old', () => {
    const payload = JSON.stringify({
      id: 'evt_1',
      object: 'event',
      type: 'payment_intent.succeeded',
      api_version: STRIPE_API_VERSION,
      data: { object: { id: 'pi_1', object: 'payment_intent', metadata: { orderId: 'o1' } } },
    });
    const sign = (secret: string, timestamp = Math.floor(Date.now() / 1000)) =>
      Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
    const event = provider.payments.parseWebhook(payload, sign(WEBHOOK_SECRET));
    expect(event).toMatchObject({ id: 'evt_1', type: 'payment_intent.succeeded' });
    expect(() => provider.payments.parseWebhook(payload, sign('whsec_forged_0000000000000000'))).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
    expect(() => provider.payments.parseWebhook(`${payload} `, sign(WEBHOOK_SECRET))).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
    const old = sign(WEBHOOK_SECRET, Math.floor(Date.now() / 1000) - 301);
    expect(() => provider.payments.parseWebhook(payload, old)).toThrow(/tolerance/i);
  });

  it('accepts only PaymentMethod ids as tokens', () => {
    expect(provider.acceptsToken('pm_card_visa')).toBe(true);
    expect(provider.acceptsToken('tok_ok')).toBe(false);
    expect(provider.acceptsToken('pm_x; drop')).toBe(false);
  });
});
