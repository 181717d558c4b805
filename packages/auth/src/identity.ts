export const ROLES = ['ATTENDEE', 'ORGANIZER', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as every subgraph sees it after verifying the request. */
export interface Caller {
  /** Present when a valid access token came with the request. */
  user?: { id: string; roles: Role[] };
  /** Present when the gateway admitted the request with a partner API key. */
  partner?: { keyId: string };
}

export const anonymous: Caller = Object.freeze({});

export function hasRole(caller: Caller, role: Role): boolean {
  return caller.user?.roles.includes(role) ?? false;
}

export const isAdmin = (caller: Caller) => hasRole(caller, 'ADMIN');

/** Claims our access tokens carry besides the standard ones. */
export const TOKEN_ISSUER = 'marquee-users';
export const TOKEN_AUDIENCE = 'marquee';
