import { Inject, Injectable } from '@nestjs/common';
import type { TicketsDatabase } from '../db/database.js';
import type { OrderRow } from '../orders/orders.repository.js';
import { PaymentGateway, type ChargeOutcome } from '../payments/payment-gateway.js';
import type { PaymentLookup } from '../payments/payment-provider.js';
import { TicketsMetrics } from '../metrics.js';
import { DB } from '../tokens.js';
import { blocker, CheckoutSaga, type Completion } from './checkout-saga.js';
import { CheckoutRepository } from './checkout.repository.js';

/** What settling did: sold, failed, money put where the status says, or still waiting (buyer, provider). */
export type SettleOutcome = 'confirmed' | 'failed' | 'settled' | 'waiting';

/**
 * Payments that outlive the checkout call (the buyer authenticates in their bank's app): the
 * order stays PENDING with the payment's id, and whoever hears of it next (a webhook, a
 * replayed checkout, recovery) calls `settle`, which reads the payment's state from the
 * provider (never from an event, which can be old or out of order) and moves the order on:
 * - succeeded: the sale, exactly as a synchronous charge makes it (or, when the order can no
 *   longer be sold, FAILED and the money given back);
 * - ready (the buyer authenticated): confirmed by us, only while the hold is live;
 * - declined or canceled: FAILED, nothing charged, the hold kept for another try;
 * - still with the buyer past the hold's deadline (or the event cancelled): the payment is
 *   canceled first (so it can never be charged), then the order FAILED and the seats released.
 * Every step is safe to run twice or side by side: the sale and the failures are conditional
 * on PENDING under row locks, and the provider dedupes confirms and cancels per order.
 */
@Injectable()
export class PaymentSettlement {
  constructor(
    private readonly saga: CheckoutSaga,
    private readonly repository: CheckoutRepository,
    private readonly payments: PaymentGateway,
    @Inject(DB) private readonly database: TicketsDatabase,
    private readonly metrics: TicketsMetrics,
  ) {}

  /** Whether this order's payment is one to settle here (its id is known, the provider can be asked). */
  handles(order: OrderRow): boolean {
    return Boolean(order.paymentIntentId) && this.payments.settlesLater && order.paymentState !== 'CHARGED';
  }

  /**
   * Throws when the provider cannot be asked (the order stays as it is; try again later). A
   * payment ready to confirm is confirmed when the buyer was asked to act, or by recovery (the
   * checkout that created it is gone); otherwise that checkout is still confirming it.
   */
  async settle(order: OrderRow, options: { recovering?: boolean } = {}): Promise<SettleOutcome> {
    if (!order.paymentIntentId) throw new Error(`order ${order.id} has no payment to settle`);
    const state = await this.payments.lookup(order.id, order.paymentIntentId);
    const confirm = Boolean(options.recovering || order.paymentClientSecret);
    return this.apply(order, state, confirm);
  }

  private async apply(
    order: OrderRow,
    state: PaymentLookup | null,
    confirm: boolean,
  ): Promise<SettleOutcome> {
    if (!state) return this.nothingCharged(order, 'CHECKOUT_INTERRUPTED');
    switch (state.status) {
      case 'succeeded':
        return this.paid(order, state.reference);
      case 'processing':
        return 'waiting';
      case 'failed':
        return this.nothingCharged(order, 'PAYMENT_DECLINED');
      case 'canceled':
        return this.nothingCharged(order, 'PAYMENT_CANCELED');
      case 'action_required':
      case 'ready': {
        if (order.status !== 'PENDING') return this.drop(order, state.reference, undefined);
        const facts = await this.repository.saleFacts(order.id);
        const reason = facts && blocker(facts);
        if (reason) return this.drop(order, state.reference, reason);
        if (state.status === 'action_required' || !confirm) return 'waiting';
        // One confirmation per call: what it answers is applied as it is.
        const outcome = await this.payments.confirm(order.id, state.reference);
        return this.apply(order, lookupOf(outcome, state.reference), false);
      }
    }
  }

  /** Money moved: the sale, or (the order given up, or unsellable now) the money back. */
  private async paid(order: OrderRow, reference: string): Promise<SettleOutcome> {
    if (order.status === 'CONFIRMED') return 'settled';
    if (order.status === 'PENDING') return this.completed(await this.saga.complete(order.id, reference));
    // A late success for an order already FAILED: record the charge, then give it back.
    await this.repository.recordCharge(this.database.db, order.id, reference);
    await this.saga.compensate(order.id);
    return 'settled';
  }

  /** Nothing was or will be charged: a PENDING order FAILED (the hold stays), an UNKNOWN outcome NONE. */
  private async nothingCharged(order: OrderRow, reason: string): Promise<SettleOutcome> {
    if (order.status !== 'PENDING') {
      await this.repository.recordNoCharge(order.id);
      return 'settled';
    }
    await this.repository.fail(this.database.db, order.id, reason, { state: 'NONE' });
    this.metrics.checkoutFailed(reason);
    return 'failed';
  }

  /**
   * The payment must not go through (the hold ran out, the event was cancelled, the order was
   * given up): canceled at the provider first, so nobody can confirm it any more; if it was paid
   * meanwhile, that is a late success (sold if still possible, else refunded).
   */
  private async drop(order: OrderRow, reference: string, reason: string | undefined): Promise<SettleOutcome> {
    const after = await this.payments.cancel(order.id, reference);
    if (after.status === 'succeeded') return this.paid(order, after.reference);
    if (after.status === 'processing') return 'waiting';
    if (order.status !== 'PENDING') return this.nothingCharged(order, reason ?? 'PAYMENT_CANCELED');
    const closed = await this.saga.closeUnsold(order.id, { state: 'NONE' });
    if (closed) return this.completed(closed);
    return this.nothingCharged(order, reason ?? 'PAYMENT_CANCELED');
  }

  private completed(completion: Completion): SettleOutcome {
    if ('order' in completion) return 'confirmed';
    this.metrics.checkoutFailed(completion.failed);
    return 'failed';
  }
}

/** A confirmation's answer as a payment state; timeouts and errors were thrown by the gateway. */
function lookupOf(outcome: ChargeOutcome, reference: string): PaymentLookup {
  switch (outcome.kind) {
    case 'charged':
      return { status: 'succeeded', reference: outcome.reference };
    case 'action':
      return { status: 'action_required', reference, action: outcome.action };
    case 'declined':
      return { status: 'failed', reference };
    default:
      return { status: 'processing', reference };
  }
}
