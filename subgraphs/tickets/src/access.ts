import { isAdmin, type Caller } from '@marquee/auth';
import { unauthenticated } from '@marquee/subgraph-kit';
import type { DirectoryEntry } from './event-directory/event-directory.repository.js';

/** The signed-in user, or UNAUTHENTICATED. */
export function requireUser(caller: Caller): { id: string } {
  if (!caller.user) throw unauthenticated();
  return caller.user;
}

export const isOrganizerOf = (caller: Caller, entry: DirectoryEntry | undefined | null) =>
  !!caller.user && !!entry && entry.organizerId === caller.user.id;

export const canManage = (caller: Caller, entry: DirectoryEntry | undefined | null) =>
  isOrganizerOf(caller, entry) || isAdmin(caller);
