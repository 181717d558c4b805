import { INTERNAL_HEADER } from '@marquee/auth';
import { LRUCache } from 'lru-cache';
import { sha256 } from '../sha256.js';

export interface PartnerKey {
  id: string;
  rateLimitPerMinute: number;
}

/**
 * Partner key checks: the users subgraph answers (with the internal credential, through a
 * field the public schema cannot reach), and the answer, found or not, is cached for
 * `ttlMs` — so a revoked key stops working within that time, and keys never cost a database
 * round trip per request.
 */
export class ApiKeyVerifier {
  // Keyed by the key's hash (64 characters whatever the caller sent): 10,000 entries are ~2 MB.
  private readonly cache = new LRUCache<string, { key: PartnerKey | null; until: number }>({ max: 10_000 });
  private readonly inflight = new Map<string, Promise<PartnerKey | null>>();

  constructor(
    private readonly usersUrl: () => string,
    private readonly internalSecret: string,
    private readonly ttlMs: number,
  ) {}

  async verify(key: string): Promise<PartnerKey | null> {
    if (key.length > 200) return null;
    const hash = sha256(key);
    const cached = this.cache.get(hash);
    if (cached && cached.until > Date.now()) return cached.key;
    let pending = this.inflight.get(hash);
    if (!pending) {
      pending = this.lookup(hash).finally(() => this.inflight.delete(hash));
      this.inflight.set(hash, pending);
    }
    const found = await pending;
    this.cache.set(hash, { key: found, until: Date.now() + this.ttlMs });
    return found;
  }

  private async lookup(keyHash: string): Promise<PartnerKey | null> {
    const response = await fetch(this.usersUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', [INTERNAL_HEADER]: this.internalSecret },
      body: JSON.stringify({
        query:
          'query GatewayKeyCheck($h: String!) { activeApiKeyByHash(keyHash: $h) { id rateLimitPerMinute } }',
        variables: { h: keyHash },
      }),
      signal: AbortSignal.timeout(3_000),
    });
    const body = (await response.json()) as {
      data?: { activeApiKeyByHash: PartnerKey | null };
      errors?: unknown[];
    };
    if (!response.ok || body.errors || !body.data)
      throw new Error('users subgraph could not check the API key');
    return body.data.activeApiKeyByHash;
  }
}
