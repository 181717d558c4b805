import { isAdmin, type Caller } from '@marquee/auth';
import { forbidden, unauthenticated } from '@marquee/subgraph-kit';

/** ADMIN-only operations: UNAUTHENTICATED without a signed-in user, FORBIDDEN for anyone else. */
export function requireAdmin(caller: Caller, refusal: string): { id: string } {
  if (!caller.user) throw unauthenticated();
  if (!isAdmin(caller)) throw forbidden(refusal);
  return caller.user;
}
