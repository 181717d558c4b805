import { Inject, Injectable } from '@nestjs/common';
import { and, asc, eq, getTableColumns, lte, sql, type SQL } from 'drizzle-orm';
import { schema, type TicketsDatabase, type TicketsTx } from '../db/database.js';
import { anyUuid, prepared } from '@marquee/db';
import type { TierRow } from '../inventory/inventory.repository.js';
import { DB } from '../tokens.js';

/**
 * A tier as readers see it: expired holds the sweeper has not released yet do not count as
 * held, so expiry takes effect on time even when no worker runs.
 */
export interface TierView extends TierRow {
  /** Held seats of live (unexpired) holds. */
  liveHeld: number;
  available: number;
  /** When the newest expired-but-unswept hold on it ran out (an availability change). */
  lastExpiry: Date | null;
}

const t = schema.ticketTiers;
const r = schema.reservations;
const ri = schema.reservationItems;

@Injectable()
export class TiersRepository {
  /** Built once (query building is a visible share of a catalogue read's CPU). */
  private readonly byIds;
  private readonly byEvents;

  constructor(@Inject(DB) private readonly database: TicketsDatabase) {
    const ids = sql.placeholder('ids');
    this.byIds = this.views(anyUuid(t.id, ids), anyUuid(ri.tierId, ids)).prepare('tiers.views-by-ids');
    this.byEvents = this.views(anyUuid(t.eventId, ids), anyUuid(r.eventId, ids)).prepare(
      'tiers.views-by-events',
    );
  }

  async insert(tx: TicketsTx, values: typeof t.$inferInsert): Promise<TierRow> {
    const [row] = await tx.insert(t).values(values).returning();
    return row!;
  }

  /** Plain rows, no locks: for validating a request before its transaction. */
  findRows(ids: readonly string[]): Promise<TierRow[]> {
    return prepared('tiers.find', this.database.db.select().from(t).where(anyUuid(t.id, ids)));
  }

  async viewsByIds(ids: readonly string[]): Promise<TierView[]> {
    return (await this.byIds.execute({ ids: [...ids] })).map(toView);
  }

  /** Every tier of these events, oldest first, in one statement. */
  async viewsByEvents(eventIds: readonly string[]): Promise<TierView[]> {
    return (await this.byEvents.execute({ ids: [...eventIds] })).map(toView);
  }

  /** Tiers with their live holds: holds that ran out count as released even before the sweep. */
  private views(tierFilter: SQL, holdFilter: SQL) {
    const db = this.database.db;
    const expired = db.$with('expired').as(
      db
        .select({
          tierId: ri.tierId,
          quantity: sql<number>`sum(${ri.quantity})::int`.as('quantity'),
          lastExpiry: sql<Date>`max(${r.expiresAt})`.as('last_expiry'),
        })
        .from(r)
        .innerJoin(ri, eq(ri.reservationId, r.id))
        .where(and(eq(r.status, 'HELD'), lte(r.expiresAt, sql`now()`), holdFilter))
        .groupBy(ri.tierId),
    );
    return db
      .with(expired)
      .select({
        ...getTableColumns(t),
        expiredHeld: sql<number>`coalesce(${expired.quantity}, 0)`.mapWith(Number),
        lastExpiry: sql<Date | null>`${expired.lastExpiry}`.mapWith(t.updatedAt),
      })
      .from(t)
      .leftJoin(expired, eq(expired.tierId, t.id))
      .where(tierFilter)
      .orderBy(asc(t.createdAt), asc(t.id));
  }
}

function toView({
  expiredHeld,
  ...row
}: TierRow & { expiredHeld: number; lastExpiry: Date | null }): TierView {
  const liveHeld = Math.max(0, row.held - expiredHeld);
  return { ...row, liveHeld, available: row.capacity - row.sold - liveHeld };
}
