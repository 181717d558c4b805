import type { Caller } from '@marquee/auth';
import type { SimilarEventsLoader } from './similar-events/similar-events.loader.js';

/** What every resolver gets for one request: who calls, one `now`, and this request's loaders. */
export interface RecommendationsContext {
  caller: Caller;
  /** The end client's address as the gateway forwarded it (`unknown` if none); never stored. */
  clientIp: string;
  /** Every field of one request ranks at the same instant. */
  now: Date;
  /** How many recordEventView fields this request has run: at most one counts (the service's wall). */
  viewFields: number;
  loaders: { similarEvents: SimilarEventsLoader };
}

/** Event results are references; the events subgraph resolves the rest. */
export const eventRef = (id: string) => ({ __typename: 'Event' as const, id });
