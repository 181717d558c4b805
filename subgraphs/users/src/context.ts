import type { Caller } from '@marquee/auth';
import type { UserLoader } from './users/users.loader.js';

/** What every resolver gets for one request: who calls, from where, and this request's loaders. */
export interface UsersContext {
  caller: Caller;
  /** The end client's address as the gateway forwarded it (`unknown` otherwise): for throttles. */
  clientIp: string;
  loaders: { user: UserLoader };
}
