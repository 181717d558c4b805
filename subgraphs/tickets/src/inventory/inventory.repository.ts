import { Injectable } from '@nestjs/common';
import { and, asc, eq, sql } from 'drizzle-orm';
import { Topics, type AvailabilityChanged } from '@marquee/bus';
import { schema, type TicketsTx } from '../db/database.js';
import { anyUuid, prepared } from '@marquee/db';

export type TierRow = typeof schema.ticketTiers.$inferSelect;
export type LedgerKind = (typeof schema.ledgerKindEnum.enumValues)[number];

/** One change to one tier's counters, and why. */
export interface InventoryChange {
  tierId: string;
  eventId: string;
  kind: LedgerKind;
  soldDelta: number;
  heldDelta: number;
  reservationId?: string;
  orderId?: string;
}

/** A held reservation's items, as the release paths need them. */
export interface HoldToRelease {
  id: string;
  eventId: string;
  items: { tierId: string; quantity: number }[];
}

const tiers = schema.ticketTiers;
const reservations = schema.reservations;

/**
 * The only code that changes tier counters. Every change goes with a ledger row in the same
 * transaction; tier rows are always locked in id order, so two transactions touching the
 * same tiers queue instead of deadlocking. The CHECK constraint on ticket_tiers backs it all.
 * Statements are prepared, and those that do not depend on each other's results are sent
 * together (pipelined: one round trip; Postgres still runs them in order).
 */
@Injectable()
export class InventoryRepository {
  /** Locks the tiers (FOR UPDATE) in id order and returns them. */
  async lockTiers(tx: TicketsTx, tierIds: Iterable<string>): Promise<Map<string, TierRow>> {
    const ids = [...new Set(tierIds)].sort();
    if (ids.length === 0) return new Map();
    const rows = await prepared(
      'inventory.lock-tiers',
      tx.select().from(tiers).where(anyUuid(tiers.id, ids)).orderBy(asc(tiers.id)).for('update'),
    );
    return new Map(rows.map((row) => [row.id, row]));
  }

  /** Applies the changes (tiers must be locked already) and writes their ledger rows. */
  async apply(tx: TicketsTx, changes: InventoryChange[]): Promise<void> {
    if (changes.length === 0) return;
    const perTier = new Map<string, { sold: number; held: number }>();
    for (const change of changes) {
      const sum = perTier.get(change.tierId) ?? { sold: 0, held: 0 };
      sum.sold += change.soldDelta;
      sum.held += change.heldDelta;
      perTier.set(change.tierId, sum);
    }
    const updates = [...perTier]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([tierId, delta]) =>
        prepared(
          'inventory.apply',
          tx
            .update(tiers)
            .set({
              sold: sql`${tiers.sold} + ${delta.sold}`,
              held: sql`${tiers.held} + ${delta.held}`,
              updatedAt: sql`now()`,
            })
            .where(eq(tiers.id, tierId)),
        ),
      );
    const ledger = prepared(
      'inventory.ledger',
      tx.insert(schema.inventoryLedger).values(
        changes.map((c) => ({
          tierId: c.tierId,
          eventId: c.eventId,
          kind: c.kind,
          soldDelta: c.soldDelta,
          heldDelta: c.heldDelta,
          reservationId: c.reservationId ?? null,
          orderId: c.orderId ?? null,
        })),
      ),
    );
    await Promise.all([...updates, ledger]);
  }

  /**
   * Gives held seats back (the reservations must be locked and HELD): counters, ledger, the
   * reservations' new status, and an availability-changed per event.
   */
  async releaseHolds(
    tx: TicketsTx,
    holds: HoldToRelease[],
    outcome: { kind: 'EXPIRED' | 'RELEASED'; status: 'EXPIRED' | 'RELEASED' },
  ): Promise<void> {
    if (holds.length === 0) return;
    const changes = holds.flatMap((h) =>
      h.items.map((item) => ({
        tierId: item.tierId,
        eventId: h.eventId,
        kind: outcome.kind,
        soldDelta: 0,
        heldDelta: -item.quantity,
        reservationId: h.id,
      })),
    );
    const ids = holds.map((h) => h.id);
    await Promise.all([
      this.lockTiers(
        tx,
        changes.map((c) => c.tierId),
      ),
      this.apply(tx, changes),
      tx
        .update(reservations)
        .set({ status: outcome.status, updatedAt: sql`now()` })
        .where(and(anyUuid(reservations.id, ids), eq(reservations.status, 'HELD'))),
      this.announce(
        tx,
        holds.map((h) => h.eventId),
      ),
    ]);
  }

  /** One `tickets.availability-changed` per event, in the caller's transaction (outbox rows). */
  async announce(tx: TicketsTx, eventIds: Iterable<string>): Promise<void> {
    const changedAt = new Date().toISOString();
    const rows = [...new Set(eventIds)].map((eventId) => {
      const payload: AvailabilityChanged = { eventId, changedAt };
      return { topic: Topics.availabilityChanged, payload };
    });
    if (rows.length > 0) await prepared('inventory.announce', tx.insert(schema.outbox).values(rows));
  }
}
