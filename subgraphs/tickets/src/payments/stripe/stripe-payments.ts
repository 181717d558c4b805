import type Stripe from 'stripe';
import { toMinorUnits } from './minor-units.js';

/** Where a PaymentIntent stands, in the terms the checkout needs. */
export type IntentState =
  | { status: 'succeeded'; intentId: string }
  /** The buyer must act (3-D Secure): the client finishes it with the client secret. */
  | { status: 'requires_action'; intentId: string; clientSecret: string; nextAction: string }
  /** Manual confirmation: the buyer authenticated, only we can confirm (and so charge). */
  | { status: 'requires_confirmation'; intentId: string }
  | { status: 'declined'; intentId: string | null; reason: string }
  | { status: 'processing'; intentId: string }
  | { status: 'canceled'; intentId: string };

export interface PayRequest {
  orderId: string;
  /** ISO 4217 minor units of `currency`, as we store amounts (see minor-units.ts). */
  amount: number;
  currency: string;
  /** A PaymentMethod id from Stripe.js (pm_...). */
  paymentMethod: string;
  /** Checked between creating and confirming: a caller that gave up is never charged. */
  signal?: AbortSignal;
}

export interface RefundRequest {
  intentId: string;
  /** Recorded in the refund's metadata and part of the default key. */
  orderId?: string;
  /** Part of the payment, in our minor units of `currency`; unset: whatever is left of it. */
  amount?: { value: number; currency: string };
  /** Dedupes the refund at Stripe; default: the order (or intent) and the amount (refundKey). */
  key?: string;
}

/** Thrown when a step's outcome is not definite: the order stays UNKNOWN until recovery asks. */
export class PaymentNotSettled extends Error {
  readonly code = 'PAYMENT_NOT_SETTLED';
}

/**
 * PaymentIntents for orders: one intent per order (the order id is its idempotency key and its
 * `metadata.orderId`), card only, manual confirmation with automatic capture, so money moves
 * only when we confirm and never while the buyer is still authenticating.
 */
export class StripePayments {
  constructor(
    private readonly stripe: Stripe,
    private readonly webhookSecret?: string,
  ) {}

  /** Creates the order's intent (or gets it back: same key, same params) and confirms it. */
  async pay(request: PayRequest): Promise<IntentState> {
    const intent = await this.stripe.paymentIntents.create(
      {
        amount: toMinorUnits(request.amount, request.currency),
        currency: request.currency.toLowerCase(),
        payment_method: request.paymentMethod,
        allowed_payment_method_types: ['card'],
        confirmation_method: 'manual',
        capture_method: 'automatic',
        metadata: { orderId: request.orderId },
      },
      { idempotencyKey: request.orderId },
    );
    if (intent.status !== 'requires_confirmation') return stateOf(intent);
    if (request.signal?.aborted) {
      await this.cancel(intent.id, request.orderId);
      throw new PaymentNotSettled('the caller gave up before the payment was confirmed');
    }
    return this.confirm(request.orderId, intent.id);
  }

  /**
   * Confirms the intent (attempt 1 at checkout; phase 2 confirms again, attempt 2, once the
   * buyer authenticated). Each attempt has its own key: a replay returns that attempt's answer.
   */
  async confirm(orderId: string, intentId: string, attempt = 1): Promise<IntentState> {
    try {
      const intent = await this.stripe.paymentIntents.confirm(
        intentId,
        {},
        { idempotencyKey: `${orderId}:confirm:${attempt}` },
      );
      return stateOf(intent);
    } catch (error) {
      const declined = declineOf(error, intentId);
      if (declined) return declined;
      throw error;
    }
  }

