import type { Caller } from '@marquee/auth';
import type { SimilarEventsLoader } from './similar-events/similar-events.loader.js';

/** What every resolver gets for one request: who calls, one `now`, and this request's loaders. */
export interface RecommendationsContext {
  caller: Caller;
  /** Every field of one request ranks at the same instant. */
  now: Date;
  loaders: { similarEvents: SimilarEventsLoader };
}

/** Event results are references; the events subgraph resolves the rest. */
export const eventRef = (id: string) => ({ __typename: 'Event' as const, id });
