import { Inject, Injectable } from '@nestjs/common';
import { and, asc, desc, eq, getTableColumns, sql } from 'drizzle-orm';
import { schema, type TicketsDatabase } from '../db/database.js';
import { anyUuid, prepared } from '@marquee/db';
import { DB } from '../tokens.js';

export type OrderRow = typeof schema.orders.$inferSelect;
export type TicketRow = typeof schema.issuedTickets.$inferSelect;
/** Position in a user's order list: the exact created_at (as Postgres prints it) and the id. */
export interface OrderCursor {
  t: string;
  i: string;
}

const o = schema.orders;
const tk = schema.issuedTickets;

@Injectable()
export class OrdersRepository {
  /** The loaders' reads, built once: one statement each whatever the number of orders. */
  private readonly byIds;
  private readonly ticketsByOrders;

  constructor(@Inject(DB) private readonly database: TicketsDatabase) {
    const ids = sql.placeholder('ids');
    this.byIds = database.db.select().from(o).where(anyUuid(o.id, ids)).prepare('orders.find-many');
    this.ticketsByOrders = database.db
      .select()
      .from(tk)
      .where(anyUuid(tk.orderId, ids))
      .orderBy(asc(tk.createdAt), asc(tk.id))
      .prepare('orders.tickets-of');
  }

  findByIds(ids: readonly string[]): Promise<OrderRow[]> {
    return this.byIds.execute({ ids: [...ids] });
  }

  async findById(id: string): Promise<OrderRow | undefined> {
    const [row] = await prepared('orders.find', this.database.db.select().from(o).where(eq(o.id, id)));
    return row;
  }

  async findByKey(userId: string, idempotencyKey: string): Promise<OrderRow | undefined> {
    const [row] = await prepared(
      'orders.find-by-key',
      this.database.db
        .select()
        .from(o)
        .where(and(eq(o.userId, userId), eq(o.idempotencyKey, idempotencyKey))),
    );
    return row;
  }

  /** Newest first; `limit + 1` rows tell whether another page exists. */
  pageByUser(userId: string, limit: number, after?: OrderCursor) {
    return this.database.db
      .select({ ...getTableColumns(o), cursorTime: sql<string>`${o.createdAt}::text` })
      .from(o)
      .where(
        and(
          eq(o.userId, userId),
          after ? sql`(${o.createdAt}, ${o.id}) < (${after.t}::timestamptz, ${after.i}::uuid)` : undefined,
        ),
      )
      .orderBy(desc(o.createdAt), desc(o.id))
      .limit(limit + 1);
  }

  async countByUser(userId: string): Promise<number> {
    const [row] = await this.database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(o)
      .where(eq(o.userId, userId));
    return row?.n ?? 0;
  }

  ticketsOf(orderIds: readonly string[]): Promise<TicketRow[]> {
    return this.ticketsByOrders.execute({ ids: [...orderIds] });
  }

  /** The provider refunded the charge (compensation or refund done). */
  async markPaymentRefunded(id: string): Promise<void> {
    await this.database.db
      .update(o)
      .set({ paymentState: 'REFUNDED', updatedAt: sql`now()` })
      .where(and(eq(o.id, id), eq(o.paymentState, 'CHARGED')));
  }

  async findTicket(id: string): Promise<TicketRow | undefined> {
    const [row] = await this.database.db.select().from(tk).where(eq(tk.id, id));
    return row;
  }
}
