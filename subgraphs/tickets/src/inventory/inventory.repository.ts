import { Injectable } from '@nestjs/common';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { appendToOutbox, Topics, type AvailabilityChanged } from '@marquee/bus';
import { schema, type TicketsTx } from '../db/database.js';

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
 */
@Injectable()
export class InventoryRepository {
  /** Locks the tiers (FOR UPDATE) in id order and returns them. */
  async lockTiers(tx: TicketsTx, tierIds: Iterable<string>): Promise<Map<string, TierRow>> {
    const ids = [...new Set(tierIds)].sort();
    if (ids.length === 0) return new Map();
    const rows = await tx
      .select()
      .from(tiers)
      .where(inArray(tiers.id, ids))
      .orderBy(asc(tiers.id))
      .for('update');
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
    for (const [tierId, delta] of [...perTier].sort(([a], [b]) => a.localeCompare(b))) {
      await tx
        .update(tiers)
        .set({
          sold: sql`${tiers.sold} + ${delta.sold}`,
          held: sql`${tiers.held} + ${delta.held}`,
          updatedAt: sql`now()`,
        })
        .where(eq(tiers.id, tierId));
    }
    await tx.insert(schema.inventoryLedger).values(
      changes.map((c) => ({
        tierId: c.tierId,
        eventId: c.eventId,
        kind: c.kind,
        soldDelta: c.soldDelta,
        heldDelta: c.heldDelta,
        reservationId: c.reservationId ?? null,
        orderId: c.orderId ?? null,
      })),
    );
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
    await this.lockTiers(
      tx,
      holds.flatMap((h) => h.items.map((i) => i.tierId)),
    );
    await this.apply(
      tx,
      holds.flatMap((h) =>
        h.items.map((item) => ({
          tierId: item.tierId,
          eventId: h.eventId,
          kind: outcome.kind,
          soldDelta: 0,
          heldDelta: -item.quantity,
          reservationId: h.id,
        })),
      ),
    );
    await tx
      .update(reservations)
      .set({ status: outcome.status, updatedAt: sql`now()` })
      .where(
        and(
          inArray(
            reservations.id,
            holds.map((h) => h.id),
          ),
          eq(reservations.status, 'HELD'),
        ),
      );
    await this.announce(
      tx,
      holds.map((h) => h.eventId),
    );
  }

  /** One `tickets.availability-changed` per event, in the caller's transaction. */
  async announce(tx: TicketsTx, eventIds: Iterable<string>): Promise<void> {
    const changedAt = new Date().toISOString();
    for (const eventId of new Set(eventIds)) {
      const payload: AvailabilityChanged = { eventId, changedAt };
      await appendToOutbox(tx, schema.outbox, Topics.availabilityChanged, payload);
    }
  }
}
