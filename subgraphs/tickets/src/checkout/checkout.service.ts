import { Inject, Injectable } from '@nestjs/common';
import { badInput, conflict, forbidden, isId, notFound } from '@marquee/subgraph-kit';
import { requireUser } from '../access.js';
import type { TicketsContext } from '../context.js';
import type { TicketsDatabase, TicketsTx } from '../db/database.js';
import { inTransaction } from '../db/transaction.js';
import type { TicketsEnv } from '../env.js';
import { EventDirectoryRepository } from '../event-directory/event-directory.repository.js';
import { checkKey, replay, requestHash } from '../idempotency.js';
import { InventoryRepository } from '../inventory/inventory.repository.js';
import { OrdersRepository, type OrderRow } from '../orders/orders.repository.js';
import { PaymentGateway, type ChargeOutcome } from '../payments/payment-gateway.js';
import { RefundPayments } from '../payments/refund-payments.js';
import { ReservationsRepository } from '../reservations/reservations.repository.js';
import { reportedStatus } from '../reservations/reservations.service.js';
import { CONFIG, DB, OUTBOX_KICK, type OutboxKick } from '../tokens.js';
import { CheckoutRepository } from './checkout.repository.js';

/** Why an order FAILED; replaying its key gives the same CONFLICT again. */
const FAILURES: Record<string, string> = {
  PAYMENT_DECLINED: 'The payment was declined',
  PAYMENT_TIMEOUT: 'The payment provider did not answer in time; nothing was charged',
  PAYMENT_UNAVAILABLE: 'Payments are unavailable right now; try again shortly',
  HOLD_EXPIRED: 'The hold expired before the payment completed; the charge was refunded',
  RESERVATION_RELEASED: 'The reservation is no longer held; the charge was refunded',
  EVENT_CANCELLED: 'The event was cancelled; the charge was refunded',
};
const failure = (reason: string) => conflict(FAILURES[reason] ?? 'The checkout failed', { reason });
const PAYMENT_FAILURE: Record<Exclude<ChargeOutcome['kind'], 'charged'>, string> = {
  declined: 'PAYMENT_DECLINED',
  timeout: 'PAYMENT_TIMEOUT',
  unavailable: 'PAYMENT_UNAVAILABLE',
};

/**
 * checkout as a small persisted saga: the order is PENDING (committed) before any money
 * moves; the charge happens outside any transaction; then one transaction turns the hold into
 * a sale, or the charge is compensated. Each step is recorded on the order (status and
 * paymentState), so a recovery job can finish whatever a crash interrupted.
 */
@Injectable()
export class CheckoutService {
  constructor(
    private readonly repository: CheckoutRepository,
    private readonly orders: OrdersRepository,
    private readonly reservations: ReservationsRepository,
    private readonly directory: EventDirectoryRepository,
    private readonly inventory: InventoryRepository,
    private readonly payments: PaymentGateway,
    private readonly refunds: RefundPayments,
    @Inject(DB) private readonly database: TicketsDatabase,
    @Inject(CONFIG) private readonly env: TicketsEnv,
    @Inject(OUTBOX_KICK) private readonly outbox: OutboxKick,
  ) {}

  async checkout(ctx: TicketsContext, reservationId: string, token: string, key: string): Promise<OrderRow> {
    const user = requireUser(ctx.caller);
    if (!isId(reservationId)) throw notFound('Reservation');
    checkKey(key);
    if (!this.payments.acceptsToken(token)) throw badInput('Unknown payment token', 'paymentToken');
    const hash = requestHash({ reservationId, token });
    const earlier = await this.orders.findByKey(user.id, key);
    if (earlier) return this.replayed(earlier, hash);

    const reservation = await this.reservations.findById(reservationId);
    if (!reservation) throw notFound('Reservation');
    if (reservation.userId !== user.id) throw forbidden('Only the owner can pay for a reservation');
    const status = reportedStatus(reservation);
    if (status === 'EXPIRED') throw failure('HOLD_EXPIRED');
    if (status !== 'HELD')
      throw conflict(`The reservation is ${status}`, { reason: `RESERVATION_${status}` });

    const order = await this.repository.insertPending({
      userId: user.id,
      eventId: reservation.eventId,
      reservationId,
      totalCents: reservation.totalCents,
      currency: reservation.currency,
      idempotencyKey: key,
      requestHash: hash,
    });
    if (!order) {
      const racing = await this.orders.findByKey(user.id, key);
      if (racing) return this.replayed(racing, hash);
      throw conflict('This reservation is already being paid for', { reason: 'CHECKOUT_IN_PROGRESS' });
    }
    return this.pay(order, token);
  }

  private async pay(order: OrderRow, token: string): Promise<OrderRow> {
    const outcome = await this.payments.charge({
      amountCents: order.totalCents,
      currency: order.currency,
      token,
      idempotencyKey: order.id,
    });
    if (outcome.kind !== 'charged') {
      const reason = PAYMENT_FAILURE[outcome.kind];
      await this.repository.fail(this.database.db, order.id, reason);
      throw failure(reason);
    }
    await this.repository.markCharged(order.id, outcome.reference);
    const result = await inTransaction(this.database.db, (tx) => this.complete(tx, order));
    this.outbox.kick();
    if ('confirmed' in result) return result.confirmed;
    await this.refunds.refund(order.id, outcome.reference);
    throw failure(result.failed);
  }

  /** Hold -> sale, in one transaction; or the reason it cannot be (then the order is FAILED). */
  private async complete(
    tx: TicketsTx,
    order: OrderRow,
  ): Promise<{ confirmed: OrderRow } | { failed: string }> {
    const reservation = (await this.reservations.lock(tx, order.reservationId))!;
    const entry = await this.directory.lockShared(tx, order.eventId);
    const items = await this.reservations.itemsOf([reservation.id], tx);
    const hold = { id: reservation.id, eventId: reservation.eventId, items };
    let reason: string | undefined;
    if (reservation.status !== 'HELD') {
      reason = reservation.status === 'EXPIRED' ? 'HOLD_EXPIRED' : 'RESERVATION_RELEASED';
    } else if (entry?.status === 'CANCELLED') {
      reason = 'EVENT_CANCELLED';
      await this.inventory.releaseHolds(tx, [hold], { kind: 'RELEASED', status: 'RELEASED' });
    } else if (reservation.expired) {
      reason = 'HOLD_EXPIRED';
      await this.inventory.releaseHolds(tx, [hold], { kind: 'EXPIRED', status: 'EXPIRED' });
    }
    const confirmed = reason ? undefined : await this.repository.confirm(tx, order.id);
    if (!confirmed) {
      await this.repository.fail(tx, order.id, reason ?? 'RESERVATION_RELEASED');
      return { failed: reason ?? 'RESERVATION_RELEASED' };
    }
    await this.inventory.lockTiers(
      tx,
      items.map((i) => i.tierId),
    );
    await this.inventory.apply(
      tx,
      items.map((i) => ({
        tierId: i.tierId,
        eventId: order.eventId,
        kind: 'SOLD' as const,
        soldDelta: i.quantity,
        heldDelta: -i.quantity,
        reservationId: reservation.id,
        orderId: order.id,
      })),
    );
    await this.reservations.setStatus(tx, reservation.id, 'CONFIRMED');
    await this.repository.issueTickets(tx, confirmed, items);
    await this.inventory.announce(tx, [order.eventId]);
    return { confirmed };
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
    if (current.status === 'FAILED') throw failure(current.failureReason ?? 'UNKNOWN');
    return current;
  }
}
