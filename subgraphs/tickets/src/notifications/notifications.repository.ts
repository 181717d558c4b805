import { Inject, Injectable } from '@nestjs/common';
import { and, asc, eq, isNull, lte, sql } from 'drizzle-orm';
import { schema, type TicketsDatabase, type TicketsTx } from '../db/database.js';
import { anyUuid } from '@marquee/db';
import { DB } from '../tokens.js';
import type { Notification } from './notifier.js';

export type QueuedNotification = typeof schema.notificationOutbox.$inferSelect;

const q = schema.notificationOutbox;
const o = schema.orders;

@Injectable()
export class NotificationsRepository {
  constructor(@Inject(DB) private readonly database: TicketsDatabase) {}

  /**
   * One queued notification per ticket holder of the event (a user with a CONFIRMED order),
   * in the caller's transaction; the same source message never queues twice. Returns how many.
   */
  async enqueueForHolders(
    tx: TicketsTx,
    message: { sourceId: string; kind: Notification['kind']; eventId: string; subject: string; body: string },
  ): Promise<number> {
    const holders = tx
      .selectDistinct({ userId: o.userId })
      .from(o)
      .where(and(eq(o.eventId, message.eventId), eq(o.status, 'CONFIRMED')))
      .as('holders');
    const rows = await tx
      .insert(q)
      .select(
        tx
          .select({
            id: sql`gen_random_uuid()`.as('id'),
            sourceId: sql`${message.sourceId}`.as('source_id'),
            kind: sql`${message.kind}::tickets.notification_kind`.as('kind'),
            userId: holders.userId,
            eventId: sql`${message.eventId}::uuid`.as('event_id'),
            subject: sql`${message.subject}`.as('subject'),
            body: sql`${message.body}`.as('body'),
            attempts: sql`0`.as('attempts'),
            nextAttemptAt: sql`now()`.as('next_attempt_at'),
            lastError: sql`null`.as('last_error'),
            createdAt: sql`now()`.as('created_at'),
            sentAt: sql`null`.as('sent_at'),
          })
          .from(holders),
      )
      .onConflictDoNothing()
      .returning({ id: q.id });
    return rows.length;
  }

  /**
   * Up to `limit` due notifications, leased for `leaseMs` (their next attempt moves to then),
   * so replicas and overlapping runs never hand the same one out twice at once.
   */
  async claimDue(limit: number, leaseMs: number): Promise<QueuedNotification[]> {
    return this.database.db.transaction(async (tx) => {
      const due = await tx
        .select({ id: q.id })
        .from(q)
        .where(and(isNull(q.sentAt), lte(q.nextAttemptAt, sql`now()`)))
        .orderBy(asc(q.nextAttemptAt))
        .limit(limit)
        .for('update', { skipLocked: true });
      if (due.length === 0) return [];
      return tx
        .update(q)
        .set({
          attempts: sql`${q.attempts} + 1`,
          nextAttemptAt: sql`now() + make_interval(secs => ${leaseMs / 1000})`,
        })
        .where(
          anyUuid(
            q.id,
            due.map((row) => row.id),
          ),
        )
        .returning();
    });
  }

  async markSent(id: string): Promise<void> {
    await this.database.db
      .update(q)
      .set({ sentAt: sql`now()`, lastError: null })
      .where(eq(q.id, id));
  }

  async markFailed(id: string, error: string, retryInMs: number): Promise<void> {
    await this.database.db
      .update(q)
      .set({
        lastError: error.slice(0, 500),
        nextAttemptAt: sql`now() + make_interval(secs => ${retryInMs / 1000})`,
      })
      .where(eq(q.id, id));
  }

  /** The built-in adapter's delivery: the same notification id is recorded once. */
  async recordDelivered(n: Notification): Promise<void> {
    await this.database.db
      .insert(schema.notifications)
      .values({
        id: n.id,
        kind: n.kind,
        userId: n.userId,
        eventId: n.eventId,
        subject: n.subject,
        body: n.body,
      })
      .onConflictDoNothing();
  }
}
