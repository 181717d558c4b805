import { Inject, Injectable } from '@nestjs/common';
import { conflict, forbidden, isId, notFound } from '@marquee/subgraph-kit';
import { requireUser } from '../access.js';
import type { TicketsContext } from '../context.js';
import type { TicketsDatabase } from '../db/database.js';
import { inTransaction } from '../db/transaction.js';
import { OrdersRepository, type OrderRow } from '../orders/orders.repository.js';
import { OrdersService } from '../orders/orders.service.js';
import { RefundPayments } from '../payments/refund-payments.js';
import { DB, OUTBOX_KICK, type OutboxKick } from '../tokens.js';
import { RefundsRepository } from './refunds.repository.js';

const notConfirmed = (status: string) =>
  conflict(`Only a CONFIRMED order can be refunded (this one is ${status})`, {
    reason: 'ORDER_NOT_CONFIRMED',
  });

@Injectable()
export class RefundsService {
  constructor(
    private readonly repository: RefundsRepository,
    private readonly orders: OrdersRepository,
    private readonly access: OrdersService,
    private readonly payments: RefundPayments,
    @Inject(DB) private readonly database: TicketsDatabase,
    @Inject(OUTBOX_KICK) private readonly outbox: OutboxKick,
  ) {}

  /** The buyer, the event's organizer or an ADMIN; exactly once however many ask at once. */
  async refundOrder(ctx: TicketsContext, id: string): Promise<OrderRow> {
    requireUser(ctx.caller);
    const order = isId(id) ? await this.orders.findById(id) : undefined;
    if (!order) throw notFound('Order');
    if (!(await this.access.canSee(ctx, order)))
      throw forbidden('Only the buyer, the organizer or an ADMIN can refund');
    if (order.status !== 'CONFIRMED') throw notConfirmed(order.status);
    const refunded = await this.refund(id, 'REFUNDED');
    if (!refunded) throw notConfirmed('REFUNDED');
    return refunded;
  }

  /** The transaction, then the money; undefined when the order was not (or no longer) CONFIRMED. */
  async refund(orderId: string, kind: 'REFUNDED' | 'VOIDED'): Promise<OrderRow | undefined> {
    const refunded = await inTransaction(this.database.db, (tx) => this.repository.refund(tx, orderId, kind));
    if (!refunded) return undefined;
    this.outbox.kick();
    await this.payments.refund(refunded.id, refunded.paymentReference);
    return refunded;
  }
}
