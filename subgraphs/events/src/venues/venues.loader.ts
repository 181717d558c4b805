import DataLoader from 'dataloader';
import type { VenueRow, VenuesRepository } from './venues.repository.js';

/** One query for every venue a request touches (Event.venue, Venue references, venue(id)). */
export function createVenueLoader(repository: VenuesRepository) {
  return new DataLoader<string, VenueRow | null>(async (ids) => {
    const rows = await repository.findByIds(ids);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

export type VenueLoader = ReturnType<typeof createVenueLoader>;
