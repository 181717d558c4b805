import { Inject, Injectable } from '@nestjs/common';
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import { schema, type Executor, type TicketsDatabase, type TicketsTx } from '../db/database.js';
import { anyUuid, prepared } from '@marquee/db';
import type { OrderRow } from '../orders/orders.repository.js';
import type { ReservationRow } from '../reservations/reservations.repository.js';
import { DB } from '../tokens.js';

const o = schema.orders;
const r = schema.reservations;
const ri = schema.reservationItems;
const d = schema.eventDirectory;

type PaymentState = OrderRow['paymentState'];

/** An order and everything its completion decides on, locked (order, reservation: update; event: share). */
export interface CompletionFacts {
  order: OrderRow;
  reservationStatus: ReservationRow['status'];
  /** By the database's clock. */
  expired: boolean;
  eventStatus: string;
  items: { tierId: string; quantity: number }[];
}

/**
 * The checkout saga's writes besides the sale itself (SaleRepository): the PENDING order, the
 * locked read the failure path decides on, FAILED outcomes and charges found later, and the
 * recovery's claims. Hot-path statements are prepared.
 */
@Injectable()
export class CheckoutRepository {
  constructor(@Inject(DB) private readonly database: TicketsDatabase) {}

  /**
   * The PENDING order for a reservation the user holds (HELD, not expired), in one statement.
   * Undefined when it is not theirs or not held, the key was used, or the reservation already
   * has a live order (unique indexes): the caller finds out which.
   */
  async openOrder(values: {
    userId: string;
    reservationId: string;
    idempotencyKey: string;
    requestHash: string;
  }): Promise<OrderRow | undefined> {
    const [row] = await prepared(
      'checkout.open',
      this.database.db
        .insert(o)
        .select(
          this.database.db
            .select({
              id: sql`gen_random_uuid()`.as('id'),
              userId: r.userId,
              eventId: r.eventId,
              reservationId: r.id,
              status: sql`'PENDING'::tickets.order_status`.as('status'),
              paymentState: sql`'NONE'::tickets.payment_state`.as('payment_state'),
              totalCents: r.totalCents,
              currency: r.currency,
              idempotencyKey: sql`${values.idempotencyKey}`.as('idempotency_key'),
              requestHash: sql`${values.requestHash}`.as('request_hash'),
              paymentReference: sql`null`.as('payment_reference'),
              failureReason: sql`null`.as('failure_reason'),
              createdAt: sql`now()`.as('created_at'),
              updatedAt: sql`now()`.as('updated_at'),
              confirmedAt: sql`null`.as('confirmed_at'),
              refundedAt: sql`null`.as('refunded_at'),
            })
            .from(r)
            .where(
              and(
                eq(r.id, values.reservationId),
                eq(r.userId, values.userId),
                eq(r.status, 'HELD'),
                gt(r.expiresAt, sql`now()`),
              ),
            ),
        )
        .onConflictDoNothing()
        .returning(),
    );
    return row;
  }

  /** Locks the order, its reservation (FOR UPDATE) and its event's entry (FOR SHARE), in one read. */
  async lockForCompletion(tx: TicketsTx, orderId: string): Promise<CompletionFacts | undefined> {
    const [row] = await prepared(
      'checkout.lock',
      tx
        .select({
          order: o,
          reservationStatus: r.status,
          expired: sql<boolean>`${r.expiresAt} <= now()`,
          eventStatus: sql<string>`(select ${d.status} from ${d} where ${d.eventId} = ${r.eventId} for share)`,
          items: sql<CompletionFacts['items']>`(select coalesce(json_agg(json_build_object(
            'tierId', ${ri.tierId}, 'quantity', ${ri.quantity}) order by ${ri.tierId}), '[]'::json)
            from ${ri} where ${ri.reservationId} = ${r.id})`,
        })
        .from(o)
        .innerJoin(r, eq(r.id, o.reservationId))
        .where(eq(o.id, orderId))
        // Both rows of the FROM clause (drizzle spells OF with schema-qualified names, which
        // Postgres refuses; unqualified FOR UPDATE locks exactly these two).
        .for('update'),
    );
    return row;
  }

  /**
   * PENDING -> FAILED, recording where the money is (NONE, UNKNOWN, or CHARGED with its
   * reference). Only from PENDING without a recorded charge: a late writer changes nothing.
   */
  async fail(
    executor: Executor,
    id: string,
    reason: string,
    payment: { state: PaymentState; reference?: string },
  ): Promise<void> {
    await prepared(
      'checkout.fail',
      executor
        .update(o)
        .set({
          status: 'FAILED',
          failureReason: reason,
          paymentState: payment.state,
          paymentReference: payment.reference ?? null,
          updatedAt: sql`now()`,
        })
        .where(and(eq(o.id, id), eq(o.status, 'PENDING'), inArray(o.paymentState, ['NONE', 'UNKNOWN']))),
    );
  }

  /** A charge turned up for an order that had not recorded one (whatever its status now). */
  async recordCharge(executor: Executor, id: string, reference: string): Promise<void> {
    await executor
      .update(o)
      .set({ paymentState: 'CHARGED', paymentReference: reference, updatedAt: sql`now()` })
      .where(and(eq(o.id, id), inArray(o.paymentState, ['NONE', 'UNKNOWN'])));
  }

  /** The provider says no charge exists: an UNKNOWN outcome becomes NONE. */
  async recordNoCharge(id: string): Promise<void> {
    await this.database.db
      .update(o)
      .set({ paymentState: 'NONE', updatedAt: sql`now()` })
      .where(and(eq(o.id, id), eq(o.paymentState, 'UNKNOWN')));
  }

  /**
   * Runs `work` on the order's current row while this process holds a session advisory lock
   * for it, so no other replica's recovery works the same order at the same time, however
   * long `work` takes. Undefined when another replica holds it, or its saga is finished.
   */
  async exclusively<T>(orderId: string, work: (order: OrderRow) => Promise<T>): Promise<T | undefined> {
    const reserved = await this.database.sql.reserve();
    try {
      const [lock] = await reserved`select pg_try_advisory_lock(hashtextextended(${orderId}, 77)) as locked`;
      if (!lock?.locked) return undefined;
      try {
        const [current] = await this.database.db
          .select()
          .from(o)
          .where(and(eq(o.id, orderId), schema.openSaga));
        return current ? await work(current) : undefined;
      } finally {
        await reserved`select pg_advisory_unlock(hashtextextended(${orderId}, 77))`;
      }
    } finally {
      reserved.release();
    }
  }

  /**
   * Up to `limit` orders whose saga has work left and that nobody touched for `staleMs`;
   * claimed (updated_at bumped), so another replica's recovery leaves them alone meanwhile.
   */
  async claimOpenSagas(limit: number, staleMs: number): Promise<OrderRow[]> {
    return this.database.db.transaction(async (tx) => {
      const ids = await tx
        .select({ id: o.id })
        .from(o)
        .where(and(schema.openSaga, sql`${o.updatedAt} < now() - make_interval(secs => ${staleMs / 1000})`))
        .orderBy(asc(o.updatedAt))
        .limit(limit)
        .for('update', { skipLocked: true });
      if (ids.length === 0) return [];
      return tx
        .update(o)
        .set({ updatedAt: sql`now()` })
        .where(
          anyUuid(
            o.id,
            ids.map((row) => row.id),
          ),
        )
        .returning();
    });
  }
}
