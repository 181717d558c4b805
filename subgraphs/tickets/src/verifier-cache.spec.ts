import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TokenVerifier } from '@marquee/auth';
import { cachingVerifier } from './verifier-cache.js';

/** An unsigned token with these claims: the cache reads `exp` only after the inner verifier passed it. */
const tokenWith = (claims: Record<string, unknown>) =>
  `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

/** Accepts everything until told otherwise, counting calls: what the cache saves, and what it must not. */
function inner() {
  const state = { calls: 0, accept: true };
  const verifier: TokenVerifier = {
    verify: async () => {
      state.calls += 1;
      if (!state.accept) throw new Error('rejected');
      return { id: 'user-1', roles: ['ATTENDEE'] };
    },
  };
  return { state, verifier };
}

beforeEach(() => void vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') }));
afterEach(() => void vi.useRealTimers());

describe('the tickets verifier cache', () => {
  it('verifies a token once while it lives', async () => {
    const { state, verifier } = inner();
    const cached = cachingVerifier(verifier);
    const token = tokenWith({ exp: Date.now() / 1000 + 900 });
    await cached.verify(token);
    await cached.verify(token);
    expect(state.calls).toBe(1);
  });

  it('never answers from the cache at or after exp, however recently it verified', async () => {
    const { state, verifier } = inner();
    const cached = cachingVerifier(verifier);
    const token = tokenWith({ exp: Date.now() / 1000 + 5 });
    await cached.verify(token);
    state.accept = false;
    vi.advanceTimersByTime(5_000);
    await expect(cached.verify(token)).rejects.toThrow('rejected');
  });

  it('trusts a long-lived token for a minute at most', async () => {
    const { state, verifier } = inner();
    const cached = cachingVerifier(verifier);
    const token = tokenWith({ exp: Date.now() / 1000 + 900 });
    await cached.verify(token);
    state.accept = false;
    vi.advanceTimersByTime(60_000);
    await expect(cached.verify(token)).rejects.toThrow('rejected');
  });

  it('caches nothing for a token without exp, even if a verifier let it through', async () => {
    const { state, verifier } = inner();
    const cached = cachingVerifier(verifier);
    const token = tokenWith({ sub: 'user-1' });
    await cached.verify(token);
    await cached.verify(token);
    expect(state.calls).toBe(2);
  });
});
