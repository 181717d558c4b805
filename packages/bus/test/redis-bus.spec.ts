import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { BusMessage } from '../src/bus.js';
import { clearRedisNamespace, RedisBus } from '../src/redis-bus.js';

const url = process.env.REDIS_URL;
const prefix = `marquee-test-${randomUUID()}`;
const buses: RedisBus[] = [];
const bus = () => {
  const b = new RedisBus({ url: url!, prefix, blockMs: 200, retryAfterMs: 400 });
  buses.push(b);
  return b;
};
const message = (topic: string, n: number): BusMessage => ({
  id: `test:${n}`,
  topic,
  payload: { n },
  occurredAt: new Date().toISOString(),
});
const until = async (check: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
};

afterAll(async () => {
  await Promise.all(buses.map((b) => b.close()));
  if (url) await clearRedisNamespace(url, prefix);
});

describe.skipIf(!url)('RedisBus (REDIS_URL)', () => {
  it('delivers each message once per group, shared among replicas', async () => {
    const a = bus();
    const b = bus();
    const seenA: number[] = [];
    const seenB: number[] = [];
    const seenOther: number[] = [];
    await a.subscribe('t.share', 'svc', async (m) => void seenA.push((m.payload as { n: number }).n));
    await b.subscribe('t.share', 'svc', async (m) => void seenB.push((m.payload as { n: number }).n));
    await a.subscribe('t.share', 'other', async (m) => void seenOther.push((m.payload as { n: number }).n));
    for (let n = 0; n < 20; n++) await a.publish(message('t.share', n));
    await until(() => seenA.length + seenB.length === 20 && seenOther.length === 20);
    expect([...seenA, ...seenB].sort((x, y) => x - y)).toEqual([...Array(20).keys()]);
    expect(seenOther).toEqual([...Array(20).keys()]);
  });

  it('keeps messages for a consumer that subscribes later', async () => {
    const publisher = bus();
    await publisher.publish(message('t.later', 1));
    const seen: number[] = [];
    await bus().subscribe('t.later', 'late', async (m) => void seen.push((m.payload as { n: number }).n));
    await until(() => seen.length === 1);
    expect(seen).toEqual([1]);
  });

  it('redelivers a message whose handler failed', async () => {
    const consumer = bus();
    let attempts = 0;
    await consumer.subscribe('t.fail', 'svc', async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('first try fails');
    });
    await consumer.publish(message('t.fail', 1));
    await until(() => attempts >= 2);
    expect(attempts).toBe(2);
  });
});
