import { Inject, Injectable } from '@nestjs/common';
import { badInput, conflict, forbidden, isId, notFound } from '@marquee/subgraph-kit';
import { canManage, requireUser } from '../access.js';
import { MAX_CAPACITY, MAX_CENTS, MAX_PER_ORDER } from '../amounts.js';
import type { TicketsContext } from '../context.js';
import type { TicketsDatabase } from '../db/database.js';
import { inTransaction } from '../db/transaction.js';
import { EventDirectory } from '../event-directory/event-directory.service.js';
import type { TierInput } from '../generated/resolvers.js';
import { InventoryRepository } from '../inventory/inventory.repository.js';
import { DB, OUTBOX_KICK, type OutboxKick } from '../tokens.js';
import { TiersRepository, type TierView } from './tiers.repository.js';

const DEFAULT_MAX_PER_ORDER = 10;

@Injectable()
export class TiersService {
  constructor(
    private readonly repository: TiersRepository,
    private readonly inventory: InventoryRepository,
    private readonly directory: EventDirectory,
    @Inject(DB) private readonly database: TicketsDatabase,
    @Inject(OUTBOX_KICK) private readonly outbox: OutboxKick,
  ) {}

  /** The event's organizer or an ADMIN; not for a cancelled event. */
  async addTier(ctx: TicketsContext, eventId: string, input: TierInput): Promise<TierView> {
    requireUser(ctx.caller);
    if (!isId(eventId)) throw notFound('Event');
    const event = await this.directory.lookup(eventId, ctx.authorization, (e) => canManage(ctx.caller, e));
    if (!event) throw notFound('Event');
    if (!canManage(ctx.caller, event)) throw forbidden('Only the event organizer or an ADMIN can add tiers');
    if (event.status === 'CANCELLED') throw conflict('The event is cancelled', { reason: 'EVENT_CANCELLED' });
    const values = validate(input);
    const tier = await inTransaction(this.database.db, async (tx) => {
      const row = await this.repository.insert(tx, { ...values, eventId });
      await this.inventory.announce(tx, [eventId]);
      return row;
    });
    this.outbox.kick();
    return { ...tier, liveHeld: 0, available: tier.capacity, lastExpiry: null };
  }
}

function validate(input: TierInput) {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 100) throw badInput('name must be 1 to 100 characters', 'name');
  if (!Number.isInteger(input.priceCents) || input.priceCents < 0 || input.priceCents > MAX_CENTS)
    throw badInput(`priceCents must be a whole number from 0 to ${MAX_CENTS}`, 'priceCents');
  if (!/^[A-Z]{3}$/.test(input.currency))
    throw badInput('currency must be an ISO 4217 code such as EUR', 'currency');
  if (!Number.isInteger(input.capacity) || input.capacity < 1 || input.capacity > MAX_CAPACITY)
    throw badInput(`capacity must be between 1 and ${MAX_CAPACITY}`, 'capacity');
  // The SDL default (10) shrinks to fit a smaller tier; any other value must fit as given.
  const requested = input.maxPerOrder ?? DEFAULT_MAX_PER_ORDER;
  const maxPerOrder = requested === DEFAULT_MAX_PER_ORDER ? Math.min(requested, input.capacity) : requested;
  if (!Number.isInteger(maxPerOrder) || maxPerOrder < 1 || maxPerOrder > MAX_PER_ORDER)
    throw badInput(`maxPerOrder must be between 1 and ${MAX_PER_ORDER}`, 'maxPerOrder');
  if (maxPerOrder > input.capacity) throw badInput('maxPerOrder cannot exceed capacity', 'maxPerOrder');
  // A full order of this tier must have a total we can store (and charge).
  if (input.priceCents * maxPerOrder > MAX_CENTS)
    throw badInput(
      `priceCents x maxPerOrder must not exceed ${MAX_CENTS}: lower the price or maxPerOrder`,
      'priceCents',
    );
  const salesStartAt = input.salesStartAt ?? null;
  const salesEndAt = input.salesEndAt ?? null;
  if (salesStartAt && salesEndAt && salesStartAt >= salesEndAt)
    throw badInput('salesStartAt must be before salesEndAt', 'salesEndAt');
  return {
    name,
    priceCents: input.priceCents,
    currency: input.currency,
    capacity: input.capacity,
    maxPerOrder,
    salesStartAt,
    salesEndAt,
  };
}
