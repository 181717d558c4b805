import { Inject, Injectable } from '@nestjs/common';
import { badInput, conflict, forbidden, isId, notFound } from '@marquee/subgraph-kit';
import { requireUser } from '../access.js';
import type { TicketsContext } from '../context.js';
import type { TicketsDatabase, TicketsTx } from '../db/database.js';
import { inTransaction } from '../db/transaction.js';
import { EventDirectoryRepository } from '../event-directory/event-directory.repository.js';
import { EventDirectory } from '../event-directory/event-directory.service.js';
import type { ReservationItemInput } from '../generated/resolvers.js';
import { InventoryRepository, type TierRow } from '../inventory/inventory.repository.js';
import { checkKey, replay, requestHash } from '../idempotency.js';
import { inSalesWindow } from '../availability/availability.service.js';
import { TiersRepository } from '../tiers/tiers.repository.js';
import { CONFIG, DB, OUTBOX_KICK, type OutboxKick } from '../tokens.js';
import { holdCeilingSeconds, type TicketsEnv } from '../env.js';
import { TicketsMetrics } from '../metrics.js';
import { MAX_CENTS, MAX_PER_ORDER } from '../amounts.js';
import { decideHold, type HoldLimitSettings } from './hold-limits.js';
import { HoldLimitsRepository } from './hold-limits.repository.js';
import { ReservationsRepository, type ReservationRow } from './reservations.repository.js';

const MAX_ITEMS = 20;
/** Lazy expiry stays short: a backlog beyond this is the sweeper's. */
const STALE_PER_HOLD = 50;
const notOnSale = (message: string) => conflict(message, { reason: 'NOT_ON_SALE' });
const cancelled = () => conflict('The event is cancelled', { reason: 'EVENT_CANCELLED' });

/** A hold past its expiry is EXPIRED to every reader, swept or not. */
export function reportedStatus(r: Pick<ReservationRow, 'status' | 'expiresAt'>, now = new Date()) {
  return r.status === 'HELD' && r.expiresAt <= now ? 'EXPIRED' : r.status;
}

@Injectable()
export class ReservationsService {
  private readonly limits: HoldLimitSettings;

  constructor(
    private readonly repository: ReservationsRepository,
    private readonly holdLimits: HoldLimitsRepository,
    private readonly tiers: TiersRepository,
    private readonly inventory: InventoryRepository,
    private readonly directory: EventDirectory,
    private readonly directoryRows: EventDirectoryRepository,
    @Inject(DB) private readonly database: TicketsDatabase,
    @Inject(CONFIG) private readonly env: TicketsEnv,
    @Inject(OUTBOX_KICK) private readonly outbox: OutboxKick,
    private readonly metrics: TicketsMetrics,
  ) {
    this.limits = {
      maxLiveHolds: env.MAX_LIVE_HOLDS_PER_USER,
      ceilingSeconds: holdCeilingSeconds(env),
      cooldownSeconds: env.RESERVATION_TTL_SECONDS,
    };
  }

