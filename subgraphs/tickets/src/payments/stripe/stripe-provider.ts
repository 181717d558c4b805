import type { ChargeRequest, ChargeResult, PaymentProvider } from '../payment-provider.js';
import { createStripeClient, type StripeClientOptions } from './stripe-client.js';
import { PaymentNotSettled, StripePayments } from './stripe-payments.js';

export interface StripeProviderOptions extends StripeClientOptions {
  webhookSecret?: string;
}

/** Intent ids this process created, by order: found by id, not by the slower search. */
const REMEMBERED = 10_000;

/**
 * Stripe behind the synchronous PaymentProvider port. The payment token is a PaymentMethod id
 * (pm_..., from Stripe.js); the charge reference is the PaymentIntent id.
 *
 * Phase 1 mapping of an intent that needs the buyer (3-D Secure): the intent is canceled and the
 * charge answered as a decline. That is definite: with manual confirmation only we can confirm,
 * so nothing is charged even if the cancel did not get through, and no order is confirmed.
 * Phase 2 replaces it with a PENDING order carrying the client secret and next action.
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
    });
    if (state.intentId) this.remember(orderId, state.intentId);
    switch (state.status) {
      case 'succeeded':
        return { ok: true, reference: state.intentId };
      case 'declined':
        return { ok: false, reason: 'DECLINED' };
      case 'requires_action':
        await this.payments.cancel(state.intentId, orderId).catch(() => undefined);
        return { ok: false, reason: 'DECLINED' };
      default:
        // processing (or canceled under us): not definite, recovery asks again later.
        throw new PaymentNotSettled(`payment intent is ${state.status}`);
    }
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

  private remember(orderId: string, intentId: string) {
    this.intents.set(orderId, intentId);
    if (this.intents.size > REMEMBERED) this.intents.delete(this.intents.keys().next().value!);
  }
}
