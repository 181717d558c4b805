import { Injectable } from '@nestjs/common';
import type { Caller } from '@marquee/auth';
import { isId } from '@marquee/subgraph-kit';
import { requireOrganizer } from '../access.js';
import type { EventsContext } from '../context.js';
import type { CreateVenueInput } from '../generated/resolvers.js';
import { validateVenue } from './venue-input.js';
import { VenuesRepository, type VenueRow } from './venues.repository.js';

@Injectable()
export class VenuesService {
  constructor(private readonly repository: VenuesRepository) {}

  async create(caller: Caller, input: CreateVenueInput): Promise<VenueRow> {
    const organizer = requireOrganizer(caller);
    const fields = validateVenue(input);
    return this.repository.insert({ ...fields, createdBy: organizer.id });
  }

  /** Venues are public; unknown or malformed ids are simply absent. */
  async byId({ loaders }: EventsContext, id: string): Promise<VenueRow | null> {
    if (!isId(id)) return null;
    return loaders.venue.load(id);
  }
}
