import { Inject, Injectable } from '@nestjs/common';
import { and, asc, eq, exists, getTableColumns, lte, sql } from 'drizzle-orm';
import { schema, type Executor, type TicketsDatabase, type TicketsTx } from '../db/database.js';
import { anyUuid, prepared } from '@marquee/db';
import type { HoldToRelease } from '../inventory/inventory.repository.js';
import { DB } from '../tokens.js';

export type ReservationRow = typeof schema.reservations.$inferSelect;
export type ReservationItemRow = typeof schema.reservationItems.$inferSelect;

const r = schema.reservations;
const ri = schema.reservationItems;
const isStale = and(eq(r.status, 'HELD'), lte(r.expiresAt, sql`now()`));

@Injectable()
export class ReservationsRepository {
  constructor(@Inject(DB) private readonly database: TicketsDatabase) {}

  async findById(id: string): Promise<ReservationRow | undefined> {
    const [row] = await prepared('reservations.find', this.database.db.select().from(r).where(eq(r.id, id)));
    return row;
  }

  async findByKey(userId: string, idempotencyKey: string): Promise<ReservationRow | undefined> {
    const [row] = await prepared(
      'reservations.find-by-key',
      this.database.db
        .select()
        .from(r)
        .where(and(eq(r.userId, userId), eq(r.idempotencyKey, idempotencyKey))),
    );
    return row;
  }

  itemsOf(
    reservationIds: readonly string[],
    executor: Executor = this.database.db,
  ): Promise<ReservationItemRow[]> {
    return prepared(
      'reservations.items-of',
      executor
        .select()
        .from(ri)
        .where(anyUuid(ri.reservationId, reservationIds))
        .orderBy(asc(ri.reservationId), asc(ri.tierId)),
    );
  }

  /** Undefined when this user already used the key (the unique index decides, even in a race). */
  async insertHeld(
    tx: TicketsTx,
    values: Omit<typeof r.$inferInsert, 'expiresAt' | 'status'>,
    ttlSeconds: number,
  ): Promise<ReservationRow | undefined> {
    const [row] = await prepared(
      'reservations.insert',
      tx
        .insert(r)
        .values({ ...values, status: 'HELD', expiresAt: sql`now() + make_interval(secs => ${ttlSeconds})` })
        .onConflictDoNothing()
        .returning(),
    );
    return row;
  }

  async insertItems(tx: TicketsTx, items: (typeof ri.$inferInsert)[]): Promise<void> {
    await prepared('reservations.insert-items', tx.insert(ri).values(items));
  }

  /** The reservation, locked, and whether its hold has run out by the database's clock. */
  async lock(tx: TicketsTx, id: string): Promise<(ReservationRow & { expired: boolean }) | undefined> {
    const [row] = await tx
      .select({ ...getTableColumns(r), expired: sql<boolean>`${r.expiresAt} <= now()` })
      .from(r)
      .where(eq(r.id, id))
      .for('update');
    return row;
  }

  async setStatus(tx: TicketsTx, id: string, status: ReservationRow['status']): Promise<void> {
    await tx
      .update(r)
      .set({ status, updatedAt: sql`now()` })
      .where(eq(r.id, id));
  }

  /**
   * Up to `limit` expired-but-unswept holds of one event that take seats of these tiers, with
   * all their items (no locks taken).
   */
  async staleHoldsOnTiers(
    tx: TicketsTx,
    eventId: string,
    tierIds: string[],
    limit: number,
  ): Promise<HoldToRelease[]> {
    const ids = await tx
      .select({ id: r.id })
      .from(r)
      .where(and(eq(r.eventId, eventId), isStale, this.takesSeatsOf(tx, tierIds)))
      .orderBy(asc(r.expiresAt))
      .limit(limit);
    return this.withItems(
      tx,
      ids.map((row) => row.id),
    );
  }

  /** Whether any run-out, unswept hold of the event takes seats of these tiers. */
  async hasStaleHoldsOnTiers(eventId: string, tierIds: string[]): Promise<boolean> {
    const rows = await prepared(
      'reservations.has-stale',
      this.database.db
        .select({ id: r.id })
        .from(r)
        .where(and(eq(r.eventId, eventId), isStale, this.takesSeatsOf(this.database.db, tierIds)))
        .limit(1),
    );
    return rows.length > 0;
  }

  private takesSeatsOf(executor: Executor, tierIds: string[]) {
    return exists(
      executor
        .select({ one: sql`1` })
        .from(ri)
        .where(and(eq(ri.reservationId, r.id), anyUuid(ri.tierId, tierIds))),
    );
  }

  /** Of these reservations, the ones still expired-and-HELD that nobody else has locked; now locked. */
  async lockStale(tx: TicketsTx, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await tx
      .select({ id: r.id })
      .from(r)
      .where(and(anyUuid(r.id, ids), isStale))
      .for('update', { skipLocked: true });
    return new Set(rows.map((row) => row.id));
  }

  /** The sweeper's batch: expired holds, locked with SKIP LOCKED so replicas split the work. */
  async lockStaleBatch(tx: TicketsTx, limit: number): Promise<HoldToRelease[]> {
    const locked = await tx
      .select({ id: r.id })
      .from(r)
      .where(isStale)
      .orderBy(asc(r.expiresAt))
      .limit(limit)
      .for('update', { skipLocked: true });
    return this.withItems(
      tx,
      locked.map((row) => row.id),
    );
  }

  /** HELD reservations of an event (expired or not), for the cancellation job; locked, SKIP LOCKED. */
  async lockHeldOfEvent(tx: TicketsTx, eventId: string, limit: number): Promise<HoldToRelease[]> {
    const locked = await tx
      .select({ id: r.id })
      .from(r)
      .where(and(eq(r.eventId, eventId), eq(r.status, 'HELD')))
      .limit(limit)
      .for('update', { skipLocked: true });
    return this.withItems(
      tx,
      locked.map((row) => row.id),
    );
  }

  /** Whole holds: every item of each reservation, never a part of one. */
  private async withItems(tx: TicketsTx, ids: string[]): Promise<HoldToRelease[]> {
    if (ids.length === 0) return [];
    const rows = await tx
      .select({ id: r.id, eventId: r.eventId, tierId: ri.tierId, quantity: ri.quantity })
      .from(r)
      .innerJoin(ri, eq(ri.reservationId, r.id))
      .where(anyUuid(r.id, ids));
    const byId = new Map<string, HoldToRelease>();
    for (const row of rows) {
      const hold = byId.get(row.id) ?? { id: row.id, eventId: row.eventId, items: [] };
      hold.items.push({ tierId: row.tierId, quantity: row.quantity });
      byId.set(row.id, hold);
    }
    return [...byId.values()];
  }
}
