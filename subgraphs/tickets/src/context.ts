import type { Caller } from '@marquee/auth';
import type { TicketsLoaders } from './loaders.js';

/** What every resolver gets for one request: who calls, and this request's loaders. */
export interface TicketsContext {
  caller: Caller;
  /** The caller's Authorization header, forwarded when we ask the events subgraph. */
  authorization?: string;
  loaders: TicketsLoaders;
}
