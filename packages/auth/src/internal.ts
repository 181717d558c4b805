import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The gateway's credential: subgraphs refuse any request without it, so nobody can skip the
 * gateway's checks by calling a subgraph directly. Services that call a subgraph themselves
 * (e.g. tickets asking events about an event) present it too.
 */
export const INTERNAL_HEADER = 'x-marquee-internal';
/** Set by the gateway, trusted only alongside a valid internal credential. */
export const PARTNER_KEY_HEADER = 'x-marquee-partner-key';
/**
 * The client's address as the gateway determined it (TRUST_PROXY_HOPS applied), for per-IP
 * throttles in subgraphs (sign-in, sign-up, anonymous views). Trusted only alongside a valid
 * internal credential.
 */
export const CLIENT_IP_HEADER = 'x-marquee-client-ip';

export function internalSecretMatches(provided: string | undefined, expected: string): boolean {
  if (!provided) return false;
  // Hashing first gives equal lengths, so the comparison time says nothing about the secret.
  const a = createHash('sha256').update(provided).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
