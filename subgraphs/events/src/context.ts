import type { Caller } from '@marquee/auth';
import type { EventLoaders } from './events/events.loader.js';
import type { VenueLoader } from './venues/venues.loader.js';

/** What every resolver gets for one request: who calls, and this request's loaders. */
export interface EventsContext {
  caller: Caller;
  loaders: EventLoaders & { venue: VenueLoader };
}