  async reserve(ctx: TicketsContext, eventId: string, input: ReservationItemInput[], key: string) {
    const user = requireUser(ctx.caller);
    if (!isId(eventId)) throw notFound('Event');
    checkKey(key);
    const items = checkItems(input);
    const hash = requestHash({ eventId, items });
    const earlier = await this.repository.findByKey(user.id, key);
    if (earlier) return replay(earlier, hash);

    const now = new Date();
    const event = await this.directory.lookup(
      eventId,
      ctx.authorization,
      (e) => e.status === 'PUBLISHED' && e.endsAt > now,
    );
    if (!event) throw notFound('Event');
    if (event.status === 'CANCELLED') throw cancelled();
    if (event.status !== 'PUBLISHED' || event.endsAt <= now) throw notOnSale('The event is not on sale');
    const tiers = await this.checkTiers(eventId, items, now);
    await this.refuseIfFull(eventId, items, tiers);
    const currency = tiers.get(items[0]!.tierId)!.currency;
    const totalCents = items.reduce((sum, i) => sum + i.quantity * tiers.get(i.tierId)!.priceCents, 0);
    if (totalCents > MAX_CENTS)
      throw badInput(`The total may be at most ${MAX_CENTS} (minor units): reserve fewer tickets`, 'items');
    const tierIds = items.map((i) => i.tierId);

    const outcome = await inTransaction(this.database.db, async (tx) => {
      // Sent together (one round trip): this user's lock first (their other holds in flight
      // commit before we count), their live holds and holding windows, the event's entry under
      // a share lock (a cancellation waits for us, or we see it), the reservation, and the
      // tiers locked in id order.
      const [, live, windows, entry, inserted, locked] = await Promise.all([
        this.holdLimits.lockUser(tx, user.id),
        this.holdLimits.liveHolds(tx, user.id, tierIds),
        this.holdLimits.windows(tx, user.id, tierIds),
        this.directoryRows.lockShared(tx, eventId),
        this.repository.insertHeld(
          tx,
          { userId: user.id, eventId, totalCents, currency, idempotencyKey: key, requestHash: hash },
          this.env.RESERVATION_TTL_SECONDS,
        ),
        this.inventory.lockTiers(tx, tierIds),
      ]);
      if (entry?.status === 'CANCELLED') throw cancelled();
      if (!inserted) return undefined; // a concurrent request with this key won
      // created_at is this transaction's now(): the clock expiry is measured by.
      const limit = decideHold({ now: inserted.createdAt, items, tiers, live, windows }, this.limits);
      const reservation =
        limit.until < inserted.expiresAt ? { ...inserted, expiresAt: limit.until } : inserted;
      const expired = await this.hold(tx, reservation, items, tiers, locked, () => [
        this.holdLimits.startWindows(tx, user.id, limit.newWindows),
        ...(reservation === inserted ? [] : [this.holdLimits.endBy(tx, reservation.id, limit.until)]),
      ]);
      return { reservation, expired };
    });
    if (!outcome) return replay((await this.repository.findByKey(user.id, key))!, hash);
    this.metrics.expired(outcome.expired);
    this.outbox.kick();
    return outcome.reservation;
  }

  /**
   * Inside the reservation's transaction, tiers locked: take the seats, all or nothing. Holds
   * that ran out but were not swept yet do not count: if seats are short, those on these
   * tiers are expired first (lazy expiry), so expiry never depends on a worker running.
   * `alsoWrite` goes out with the hold's own writes. Returns how many holds it expired.
   */
  private async hold(
    tx: TicketsTx,
    reservation: ReservationRow,
    items: ReservationItemInput[],
    tiers: Map<string, TierRow>,
    locked: Map<string, TierRow>,
    alsoWrite: () => Promise<void>[],
  ) {
    const shortOf = (freed: Map<string, number>) =>
      items.find((i) => {
        const tier = locked.get(i.tierId)!;
        return tier.sold + tier.held - (freed.get(tier.id) ?? 0) + i.quantity > tier.capacity;
      });
    let freed = { seats: new Map<string, number>(), holds: 0 };
    if (shortOf(freed.seats))
      freed = await this.expireStale(
        tx,
        reservation.eventId,
        items.map((i) => i.tierId),
      );
    const short = shortOf(freed.seats);
    if (short) {
      const tier = locked.get(short.tierId)!;
      throw conflict(`Not enough seats left in ${tier.name}`, { reason: 'SOLD_OUT', tierId: tier.id });
    }
    await Promise.all([
      this.inventory.apply(
        tx,
        items.map((i) => ({
          tierId: i.tierId,
          eventId: reservation.eventId,
          kind: 'HELD' as const,
          soldDelta: 0,
          heldDelta: i.quantity,
          reservationId: reservation.id,
        })),
      ),
      this.repository.insertItems(
        tx,
        items.map((i) => ({
          reservationId: reservation.id,
          tierId: i.tierId,
          quantity: i.quantity,
          unitPriceCents: tiers.get(i.tierId)!.priceCents,
        })),
      ),
      this.inventory.announce(tx, [reservation.eventId]),
      ...alsoWrite(),
    ]);
    return freed.holds;
  }

  /**
   * Sold out by committed counters, with no run-out hold on these tiers left to free: refused
   * without a transaction or a lock (a sold-out rush never queues on the tier's row). A seat
   * freed a moment later is no different from this request arriving a moment earlier.
   */
  private async refuseIfFull(eventId: string, items: ReservationItemInput[], tiers: Map<string, TierRow>) {
    const full = items.find((i) => {
      const tier = tiers.get(i.tierId)!;
      return tier.sold + tier.held + i.quantity > tier.capacity;
    });
    if (!full) return;
    const tierIds = items.map((i) => i.tierId);
    if (await this.repository.hasStaleHoldsOnTiers(eventId, tierIds)) return; // the transaction frees them
    const tier = tiers.get(full.tierId)!;
    throw conflict(`Not enough seats left in ${tier.name}`, { reason: 'SOLD_OUT', tierId: tier.id });
  }

