import { Injectable } from '@nestjs/common';
import { and, eq, sql } from 'drizzle-orm';
import { appendToOutbox, Topics, type OrderRefunded } from '@marquee/bus';
import { conflict } from '@marquee/subgraph-kit';
import { schema, type TicketsTx } from '../db/database.js';
import { InventoryRepository } from '../inventory/inventory.repository.js';
import type { OrderRow } from '../orders/orders.repository.js';

const o = schema.orders;
const tk = schema.issuedTickets;

@Injectable()
export class RefundsRepository {
  constructor(private readonly inventory: InventoryRepository) {}

  /**
   * CONFIRMED -> REFUNDED with a conditional update, so of any number of concurrent refunds
   * exactly one gets here; the others get undefined. Tickets VOID, seats back, ledger, outbox.
   * `kind` is REFUNDED for a refund someone asked for, VOIDED when the event was cancelled.
   */
  async refund(tx: TicketsTx, orderId: string, kind: 'REFUNDED' | 'VOIDED'): Promise<OrderRow | undefined> {
    const [order] = await tx
      .update(o)
      .set({ status: 'REFUNDED', refundedAt: sql`now()`, updatedAt: sql`now()` })
      .where(and(eq(o.id, orderId), eq(o.status, 'CONFIRMED')))
      .returning();
    if (!order) return undefined;
    const tickets = await tx
      .select({ tierId: tk.tierId, status: tk.status })
      .from(tk)
      .where(eq(tk.orderId, orderId))
      .for('update');
    if (kind === 'REFUNDED' && tickets.some((t) => t.status === 'CHECKED_IN')) {
      throw conflict('A ticket of this order was already used', { reason: 'TICKET_USED' });
    }
    await tx
      .update(tk)
      .set({ status: 'VOID', voidedAt: sql`now()` })
      .where(and(eq(tk.orderId, orderId), sql`${tk.status} <> 'VOID'`));
    const perTier = new Map<string, number>();
    for (const t of tickets) perTier.set(t.tierId, (perTier.get(t.tierId) ?? 0) + 1);
    await this.inventory.lockTiers(tx, perTier.keys());
    await this.inventory.apply(
      tx,
      [...perTier].map(([tierId, quantity]) => ({
        tierId,
        eventId: order.eventId,
        kind,
        soldDelta: -quantity,
        heldDelta: 0,
        orderId,
      })),
    );
    const payload: OrderRefunded = {
      orderId,
      userId: order.userId,
      eventId: order.eventId,
      refundedAt: (order.refundedAt ?? new Date()).toISOString(),
    };
    await appendToOutbox(tx, schema.outbox, Topics.orderRefunded, payload);
    await this.inventory.announce(tx, [order.eventId]);
    return order;
  }
}
