import DataLoader from 'dataloader';
import type { DiscoveryRepository, OrganizedCount, OrganizedRequest } from './discovery.repository.js';
import type { EventRow, EventsRepository } from './events.repository.js';

/** Per-request loaders: one statement per kind of lookup, however many times a request fans out. */
export function createEventLoaders(events: EventsRepository, discovery: DiscoveryRepository) {
  return {
    /** Rows by id, before any visibility check (the service applies it). */
    event: new DataLoader<string, EventRow | null>(async (ids) => {
      const rows = await events.findByIds(ids);
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    /** User.organizedEvents for every user of a request (a catalogue fans out to its organizers). */
    organizedEvents: new DataLoader<OrganizedRequest, EventRow[], string>(
      (requests) => discovery.organizedPages(requests),
      {
        // Six parameters per request: stay far below Postgres' 65,535.
        maxBatchSize: 1_000,
        cacheKeyFn: (r) =>
          JSON.stringify([r.organizerId, r.limit, r.after?.s ?? null, r.after?.i ?? null, r.includeDrafts]),
      },
    ),
    organizedCount: new DataLoader<string, OrganizedCount>(async (organizerIds) => {
      const counts = await discovery.organizedCounts(organizerIds);
      return organizerIds.map((id) => counts.get(id) ?? { all: 0, visible: 0 });
    }),
  };
}

export type EventLoaders = ReturnType<typeof createEventLoaders>;
