import { INTERNAL_HEADER } from '@marquee/auth';
import { sha256 } from './persisted.js';

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
  private readonly cache = new Map<string, { key: PartnerKey | null; until: number }>();
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
    if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value!);
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
