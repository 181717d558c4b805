import { boundedLabels } from '@marquee/subgraph-kit';
import { describe, expect, it } from 'vitest';
import { SubscriptionQuota } from '../subscriptions/quota.js';
import { memoryApqStore } from './persisted.js';

describe('what callers can make the gateway keep', () => {
  it('APQ memory is bounded by bytes, not entries: 150 documents of 0.9 MB keep at most the budget', async () => {
    const store = memoryApqStore(16 * 1024 * 1024);
    for (let i = 0; i < 150; i++) await store.set(`hash-${i}`, `# ${String(i).padEnd(900_000, 'x')}\n{ a }`);
    let kept = 0;
    for (let i = 0; i < 150; i++) if (await store.get(`hash-${i}`)) kept++;
    // Each is ~1.8 MB as UTF-16: at most 8 fit in 16 MB, and the most recent are the ones kept.
    expect(kept).toBeLessThanOrEqual(9);
    expect(await store.get('hash-149')).toBeDefined();
    expect(await store.get('hash-0')).toBeUndefined();
  });

  it('metric labels come from a bounded set of bounded names', () => {
    const label = boundedLabels(3);
    expect(['a', 'b', 'a', 'c', 'd'].map(label)).toEqual(['a', 'b', 'a', 'other', 'other']);
    expect(boundedLabels()('x'.repeat(101))).toBe('other');
  });

  it('subscription quotas count per address and per user, and give places back', () => {
    const quota = new SubscriptionQuota({ perConnection: 5, perIp: 2, perUser: 3, connectionsPerIp: 1 });
    const first = quota.acquire('1.1.1.1', 'u1');
    const second = quota.acquire('1.1.1.1', 'u1');
    expect(typeof first).toBe('function');
    expect(quota.acquire('1.1.1.1', 'u2')).toEqual({ refused: expect.stringMatching(/per client address/) });
    expect(typeof quota.acquire('2.2.2.2', 'u1')).toBe('function');
    expect(quota.acquire('3.3.3.3', 'u1')).toEqual({ refused: expect.stringMatching(/per user/) });
    (first as () => void)();
    (first as () => void)(); // releasing twice gives back one place only
    expect(typeof quota.acquire('1.1.1.1', 'u3')).toBe('function');
    expect(quota.acquire('1.1.1.1', 'u3')).toHaveProperty('refused');
    void second;
    expect(quota.connect('9.9.9.9')).toBe(true);
    expect(quota.connect('9.9.9.9')).toBe(false);
    quota.disconnect('9.9.9.9');
    expect(quota.connect('9.9.9.9')).toBe(true);
  });
});
