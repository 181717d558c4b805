import DataLoader from 'dataloader';
import type {
  DirectoryEntry,
  EventDirectoryRepository,
} from './event-directory/event-directory.repository.js';
import type { OrderRow, OrdersRepository, TicketRow } from './orders/orders.repository.js';
import type { ReservationItemRow, ReservationsRepository } from './reservations/reservations.repository.js';
import type { TierView, TiersRepository } from './tiers/tiers.repository.js';

export interface LoaderSources {
  tiers: TiersRepository;
  directory: EventDirectoryRepository;
  reservations: ReservationsRepository;
  orders: OrdersRepository;
}

function byKey<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): (V | null)[] {
  const map = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => map.get(key) ?? null);
}

function groupBy<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): V[][] {
  const map = new Map<K, V[]>();
  for (const row of rows) map.set(keyOf(row), [...(map.get(keyOf(row)) ?? []), row]);
  return keys.map((key) => map.get(key) ?? []);
}

/**
 * Per-request DataLoaders: every entity reference and every field that fans out is one
 * statement per request, however many parents ask (e.g. a catalogue of 20 events).
 */
export function createLoaders(sources: LoaderSources) {
  return {
    tier: new DataLoader<string, TierView | null>(async (ids) =>
      byKey(ids, await sources.tiers.viewsByIds(ids), (t) => t.id),
    ),
    tiersByEvent: new DataLoader<string, TierView[]>(async (eventIds) =>
      groupBy(eventIds, await sources.tiers.viewsByEvents(eventIds), (t) => t.eventId),
    ),
    directory: new DataLoader<string, DirectoryEntry | null>(async (eventIds) =>
      byKey(eventIds, await sources.directory.findMany(eventIds), (e) => e.eventId),
    ),
    reservationItems: new DataLoader<string, ReservationItemRow[]>(async (ids) =>
      groupBy(ids, await sources.reservations.itemsOf(ids), (i) => i.reservationId),
    ),
    order: new DataLoader<string, OrderRow | null>(async (ids) =>
      byKey(ids, await sources.orders.findByIds(ids), (o) => o.id),
    ),
    ticketsByOrder: new DataLoader<string, TicketRow[]>(async (orderIds) =>
      groupBy(orderIds, await sources.orders.ticketsOf(orderIds), (t) => t.orderId),
    ),
  };
}

export type TicketsLoaders = ReturnType<typeof createLoaders>;
