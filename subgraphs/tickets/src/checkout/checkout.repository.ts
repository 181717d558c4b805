import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { and, eq, sql } from 'drizzle-orm';
import { appendToOutbox, Topics, type OrderConfirmed } from '@marquee/bus';
import { schema, type Executor, type TicketsDatabase, type TicketsTx } from '../db/database.js';
import type { OrderRow } from '../orders/orders.repository.js';
import { DB } from '../tokens.js';

const o = schema.orders;

/** 160 random bits, URL-safe: unguessable, and short enough for a QR code. */
export const newTicketCode = () => randomBytes(20).toString('base64url');

/** The checkout's writes to orders; each step of the flow is persisted as it happens. */
@Injectable()
export class CheckoutRepository {
  constructor(@Inject(DB) private readonly database: TicketsDatabase) {}

  /** Undefined when the key was used, or the reservation already has a live order (unique indexes). */
  async insertPending(
    values: Pick<
      typeof o.$inferInsert,
      'userId' | 'eventId' | 'reservationId' | 'totalCents' | 'currency' | 'idempotencyKey' | 'requestHash'
    >,
  ): Promise<OrderRow | undefined> {
    const [row] = await this.database.db
      .insert(o)
      .values({ ...values, status: 'PENDING', paymentState: 'NONE' })
      .onConflictDoNothing()
      .returning();
    return row;
  }

  async markCharged(id: string, reference: string): Promise<void> {
    await this.database.db
      .update(o)
      .set({ paymentState: 'CHARGED', paymentReference: reference, updatedAt: sql`now()` })
      .where(and(eq(o.id, id), eq(o.status, 'PENDING')));
  }

  async fail(executor: Executor, id: string, reason: string): Promise<void> {
    await executor
      .update(o)
      .set({ status: 'FAILED', failureReason: reason, updatedAt: sql`now()` })
      .where(and(eq(o.id, id), eq(o.status, 'PENDING')));
  }

  /** PENDING -> CONFIRMED; undefined if the order was no longer PENDING. */
  async confirm(tx: TicketsTx, id: string): Promise<OrderRow | undefined> {
    const [row] = await tx
      .update(o)
      .set({ status: 'CONFIRMED', confirmedAt: sql`now()`, updatedAt: sql`now()` })
      .where(and(eq(o.id, id), eq(o.status, 'PENDING')))
      .returning();
    return row;
  }

  async issueTickets(tx: TicketsTx, order: OrderRow, items: { tierId: string; quantity: number }[]) {
    const rows = items.flatMap((item) =>
      Array.from({ length: item.quantity }, () => ({
        orderId: order.id,
        tierId: item.tierId,
        eventId: order.eventId,
        code: newTicketCode(),
      })),
    );
    await tx.insert(schema.issuedTickets).values(rows);
    const payload: OrderConfirmed = {
      orderId: order.id,
      userId: order.userId,
      eventId: order.eventId,
      ticketCount: rows.length,
      totalCents: order.totalCents,
      currency: order.currency,
      confirmedAt: (order.confirmedAt ?? new Date()).toISOString(),
    };
    await appendToOutbox(tx, schema.outbox, Topics.orderConfirmed, payload);
  }
}