  /**
   * The order's intent: by id when we know it (strongly consistent), else by Stripe's search on
   * metadata.orderId, which is eventually consistent (Stripe documents a lag of usually under a
   * minute): phase 2 stores the intent id on the order so recovery never depends on search.
   */
  async find(orderId: string, intentId?: string): Promise<IntentState | null> {
    if (intentId) return stateOf(await this.stripe.paymentIntents.retrieve(intentId));
    const found = await this.stripe.paymentIntents.search({
      query: `metadata['orderId']:'${orderId.replace(/['\\]/g, '\\$&')}'`,
      limit: 10,
    });
    const states = found.data.filter((i) => i.metadata.orderId === orderId).map(stateOf);
    // One intent per order while the idempotency key lives (24 h); a later duplicate is unlikely
    // but the paid one is what matters.
    return (
      states.find((s) => s.status === 'succeeded') ??
      states.find((s) => s.status === 'processing') ??
      states[0] ??
      null
    );
  }

  /** Cancels an unpaid intent; one already canceled is fine. */
  async cancel(intentId: string, orderId: string): Promise<IntentState> {
    try {
      return stateOf(
        await this.stripe.paymentIntents.cancel(intentId, {}, { idempotencyKey: `${orderId}:cancel` }),
      );
    } catch (error) {
      if (codeOf(error) !== 'payment_intent_unexpected_state') throw error;
      return stateOf(await this.stripe.paymentIntents.retrieve(intentId));
    }
  }

  /**
   * Refunds all or part of the order's payment, idempotent per key. A full refund of a payment
   * already refunded in full is a success (refunding twice is harmless).
   */
  async refund(request: RefundRequest): Promise<{ refundId: string | null }> {
    const { intentId, orderId, amount } = request;
    try {
      const refund = await this.stripe.refunds.create(
        {
          payment_intent: intentId,
          ...(amount ? { amount: toMinorUnits(amount.value, amount.currency) } : {}),
          ...(orderId ? { metadata: { orderId } } : {}),
        },
        { idempotencyKey: request.key ?? refundKey(orderId ?? intentId, amount?.value) },
      );
      return { refundId: refund.id };
    } catch (error) {
      if (request.amount === undefined && codeOf(error) === 'charge_already_refunded')
        return { refundId: null };
      throw error;
    }
  }

  /**
   * A webhook delivery, verified with the endpoint's signing secret (`Stripe-Signature`, at
   * most `toleranceSeconds` old); throws StripeSignatureVerificationError otherwise. `payload`
   * must be the raw body, byte for byte.
   */
  parseWebhook(payload: string | Buffer, signature: string, toleranceSeconds?: number): Stripe.Event {
    if (!this.webhookSecret) throw new Error('no webhook signing secret configured');
    return this.stripe.webhooks.constructEvent(payload, signature, this.webhookSecret, toleranceSeconds);
  }
}

/**
 * Per order and amount: retrying the same refund never refunds twice. Two partial refunds of
 * the same amount for one order need distinct keys (phase 2 passes the refund's own id).
 */
export const refundKey = (owner: string, amount?: number) => `${owner}:refund:${amount ?? 'full'}`;

export function stateOf(intent: Stripe.PaymentIntent): IntentState {
  const intentId = intent.id;
  switch (intent.status) {
    case 'succeeded':
      return { status: 'succeeded', intentId };
    case 'requires_action':
      return {
        status: 'requires_action',
        intentId,
        clientSecret: intent.client_secret ?? '',
        nextAction: intent.next_action?.type ?? 'unknown',
      };
    case 'requires_confirmation':
      return { status: 'requires_confirmation', intentId };
    case 'requires_payment_method': {
      // We always create with a payment method: this is a failed attempt.
      const error = intent.last_payment_error;
      return { status: 'declined', intentId, reason: error?.decline_code ?? error?.code ?? 'declined' };
    }
    case 'canceled':
      return { status: 'canceled', intentId };
    default:
      // processing, requires_capture (never with automatic capture) or a status newer than us.
      return { status: 'processing', intentId };
  }
}

/** A card error (HTTP 402) is an answer: the card was declined, nothing was charged. */
function declineOf(error: unknown, intentId: string): IntentState | undefined {
  const e = error as { type?: string; rawType?: string; code?: string; decline_code?: string };
  if (e?.type !== 'StripeCardError' && e?.rawType !== 'card_error') return undefined;
  return { status: 'declined', intentId, reason: e.decline_code ?? e.code ?? 'card_declined' };
}

const codeOf = (error: unknown) => (error as { code?: string } | undefined)?.code;
