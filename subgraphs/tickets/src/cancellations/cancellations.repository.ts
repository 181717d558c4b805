import { Inject, Injectable } from '@nestjs/common';
import { and, asc, eq, sql } from 'drizzle-orm';
import { schema, type Executor, type TicketsDatabase, type TicketsTx } from '../db/database.js';
import { DB } from '../tokens.js';

export type CancellationJob = typeof schema.cancellationJobs.$inferSelect;

const jobs = schema.cancellationJobs;
const o = schema.orders;
const r = schema.reservations;

@Injectable()
export class CancellationsRepository {
  constructor(@Inject(DB) private readonly database: TicketsDatabase) {}

  /** One job per event, however often the cancellation is delivered. */
  async record(tx: TicketsTx, eventId: string, reason: string): Promise<void> {
    await tx.insert(jobs).values({ eventId, reason }).onConflictDoNothing();
  }

  pending(): Promise<CancellationJob[]> {
    return this.database.db
      .select()
      .from(jobs)
      .where(eq(jobs.status, 'PENDING'))
      .orderBy(asc(jobs.createdAt));
  }

  async find(eventId: string): Promise<CancellationJob | undefined> {
    const [row] = await this.database.db.select().from(jobs).where(eq(jobs.eventId, eventId));
    return row;
  }

  async confirmedOrderIds(eventId: string, limit: number): Promise<string[]> {
    const rows = await this.database.db
      .select({ id: o.id })
      .from(o)
      .where(and(eq(o.eventId, eventId), eq(o.status, 'CONFIRMED')))
      .orderBy(asc(o.createdAt))
      .limit(limit);
    return rows.map((row) => row.id);
  }

  /** What still keeps the job open: paid orders and live holds (locked by others or not). */
  async remaining(eventId: string): Promise<number> {
    const rows = await this.database.db.execute<{ n: number }>(sql`
      select ((select count(*) from ${o} where ${o.eventId} = ${eventId} and ${o.status} = 'CONFIRMED')
        + (select count(*) from ${r} where ${r.eventId} = ${eventId} and ${r.status} = 'HELD'))::int as n`);
    return rows[0]?.n ?? 0;
  }

  async progress(eventId: string, refunded: number, released: number): Promise<void> {
    await this.database.db
      .update(jobs)
      .set({
        refundedOrders: sql`${jobs.refundedOrders} + ${refunded}`,
        releasedReservations: sql`${jobs.releasedReservations} + ${released}`,
      })
      .where(eq(jobs.eventId, eventId));
  }

  async finish(executor: Executor, eventId: string): Promise<void> {
    await executor
      .update(jobs)
      .set({ status: 'DONE', finishedAt: sql`now()` })
      .where(and(eq(jobs.eventId, eventId), eq(jobs.status, 'PENDING')));
  }
}
