import { Inject, Injectable } from '@nestjs/common';
import type { TicketsDatabase } from '../db/database.js';
import { inTransaction, retryingDeadlocks } from '../db/transaction.js';
import { InventoryRepository } from '../inventory/inventory.repository.js';
import { OrdersRepository, type OrderRow, type TicketRow } from '../orders/orders.repository.js';
import { PaymentGateway } from '../payments/payment-gateway.js';
import { RefundPayments } from '../payments/refund-payments.js';
import { DB, OUTBOX_KICK, type OutboxKick } from '../tokens.js';
import { CheckoutRepository, type CompletionFacts } from './checkout.repository.js';
import { TicketsMetrics } from '../metrics.js';
import { SaleRepository } from './sale.repository.js';

export type Completion = { order: OrderRow; tickets?: TicketRow[] } | { failed: string };

/** Why a locked, PENDING order cannot become a sale; undefined when it can. */
function blocker(facts: CompletionFacts): string | undefined {
  if (facts.reservationStatus !== 'HELD')
    return facts.reservationStatus === 'EXPIRED' ? 'HOLD_EXPIRED' : 'RESERVATION_RELEASED';
  if (facts.eventStatus === 'CANCELLED') return 'EVENT_CANCELLED';
  if (facts.expired) return 'HOLD_EXPIRED';
  return undefined;
}

/**
 * The checkout saga after the PENDING order exists. Its state lives on the order: status
 * (PENDING, CONFIRMED, FAILED, REFUNDED) and paymentState (NONE, UNKNOWN, CHARGED, REFUNDED).
 * Every step reads that state under a row lock and only moves it forward, so the request
 * that started the checkout, a recovery run after a crash, and a "zombie" request that wakes
 * up late can all call these methods: each charge ends as a sale or is given back, once.
 */
@Injectable()
export class CheckoutSaga {
  constructor(
    private readonly repository: CheckoutRepository,
    private readonly sales: SaleRepository,
    private readonly orders: OrdersRepository,
    private readonly inventory: InventoryRepository,
    private readonly payments: PaymentGateway,
    private readonly refunds: RefundPayments,
    @Inject(DB) private readonly database: TicketsDatabase,
    @Inject(OUTBOX_KICK) private readonly outbox: OutboxKick,
    private readonly metrics: TicketsMetrics,
  ) {}

  /**
   * A charge was made for the order: the sale (one statement), or, when the order cannot be
   * sold, FAILED with the hold released as needed and the money given back.
   */
  async complete(orderId: string, reference: string): Promise<Completion> {
    const sale = await retryingDeadlocks(() => this.sales.sell(orderId, reference));
    if (sale) {
      this.metrics.sold(sale.tickets.length);
      this.outbox.kick();
      return sale;
    }
    // Not sold, nothing written: find out why under the same locks, and undo what must be.
    let expired = 0;
    const result = await inTransaction(this.database.db, async (tx): Promise<Completion> => {
      expired = 0; // a retried transaction starts over
      const facts = await this.repository.lockForCompletion(tx, orderId);
      if (!facts) throw new Error(`order ${orderId} does not exist`);
      const { order } = facts;
      if (order.status === 'CONFIRMED') return { order }; // finished by someone else
      if (order.status !== 'PENDING') {
        // Given up on (e.g. by recovery) before this charge surfaced: it goes back.
        await this.repository.recordCharge(tx, order.id, reference);
        return { failed: order.failureReason ?? 'CHECKOUT_FAILED' };
      }
      // States only move forward, so what stopped the sale still holds; if not, the order
      // stays PENDING with its charge and recovery sells it later.
      const reason = blocker(facts);
      if (!reason) throw new Error(`order ${orderId} was not sold but looks sellable`);
      if (facts.reservationStatus === 'HELD') {
        const hold = { id: order.reservationId, eventId: order.eventId, items: facts.items };
        const outcome = reason === 'EVENT_CANCELLED' ? 'RELEASED' : 'EXPIRED';
        await this.inventory.releaseHolds(tx, [hold], { kind: outcome, status: outcome });
        if (outcome === 'EXPIRED') expired = 1;
      }
      await this.repository.fail(tx, order.id, reason, { state: 'CHARGED', reference });
      return { failed: reason };
    });
    this.metrics.expired(expired);
    this.outbox.kick();
    if ('failed' in result) await this.compensate(orderId);
    return result;
  }

  /** Gives the money back if the order holds a charge it should not (FAILED or REFUNDED). */
  async compensate(orderId: string): Promise<void> {
    const order = await this.orders.findById(orderId);
    if (order?.paymentState === 'CHARGED' && order.status !== 'CONFIRMED')
      await this.refunds.refund(order.id, order.paymentReference);
  }

  /**
   * Finishes an order a crash or an outage left half-way (see CheckoutRecovery): asks the
   * provider whether money moved, then goes forward (sale) or back (FAILED, refund).
   */
  async recover(order: OrderRow): Promise<'confirmed' | 'failed' | 'settled'> {
    if (order.status === 'PENDING' && order.paymentState === 'CHARGED' && order.paymentReference) {
      return this.recovered(await this.complete(order.id, order.paymentReference));
    }
    if (order.paymentState === 'CHARGED') {
      await this.compensate(order.id);
      return 'settled';
    }
    const charge = await this.payments.findCharge(order.id);
    if (order.status === 'PENDING') {
      if (charge) return this.recovered(await this.complete(order.id, charge.reference));
      // Interrupted before any charge: nothing to give back, and the hold stays until it expires.
      await this.repository.fail(this.database.db, order.id, 'CHECKOUT_INTERRUPTED', { state: 'NONE' });
      this.metrics.checkoutFailed('CHECKOUT_INTERRUPTED');
      return 'failed';
    }
    // FAILED with an UNKNOWN outcome (timeout, provider error): a late charge goes back.
    if (charge) {
      await this.repository.recordCharge(this.database.db, order.id, charge.reference);
      await this.compensate(order.id);
    } else {
      await this.repository.recordNoCharge(order.id);
    }
    return 'settled';
  }

  private recovered(completion: Completion): 'confirmed' | 'failed' {
    if ('order' in completion) return 'confirmed';
    this.metrics.checkoutFailed(completion.failed);
    return 'failed';
  }
}