  /** Expires the run-out holds on these tiers that nobody else has locked: seats freed per tier. */
  private async expireStale(tx: TicketsTx, eventId: string, tierIds: string[]) {
    const stale = await this.repository.staleHoldsOnTiers(tx, eventId, tierIds, STALE_PER_HOLD);
    // Holds another transaction has locked (the sweeper, say) are left to it.
    const expirable = await this.repository.lockStale(
      tx,
      stale.map((h) => h.id),
    );
    const expired = stale.filter((h) => expirable.has(h.id));
    await this.inventory.releaseHolds(tx, expired, { kind: 'EXPIRED', status: 'EXPIRED' });
    const seats = new Map<string, number>();
    for (const item of expired.flatMap((h) => h.items))
      seats.set(item.tierId, (seats.get(item.tierId) ?? 0) + item.quantity);
    return { seats, holds: expired.length };
  }

  /** The owner only. HELD -> RELEASED; RELEASED again is a no-op; CONFIRMED or EXPIRED: CONFLICT. */
  async release(ctx: TicketsContext, id: string): Promise<ReservationRow> {
    const user = requireUser(ctx.caller);
    if (!isId(id)) throw notFound('Reservation');
    const existing = await this.repository.findById(id);
    if (!existing) throw notFound('Reservation');
    if (existing.userId !== user.id) throw forbidden('Only the owner can release a reservation');
    const result = await inTransaction(this.database.db, async (tx) => {
      const row = (await this.repository.lock(tx, id))!;
      if (row.status !== 'HELD') return row;
      const [hold] = await this.holdsOf(tx, row);
      if (row.expired) {
        await this.inventory.releaseHolds(tx, [hold!], { kind: 'EXPIRED', status: 'EXPIRED' });
        return { ...row, status: 'EXPIRED' as const };
      }
      await this.inventory.releaseHolds(tx, [hold!], { kind: 'RELEASED', status: 'RELEASED' });
      return { ...row, status: 'RELEASED' as const, updatedAt: new Date() };
    });
    this.outbox.kick();
    if (result.status === 'RELEASED') return result;
    if (result.status === 'EXPIRED') {
      this.metrics.expired(1);
      throw conflict('The hold has expired', { reason: 'HOLD_EXPIRED' });
    }
    throw conflict('The reservation was already paid', { reason: 'RESERVATION_CONFIRMED' });
  }

  private async holdsOf(tx: TicketsTx, row: ReservationRow) {
    const items = await this.repository.itemsOf([row.id], tx);
    return [{ id: row.id, eventId: row.eventId, items }];
  }

  private async checkTiers(
    eventId: string,
    items: ReservationItemInput[],
    now: Date,
  ): Promise<Map<string, TierRow>> {
    const rows = await this.tiers.findRows(items.map((i) => i.tierId));
    const tiers = new Map(rows.map((t) => [t.id, t]));
    for (const item of items) {
      const tier = tiers.get(item.tierId);
      if (!tier || tier.eventId !== eventId) throw badInput('A tier does not belong to this event', 'items');
      if (item.quantity > tier.maxPerOrder)
        throw badInput(`At most ${tier.maxPerOrder} tickets of ${tier.name} per order`, 'items');
      if (!inSalesWindow(tier, now)) throw notOnSale(`${tier.name} is not on sale now`);
    }
    if (new Set(rows.map((t) => t.currency)).size > 1)
      throw badInput('All tiers of one reservation must share a currency', 'items');
    return tiers;
  }
}

/** Shape rules that need no database: sorted by tier, so the hash ignores item order. */
function checkItems(items: ReservationItemInput[]): ReservationItemInput[] {
  if (items.length === 0) throw badInput('Reserve at least one ticket', 'items');
  if (items.length > MAX_ITEMS) throw badInput(`At most ${MAX_ITEMS} tiers per reservation`, 'items');
  const seen = new Set<string>();
  for (const item of items) {
    if (!isId(item.tierId)) throw badInput('Unknown tier', 'items');
    if (seen.has(item.tierId)) throw badInput('Each tier may appear only once', 'items');
    seen.add(item.tierId);
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > MAX_PER_ORDER)
      throw badInput(`quantity must be between 1 and ${MAX_PER_ORDER}`, 'items');
  }
  return [...items]
    .map((i) => ({ tierId: i.tierId, quantity: i.quantity }))
    .sort((a, b) => a.tierId.localeCompare(b.tierId));
}
