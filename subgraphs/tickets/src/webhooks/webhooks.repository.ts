import { Inject, Injectable } from '@nestjs/common';
import { and, eq } from 'drizzle-orm';
import { consumeOnce } from '@marquee/bus';
import { schema, type TicketsDatabase } from '../db/database.js';
import { DB } from '../tokens.js';

/** The inbox consumer for the provider's webhook deliveries (keyed by the provider's event id). */
const CONSUMER = 'payment-webhooks';

export interface PaymentEventRecord {
  orderId: string;
  kind: (typeof schema.paymentEventKindEnum.enumValues)[number];
  amount?: number;
  currency?: string;
  detail?: string;
}

/** Which webhook events were processed (the inbox), and what they recorded on orders. */
@Injectable()
export class WebhooksRepository {
  constructor(@Inject(DB) private readonly database: TicketsDatabase) {}

  async processed(eventId: string): Promise<boolean> {
    const rows = await this.database.db
      .select({ id: schema.inbox.messageId })
      .from(schema.inbox)
      .where(and(eq(schema.inbox.consumer, CONSUMER), eq(schema.inbox.messageId, eventId)));
    return rows.length > 0;
  }

  /**
   * Marks the event processed, with what it records on an order, in one transaction: a
   * duplicate delivery records nothing again. False when it was already marked.
   */
  async markProcessed(eventId: string, record?: PaymentEventRecord): Promise<boolean> {
    const done = await consumeOnce(this.database.db, schema.inbox, CONSUMER, eventId, async (tx) => {
      if (record)
        await tx
          .insert(schema.orderPaymentEvents)
          .values({ eventId, ...record })
          .onConflictDoNothing();
      return true;
    });
    return done ?? false;
  }
}
