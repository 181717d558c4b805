import type Stripe from 'stripe';
import type {
  ChargeRequest,
  ChargeResult,
  PaymentEvent,
  PaymentLookup,
  PaymentProvider,
} from '../payment-provider.js';
import { createStripeClient, type StripeClientOptions } from './stripe-client.js';
import { PaymentNotSettled, StripePayments, type IntentState } from './stripe-payments.js';

export interface StripeProviderOptions extends StripeClientOptions {
  webhookSecret?: string;
}

/** Intent ids this process created, by order: found by id, not by the slower search. */
const REMEMBERED = 10_000;

/**
 * Stripe behind the PaymentProvider port. The payment token is a PaymentMethod id (pm_..., from
 * Stripe.js); the charge reference is the PaymentIntent id, handed to the saga (onReference)
 * before the intent is confirmed. An intent that needs the buyer (3-D Secure) is answered as
 * ACTION_REQUIRED with its client secret; with manual confirmation only we can confirm it once
 * the buyer has authenticated (`confirm`), so nothing is charged while the saga cannot sell.
 */
export class StripePaymentProvider implements PaymentProvider {
  readonly payments: StripePayments;
  private readonly intents = new Map<string, string>();

  constructor(options: StripeProviderOptions) {
    this.payments = new StripePayments(createStripeClient(options), options.webhookSecret);
  }

  acceptsToken(token: string): boolean {
    return /^pm_[A-Za-z0-9_]{1,200}$/.test(token);
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const orderId = request.idempotencyKey;
    const state = await this.payments.pay({
      orderId,
      amount: request.amountCents,
      currency: request.currency,
      paymentMethod: request.token,
      signal: request.signal,
      onIntent: async (intentId) => {
        this.remember(orderId, intentId);
        await request.onReference?.(intentId);
      },
    });
    return resultOf(state);
  }

  /** The succeeded intent of this order; throws while one is still processing. */
  async findCharge(orderId: string): Promise<{ reference: string } | null> {
    const state = await this.payments.find(orderId, this.intents.get(orderId));
    if (state?.status === 'processing') throw new PaymentNotSettled('payment intent is processing');
    return state?.status === 'succeeded' ? { reference: state.intentId } : null;
  }

  /** Refunds the whole payment (reference: the PaymentIntent id); twice is harmless. */
  async refund(reference: string): Promise<void> {
    await this.payments.refund({ intentId: reference });
  }

  async lookup(orderId: string, reference: string): Promise<PaymentLookup | null> {
    const state = await this.payments.find(orderId, reference);
    return state ? lookupOf(state, reference) : null;
  }

  /** The second confirmation, once the buyer has authenticated (its own idempotency key). */
  async confirm(orderId: string, reference: string): Promise<ChargeResult> {
    return resultOf(await this.payments.confirm(orderId, reference, 2));
  }

  async cancel(orderId: string, reference: string): Promise<PaymentLookup> {
    return lookupOf(await this.payments.cancel(reference, orderId), reference);
  }

  parseWebhook(payload: Buffer, signature: string): PaymentEvent {
    return eventOf(this.payments.parseWebhook(payload, signature));
  }

  private remember(orderId: string, intentId: string) {
    this.intents.set(orderId, intentId);
    if (this.intents.size > REMEMBERED) this.intents.delete(this.intents.keys().next().value!);
  }
}

function resultOf(state: IntentState): ChargeResult {
  switch (state.status) {
    case 'succeeded':
      return { ok: true, reference: state.intentId };
    case 'declined':
    case 'canceled':
      // Definite: a canceled intent can never be charged.
      return { ok: false, reason: 'DECLINED' };
    case 'requires_action':
      return {
        ok: false,
        reason: 'ACTION_REQUIRED',
        action: { reference: state.intentId, clientSecret: state.clientSecret, nextAction: state.nextAction },
      };
    default:
      // processing (or awaiting confirmation after ours): not definite, asked again later.
      throw new PaymentNotSettled(`payment intent is ${state.status}`);
  }
}

function lookupOf(state: IntentState, reference: string): PaymentLookup {
  const id = state.intentId ?? reference;
  switch (state.status) {
    case 'succeeded':
    case 'processing':
    case 'canceled':
      return { status: state.status, reference: id };
    case 'requires_action':
      return {
        status: 'action_required',
        reference: id,
        action: { reference: id, clientSecret: state.clientSecret, nextAction: state.nextAction },
      };
    case 'requires_confirmation':
      return { status: 'ready', reference: id };
    case 'declined':
      return { status: 'failed', reference: id };
  }
}

const idOf = (value: string | { id: string } | null | undefined) =>
  typeof value === 'string' ? value : value?.id;

/** PaymentIntent events that may call for the saga (created, partially funded... do not). */
const INTENT_EVENTS = new Set([
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'payment_intent.canceled',
  'payment_intent.requires_action',
  'payment_intent.processing',
]);

/** The events the saga acts on; only their ids are trusted, states are read from Stripe. */
function eventOf(event: Stripe.Event): PaymentEvent {
  if (INTENT_EVENTS.has(event.type)) {
    const intent = event.data.object as Stripe.PaymentIntent;
    return { id: event.id, kind: 'payment', reference: intent.id, orderId: intent.metadata?.orderId };
  }
  if (event.type === 'charge.refunded') {
    const charge = event.data.object as Stripe.Charge;
    const reference = idOf(charge.payment_intent);
    if (reference)
      return {
        id: event.id,
        kind: 'refunded',
        reference,
        orderId: charge.metadata?.orderId,
        amount: charge.amount_refunded,
        currency: charge.currency,
        detail: charge.refunded ? 'full' : 'partial',
      };
  }
  if (event.type === 'charge.dispute.created') {
    const dispute = event.data.object as Stripe.Dispute;
    const reference = idOf(dispute.payment_intent);
    if (reference)
      return {
        id: event.id,
        kind: 'disputed',
        reference,
        amount: dispute.amount,
        currency: dispute.currency,
        detail: dispute.reason,
      };
  }
  return { id: event.id, kind: 'ignored', type: event.type };
}
