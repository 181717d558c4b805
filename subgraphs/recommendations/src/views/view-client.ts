import { createHmac } from 'node:crypto';
import { addressBucket } from '@marquee/auth';

/** The UTC day of a view (`YYYY-MM-DD`): views are counted once per viewer, event and day. */
export const utcDay = (at: Date) => at.toISOString().slice(0, 10);

/** Turns a client's address and a day into the `client_key` an anonymous view is stored with. */
export type ViewClientKeyer = (clientIp: string, day: string) => string;

/**
 * Anonymous views are told apart by the client's address, but the address is never stored:
 * it is personal data, and interactions are kept for months and travel into backups and
 * evaluation dumps. A plain hash would not hide it (all of IPv4 is 2^32 guesses, minutes of
 * work), so the key is HMAC-SHA256 under a secret derived from INTERNAL_SECRET, which lives
 * only in the services' environment (every replica derives the same one; rotating the secret
 * lets a client count once more on that day, nothing worse). The day is hashed in too, so one
 * client's rows on different days cannot be linked even by whoever holds the key and the
 * database: counting only ever compares within a day. Truncated to 128 bits (22 base64url
 * characters): two clients colliding on one event and day is out of reach, and would cost one view.
 *
 * One client is an IPv4 address (also when IPv6-mapped) or an IPv6 /64, which is what one
 * subscriber gets: counting single IPv6 addresses would let one host be 2^64 viewers (see
 * addressBucket). Requests from other services carry no address (`unknown`): they share one
 * key, so together they count at most once per event and day.
 */
export function createViewClientKeyer(internalSecret: string): ViewClientKeyer {
  const key = createHmac('sha256', internalSecret)
    .update('marquee/recommendations/anonymous-view-client/v1')
    .digest();
  return (clientIp, day) =>
    createHmac('sha256', key)
      .update(`${day}\n${addressBucket(clientIp)}`)
      .digest()
      .subarray(0, 16)
      .toString('base64url');
}
