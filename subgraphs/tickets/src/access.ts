import { hasRole, isAdmin, type Caller } from '@marquee/auth';
import { unauthenticated } from '@marquee/subgraph-kit';
import type { DirectoryEntry } from './event-directory/event-directory.repository.js';

/** The signed-in user, or UNAUTHENTICATED. */
export function requireUser(caller: Caller): { id: string } {
  if (!caller.user) throw unauthenticated();
  return caller.user;
}

/** The event's organizer: its owner, still holding the ORGANIZER role (as the events subgraph decides). */
export const isOrganizerOf = (caller: Caller, entry: DirectoryEntry | undefined | null) =>
  !!caller.user && !!entry && entry.organizerId === caller.user.id && hasRole(caller, 'ORGANIZER');

/** The event's organizer or any ADMIN. */
export const canManage = (caller: Caller, entry: DirectoryEntry | undefined | null) =>
  isOrganizerOf(caller, entry) || isAdmin(caller);
