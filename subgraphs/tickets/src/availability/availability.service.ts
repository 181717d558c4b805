import { Injectable } from '@nestjs/common';
import type { TicketsContext } from '../context.js';
import {
  EventDirectoryRepository,
  type DirectoryEntry,
} from '../event-directory/event-directory.repository.js';
import { TiersRepository, type TierView } from '../tiers/tiers.repository.js';

export type AvailabilityStatus = 'NOT_ON_SALE' | 'ON_SALE' | 'LOW' | 'SOLD_OUT' | 'CANCELLED';

export interface Availability {
  eventId: string;
  capacity: number;
  sold: number;
  held: number;
  available: number;
  status: AvailabilityStatus;
  tiers: { tierId: string; capacity: number; sold: number; held: number; available: number }[];
  updatedAt: Date;
}

export const inSalesWindow = (tier: Pick<TierView, 'salesStartAt' | 'salesEndAt'>, now: Date) =>
  (!tier.salesStartAt || tier.salesStartAt <= now) && (!tier.salesEndAt || now < tier.salesEndAt);

/** The numbers and the status, from the directory entry and the tiers (with live holds only). */
export function computeAvailability(
  eventId: string,
  entry: DirectoryEntry | null | undefined,
  tiers: TierView[],
  now = new Date(),
): Availability {
  const rows = tiers.map((t) => ({
    tierId: t.id,
    capacity: t.capacity,
    sold: t.sold,
    held: t.liveHeld,
    available: t.available,
  }));
  const sum = (pick: (row: (typeof rows)[number]) => number) => rows.reduce((n, row) => n + pick(row), 0);
  const capacity = sum((r) => r.capacity);
  const available = sum((r) => r.available);
  let status: AvailabilityStatus;
  if (entry?.status === 'CANCELLED') status = 'CANCELLED';
  else if (
    !entry ||
    entry.status !== 'PUBLISHED' ||
    entry.endsAt <= now ||
    !tiers.some((t) => inSalesWindow(t, now))
  )
    status = 'NOT_ON_SALE';
  else if (available === 0) status = 'SOLD_OUT';
  else if (available <= Math.max(1, capacity * 0.1)) status = 'LOW';
  else status = 'ON_SALE';
  const moments = [
    entry?.updatedAt,
    ...tiers.flatMap((t) => [t.updatedAt, t.lastExpiry ?? undefined]),
  ].filter((d): d is Date => !!d);
  const updatedAt = moments.length ? new Date(Math.max(...moments.map((d) => d.getTime()))) : now;
  return {
    eventId,
    capacity,
    sold: sum((r) => r.sold),
    held: sum((r) => r.held),
    available,
    status,
    tiers: rows,
    updatedAt,
  };
}

@Injectable()
export class AvailabilityService {
  constructor(
    private readonly tiers: TiersRepository,
    private readonly directory: EventDirectoryRepository,
  ) {}

  /** Through the request's loaders: a catalogue of events costs two statements. */
  async forEvent({ loaders }: TicketsContext, eventId: string): Promise<Availability> {
    const [entry, tiers] = await Promise.all([
      loaders.directory.load(eventId),
      loaders.tiersByEvent.load(eventId),
    ]);
    return computeAvailability(eventId, entry, tiers);
  }

  /** Uncached: what a subscription pushes after each change. */
  async current(eventId: string): Promise<Availability> {
    const [entry, tiers] = await Promise.all([
      this.directory.find(eventId),
      this.tiers.viewsByEvents([eventId]),
    ]);
    return computeAvailability(eventId, entry, tiers);
  }
}
