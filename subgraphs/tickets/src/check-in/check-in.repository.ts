import { Inject, Injectable } from '@nestjs/common';
import { and, eq, sql } from 'drizzle-orm';
import { schema, type TicketsDatabase } from '../db/database.js';
import type { TicketRow } from '../orders/orders.repository.js';
import { DB } from '../tokens.js';

const tk = schema.issuedTickets;

@Injectable()
export class CheckInRepository {
  constructor(@Inject(DB) private readonly database: TicketsDatabase) {}

  async findByCode(code: string): Promise<TicketRow | undefined> {
    const [row] = await this.database.db.select().from(tk).where(eq(tk.code, code));
    return row;
  }

  /** VALID -> CHECKED_IN; of two concurrent check-ins exactly one gets the row back. */
  async checkIn(id: string): Promise<TicketRow | undefined> {
    const [row] = await this.database.db
      .update(tk)
      .set({ status: 'CHECKED_IN', checkedInAt: sql`now()` })
      .where(and(eq(tk.id, id), eq(tk.status, 'VALID')))
      .returning();
    return row;
  }
}
