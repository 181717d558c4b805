import type { Caller } from '@marquee/auth';
import type { UserLoader } from './users/users.loader.js';

/** What every resolver gets for one request: who calls, and this request's loaders. */
export interface UsersContext {
  caller: Caller;
  loaders: { user: UserLoader };
}
