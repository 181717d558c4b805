import { hasRole, isAdmin, type Caller } from '@marquee/auth';
import { forbidden, isId, unauthenticated } from '@marquee/subgraph-kit';

/** Who may create venues and events: a signed-in ORGANIZER or ADMIN. Returns the caller. */
export function requireOrganizer(caller: Caller): { id: string } {
  if (!caller.user) throw unauthenticated();
  if (!(hasRole(caller, 'ORGANIZER') || isAdmin(caller)) || !isId(caller.user.id)) {
    throw forbidden('Only organizers and admins can do this');
  }
  return caller.user;
}

/** The event's organizer (still holding ORGANIZER) or any ADMIN. */
export function canManage(caller: Caller, event: { organizerId: string }): boolean {
  return isAdmin(caller) || (hasRole(caller, 'ORGANIZER') && caller.user?.id === event.organizerId);
}

/** DRAFT events are seen by their organizer and ADMINs only. */
export function canSeeDrafts(caller: Caller, organizerId: string): boolean {
  return isAdmin(caller) || caller.user?.id === organizerId;
}

export function isVisible(caller: Caller, event: { status: string; organizerId: string }): boolean {
  return event.status !== 'DRAFT' || canSeeDrafts(caller, event.organizerId);
}
