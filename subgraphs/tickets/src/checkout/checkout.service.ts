import { Inject, Injectable } from '@nestjs/common';
import { badInput, conflict, forbidden, isId, notFound } from '@marquee/subgraph-kit';
import { requireUser } from '../access.js';
import type { TicketsContext } from '../context.js';
import type { TicketsDatabase } from '../db/database.js';
import type { TicketsEnv } from '../env.js';
import { checkKey, replay, requestHash } from '../idempotency.js';
import { OrdersRepository, type OrderRow } from '../orders/orders.repository.js';
import { PaymentGateway, type ChargeOutcome } from '../payments/payment-gateway.js';
import { ReservationsRepository } from '../reservations/reservations.repository.js';
import { reportedStatus } from '../reservations/reservations.service.js';
import { CONFIG, DB } from '../tokens.js';
import { CheckoutSaga } from './checkout-saga.js';
import { CheckoutRepository } from './checkout.repository.js';
import { conflictReason, TicketsMetrics } from '../metrics.js';

/** Why an order FAILED; replaying its key gives the same CONFLICT again. */
const FAILURES: Record<string, string> = {
  PAYMENT_DECLINED: 'The payment was declined; nothing was charged',
  PAYMENT_TIMEOUT: 'The payment provider did not answer in time; any charge it makes is given back',
  PAYMENT_UNAVAILABLE: 'Payments are unavailable right now; try again shortly',
  CHECKOUT_INTERRUPTED: 'The checkout was interrupted before the payment went through; nothing was charged',
  HOLD_EXPIRED: 'The hold expired before the payment completed; the charge was refunded',
  RESERVATION_RELEASED: 'The reservation is no longer held; the charge was refunded',
  EVENT_CANCELLED: 'The event was cancelled; the charge was refunded',
};
export const checkoutFailure = (reason: string) =>
  conflict(FAILURES[reason] ?? 'The checkout failed', { reason });
const PAYMENT_FAILURE: Record<Exclude<ChargeOutcome['kind'], 'charged'>, string> = {
  declined: 'PAYMENT_DECLINED',
  timeout: 'PAYMENT_TIMEOUT',
  failed: 'PAYMENT_UNAVAILABLE',
  unavailable: 'PAYMENT_UNAVAILABLE',
};

/**
 * checkout: the PENDING order is committed before any money moves (one statement that also
 * checks the reservation is the caller's and HELD); the charge happens outside any
 * transaction, idempotent by order id; then CheckoutSaga turns the hold into a sale or gives
 * the charge back. A payment that fails leaves the hold in place: the buyer can retry with a
 * new key until it expires. Orders a crash leaves behind are finished by CheckoutRecovery.
 */
@Injectable()
export class CheckoutService {
  constructor(
    private readonly repository: CheckoutRepository,
    private readonly saga: CheckoutSaga,
    private readonly orders: OrdersRepository,
    private readonly reservations: ReservationsRepository,
    private readonly payments: PaymentGateway,
    @Inject(DB) private readonly database: TicketsDatabase,
    @Inject(CONFIG) private readonly env: TicketsEnv,
    private readonly metrics: TicketsMetrics,
  ) {}

  async checkout(ctx: TicketsContext, reservationId: string, token: string, key: string): Promise<OrderRow> {
    try {
      return await this.attempt(ctx, reservationId, token, key);
    } catch (error) {
      const reason = conflictReason(error);
      if (reason) this.metrics.checkoutFailed(reason);
      throw error;
    }
  }

  private async attempt(ctx: TicketsContext, reservationId: string, token: string, key: string) {
    const user = requireUser(ctx.caller);
    if (!isId(reservationId)) throw notFound('Reservation');
    checkKey(key);
    if (!this.payments.acceptsToken(token)) throw badInput('Unknown payment token', 'paymentToken');
    const hash = requestHash({ reservationId, token });
    const order = await this.repository.openOrder({
      userId: user.id,
      reservationId,
      idempotencyKey: key,
      requestHash: hash,
    });
    if (!order) return this.refused(user.id, reservationId, key, hash);
    return this.pay(ctx, order, token);
  }

  /** Nothing was written: a replay of this key, or the reason the reservation cannot be paid. */
  private async refused(userId: string, reservationId: string, key: string, hash: string) {
    const earlier = await this.orders.findByKey(userId, key);
    if (earlier) return this.replayed(earlier, hash);
    const reservation = await this.reservations.findById(reservationId);
    if (!reservation) throw notFound('Reservation');
    if (reservation.userId !== userId) throw forbidden('Only the owner can pay for a reservation');
    const status = reportedStatus(reservation);
    if (status === 'EXPIRED') throw checkoutFailure('HOLD_EXPIRED');
    if (status !== 'HELD')
      throw conflict(`The reservation is ${status}`, { reason: `RESERVATION_${status}` });
    throw conflict('This reservation is already being paid for', { reason: 'CHECKOUT_IN_PROGRESS' });
  }

  private async pay(ctx: TicketsContext, order: OrderRow, token: string): Promise<OrderRow> {
    const outcome = await this.payments.charge({
      amountCents: order.totalCents,
      currency: order.currency,
      token,
      idempotencyKey: order.id,
    });
    if (outcome.kind !== 'charged') {
      const reason = PAYMENT_FAILURE[outcome.kind];
      // After a timeout or a provider error a charge may exist: recovery will ask and refund it.
      const state = outcome.kind === 'timeout' || outcome.kind === 'failed' ? 'UNKNOWN' : 'NONE';
      await this.repository.fail(this.database.db, order.id, reason, { state });
      throw checkoutFailure(reason);
    }
    const result = await this.saga.complete(order.id, outcome.reference);
    if ('failed' in result) throw checkoutFailure(result.failed);
    // The response usually asks for the tickets: they are at hand, no need to read them back.
    if (result.tickets) ctx.loaders.ticketsByOrder.prime(order.id, result.tickets);
    return result.order;
  }

  /** The order an earlier call with this key made; waits (bounded) while it is still paying. */
  private async replayed(order: OrderRow, hash: string): Promise<OrderRow> {
    replay(order, hash);
    let current = order;
    const deadline = Date.now() + this.env.PAYMENT_TIMEOUT_MS + 2_000;
    while (current.status === 'PENDING' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      current = (await this.orders.findById(order.id)) ?? current;
    }
    if (current.status === 'FAILED') throw checkoutFailure(current.failureReason ?? 'UNKNOWN');
    return current;
  }
}
