import { Injectable } from '@nestjs/common';
import { and, eq, gt, gte, sql } from 'drizzle-orm';
import { anyUuid, prepared } from '@marquee/db';
import { schema, type TicketsTx } from '../db/database.js';
import type { HoldWindow, LiveHold } from './hold-limits.js';

const r = schema.reservations;
const ri = schema.reservationItems;
const w = schema.holdWindows;

/**
 * The first key of the two-key advisory locks that serialise one user's holds (the second is
 * a hash of the user id). Two-key locks never collide with one-key (bigint) ones.
 */
const USER_HOLDS_LOCK = 4242;

/** Queries for the per-user hold limits (hold-limits.ts); all inside the reserve transaction. */
@Injectable()
export class HoldLimitsRepository {
  /**
   * Waits for this user's other holds in flight to commit or roll back. It must be the first
   * statement of the transaction that counts: a statement after it sees what they committed.
   * Taken before any tier lock, and nobody waits for it while holding one: no deadlock.
   */
  async lockUser(tx: TicketsTx, userId: string): Promise<void> {
    await prepared(
      'hold-limits.lock-user',
      tx
        .select({
          locked: sql<string>`pg_advisory_xact_lock(${USER_HOLDS_LOCK}::int, hashtext(${userId}))::text`,
        })
        .from(sql`(values (1)) as one (x)`),
    );
  }

  /** The user's HELD, unexpired reservations, with their items on these tiers. */
  async liveHolds(tx: TicketsTx, userId: string, tierIds: string[]): Promise<LiveHold[]> {
    const rows = await prepared(
      'hold-limits.live',
      tx
        .select({ id: r.id, expiresAt: r.expiresAt, tierId: ri.tierId, quantity: ri.quantity })
        .from(r)
        .leftJoin(ri, and(eq(ri.reservationId, r.id), anyUuid(ri.tierId, tierIds)))
        .where(and(eq(r.userId, userId), eq(r.status, 'HELD'), gt(r.expiresAt, sql`now()`))),
    );
    const holds = new Map<string, LiveHold>();
    for (const row of rows) {
      const hold = holds.get(row.id) ?? { id: row.id, expiresAt: row.expiresAt, items: [] };
      if (row.tierId !== null && row.quantity !== null)
        hold.items.push({ tierId: row.tierId, quantity: row.quantity });
      holds.set(row.id, hold);
    }
    return [...holds.values()];
  }

  /**
   * The user's windows on these tiers, each with the end of their latest hold on the tier since
   * the window started: when it runs out if still HELD, else when it was released, paid for or
   * swept (and never later than its expiry).
   */
  async windows(tx: TicketsTx, userId: string, tierIds: string[]): Promise<Map<string, HoldWindow>> {
    // A correlated subquery; with its join, drizzle qualifies every column (hold_windows' too).
    const lastEnd = tx
      .select({
        at: sql`max(case when ${r.status} = 'HELD' then ${r.expiresAt} else least(${r.updatedAt}, ${r.expiresAt}) end)`,
      })
      .from(r)
      .innerJoin(ri, eq(ri.reservationId, r.id))
      .where(and(eq(r.userId, w.userId), eq(ri.tierId, w.tierId), gte(r.createdAt, w.startedAt)));
    const rows = await prepared(
      'hold-limits.windows',
      tx
        .select({
          tierId: w.tierId,
          startedAt: w.startedAt,
          lastEnd: sql<Date | null>`(${lastEnd})`.mapWith(w.startedAt),
        })
        .from(w)
        .where(and(eq(w.userId, userId), anyUuid(w.tierId, tierIds))),
    );
    return new Map(rows.map((row) => [row.tierId, row]));
  }

  /** Starts new windows now (this transaction's clock, as the reservation's created_at). */
  async startWindows(tx: TicketsTx, userId: string, tierIds: string[]): Promise<void> {
    if (tierIds.length === 0) return;
    await prepared(
      'hold-limits.start-windows',
      tx
        .insert(w)
        .values(tierIds.map((tierId) => ({ userId, tierId, startedAt: sql`now()` })))
        .onConflictDoUpdate({ target: [w.userId, w.tierId], set: { startedAt: sql`excluded.started_at` } }),
    );
  }

  /** Shortens a new hold to the end of its window. */
  async endBy(tx: TicketsTx, reservationId: string, until: Date): Promise<void> {
    await prepared(
      'hold-limits.end-by',
      tx
        .update(r)
        .set({ expiresAt: sql`least(${r.expiresAt}, ${until.toISOString()}::timestamptz)` })
        .where(eq(r.id, reservationId)),
    );
  }
}
