import type { TokenVerifier } from '@marquee/auth';

type Identity = Awaited<ReturnType<TokenVerifier['verify']>>;

/** Longest a verified token is trusted from the cache, however long it still has to live. */
const MAX_TRUST_MS = 60_000;

/** `exp` (seconds) of a token that was just verified, so its payload is known to be well-formed. */
function expiryOf(token: string): number {
  const payload = token.split('.')[1] ?? '';
  const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
  return typeof exp === 'number' ? exp * 1000 : 0;
}

/**
 * Remembers the identities of tokens it verified, until the token expires (at most a minute),
 * in a bounded LRU. A buyer's hold and checkout carry the same access token; verifying an
 * EdDSA signature costs more CPU than the rest of a cheap request, so each token is checked
 * once per minute per replica. Failures are never cached.
 */
export function cachingVerifier(inner: TokenVerifier, maxEntries = 10_000): TokenVerifier {
  const cache = new Map<string, { identity: Identity; until: number }>();
  return {
    async verify(token) {
      const now = Date.now();
      const hit = cache.get(token);
      if (hit && hit.until > now) {
        cache.delete(token); // most recently used goes last
        cache.set(token, hit);
        return hit.identity;
      }
      if (hit) cache.delete(token);
      const identity = await inner.verify(token);
      cache.set(token, { identity, until: Math.min(expiryOf(token), now + MAX_TRUST_MS) });
      if (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
      return identity;
    },
  };
}
