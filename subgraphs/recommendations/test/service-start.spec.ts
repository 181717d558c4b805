import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { createTokenVerifier } from '@marquee/auth';
import { createTestIssuer } from '@marquee/auth/testing';
import { MemoryBus } from '@marquee/bus';
import { freshDatabase } from '@marquee/db/test-database';
import { connectionCount, freePort, type TestDatabase } from '@marquee/db/testing';
import { parseEnv } from '@marquee/env';
import { createLogger } from '@marquee/subgraph-kit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { recommendationsEnvSchema } from '../src/env.js';
import { startRecommendationsService } from '../src/service.js';

// Its consumers subscribe before it listens: a start that cannot listen gives them up, with the
// relay and the pool.
let database: TestDatabase;
beforeAll(async () => void (database = await freshDatabase()));
afterAll(() => database.drop());

describe('starting the recommendations service', () => {
  it('on a port in use: fails, and gives up its subscriptions, relay and pool', async () => {
    const port = await freePort();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    const bus = new MemoryBus();
    const subscribe = vi.spyOn(bus, 'subscribe');
    const logged: string[] = [];
    const env = parseEnv(recommendationsEnvSchema, {
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      INTERNAL_SECRET: randomBytes(16).toString('hex'),
      HOST: '127.0.0.1',
      // A relay left running would poll (and fail, on a closed pool) many times within a test.
      OUTBOX_POLL_MS: '50',
    });
    try {
      const starting = startRecommendationsService(env, {
        bus,
        port,
        log: createLogger('recommendations', 'warn', { write: (line: string) => void logged.push(line) }),
        verifier: createTokenVerifier({ jwks: (await createTestIssuer()).jwks }),
      });
      await expect(starting).rejects.toThrow(/EADDRINUSE|already in use/);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
    expect(subscribe).toHaveBeenCalled();
    expect(bus.subscriptionCount()).toBe(0);
    expect(await connectionCount(database.url, 'marquee-recommendations', { settle: true })).toBe(0);
    // A relay still polling the closed pool would have logged a failure by now (Nest logs the
    // listen error itself).
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(logged.filter((line) => line.includes('outbox'))).toEqual([]);
  });
});
