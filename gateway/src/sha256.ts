import { createHash } from 'node:crypto';

/**
 * The SHA-256 hex of the parts, joined by NUL: one part for persisted ids and API key hashes,
 * several for cache and fan-out keys built from client input (the separator keeps `ab`+`c`
 * apart from `a`+`bc`). Chained updates, so long documents are not copied to be joined.
 */
export function sha256(...parts: string[]): string {
  const hash = createHash('sha256');
  parts.forEach((part, index) => {
    if (index > 0) hash.update('\0');
    hash.update(part);
  });
  return hash.digest('hex');
}
