import { Inject, Injectable } from '@nestjs/common';
import { and, eq, sql } from 'drizzle-orm';
import { consumeOnce } from '@marquee/bus';
import { addActivity } from '../db/activity.js';
import { schema, type RecommendationsDatabase } from '../db/database.js';
import { DB } from '../tokens.js';

export type CatalogRow = typeof schema.eventCatalog.$inferInsert;

export interface Purchase {
  orderId: string;
  userId: string;
  eventId: string;
  confirmedAt: Date;
}

export interface Refund {
  orderId: string;
  userId: string;
  eventId: string;
  refundedAt: Date;
}

/**
 * The local copies of other services' data. Every write runs inside `consumeOnce`, so a
 * message redelivered by the bus is applied once; each effect is also safe on its own.
 */
@Injectable()
export class ProjectionsRepository {
  constructor(@Inject(DB) private readonly database: RecommendationsDatabase) {}

  /** Stores the snapshot unless we already hold this version or a newer one. */
  async applyEventChanged(consumer: string, messageId: string, row: CatalogRow): Promise<void> {
    await consumeOnce(this.database.db, schema.inbox, consumer, messageId, async (tx) => {
      const { id: _id, ...changes } = row;
      await tx
        .insert(schema.eventCatalog)
        .values(row)
        .onConflictDoUpdate({
          target: schema.eventCatalog.id,
          set: { ...changes, updatedAt: sql`now()` },
          setWhere: sql`${schema.eventCatalog.version} < excluded.version`,
        });
    });
  }

  /**
   * The buyer holds tickets and a purchase is on record, unless this order was already
   * refunded (the refund overtook its confirmation): then neither.
   */
  async applyOrderConfirmed(consumer: string, messageId: string, purchase: Purchase): Promise<void> {
    await consumeOnce(this.database.db, schema.inbox, consumer, messageId, async (tx) => {
      const { orderId, userId, eventId, confirmedAt } = purchase;
      const [holding] = await tx
        .insert(schema.ticketHoldings)
        .values({ orderId, userId, eventId, confirmedAt })
        .onConflictDoUpdate({
          target: schema.ticketHoldings.orderId,
          set: { confirmedAt: sql`coalesce(${schema.ticketHoldings.confirmedAt}, excluded.confirmed_at)` },
        })
        .returning({ refundedAt: schema.ticketHoldings.refundedAt });
      if (holding?.refundedAt) return;
      const inserted = await tx
        .insert(schema.interactions)
        .values({
          userId,
          eventId,
          kind: 'PURCHASE',
          occurredAt: confirmedAt,
          sourceMessageId: messageId,
          orderId,
        })
        .onConflictDoNothing()
        .returning({ id: schema.interactions.id });
      if (inserted.length > 0) await addActivity(tx, { eventId, kind: 'PURCHASE', at: confirmedAt });
    });
  }

  /**
   * The order no longer holds tickets, and a refund takes the purchase back: it stops
   * counting for taste, co-purchases, popularity and trending (the user's views stay). A
   * refund that overtakes its confirmation is kept, so the confirmation changes nothing.
   */
  async applyOrderRefunded(consumer: string, messageId: string, refund: Refund): Promise<void> {
    await consumeOnce(this.database.db, schema.inbox, consumer, messageId, async (tx) => {
      const { orderId, userId, eventId, refundedAt } = refund;
      await tx
        .insert(schema.ticketHoldings)
        .values({ orderId, userId, eventId, refundedAt })
        .onConflictDoUpdate({
          target: schema.ticketHoldings.orderId,
          set: { refundedAt: sql`coalesce(${schema.ticketHoldings.refundedAt}, excluded.refunded_at)` },
        });
      const taken = await tx
        .delete(schema.interactions)
        .where(and(eq(schema.interactions.orderId, orderId), eq(schema.interactions.kind, 'PURCHASE')))
        .returning({ eventId: schema.interactions.eventId, at: schema.interactions.occurredAt });
      for (const purchase of taken) {
        await addActivity(tx, { eventId: purchase.eventId, kind: 'PURCHASE', at: purchase.at, sign: -1 });
      }
    });
  }
}
