import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { createTokenVerifier } from '@marquee/auth';
import { createTestIssuer } from '@marquee/auth/testing';
import { MemoryBus, type Handler } from '@marquee/bus';
import { freshDatabase } from '@marquee/db/test-database';
import { connectionCount, freePort, type TestDatabase } from '@marquee/db/testing';
import { parseEnv } from '@marquee/env';
import { createLogger } from '@marquee/subgraph-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ticketsEnvSchema } from '../src/env.js';
import { startTicketsService } from '../src/service.js';

// A start that failed half-way used to leave its pool open, and, once it listened, its port,
// its outbox relay and the bus subscriptions made so far.
let database: TestDatabase;
beforeAll(async () => void (database = await freshDatabase()));
afterAll(() => database.drop());

/** An in-process bus that refuses its `refuse`-th subscription. */
class RefusingBus extends MemoryBus {
  private made = 0;
  constructor(private readonly refuse = Infinity) {
    super();
  }
  override async subscribe(topic: string, group: string, handler: Handler) {
    if (++this.made === this.refuse) throw new Error('subscription refused');
    return super.subscribe(topic, group, handler);
  }
}

async function start(bus: MemoryBus, port: number) {
  const logged: string[] = [];
  const env = parseEnv(ticketsEnvSchema, {
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    INTERNAL_SECRET: randomBytes(16).toString('hex'),
    HOST: '127.0.0.1',
    EVENTS_URL: 'http://127.0.0.1:9/graphql',
    // A relay left running would poll (and fail, on a closed pool) many times within a test.
    OUTBOX_POLL_MS: '50',
  });
  const service = startTicketsService(env, {
    bus,
    port,
    log: createLogger('tickets', 'warn', { write: (line: string) => void logged.push(line) }),
    verifier: createTokenVerifier({ jwks: (await createTestIssuer()).jwks }),
  });
  return { service, logged };
}

const poolConnections = (settle = false) => connectionCount(database.url, 'marquee-tickets', { settle });
const portIsFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

describe('starting the tickets service', () => {
  it('closes everything it opened: subscriptions, workers, relay, port and pool', async () => {
    const bus = new MemoryBus();
    const port = await freePort();
    const { service, logged } = await start(bus, port);
    const running = await service;
    expect(bus.subscriptionCount()).toBeGreaterThan(0);
    expect(await poolConnections()).toBeGreaterThan(0);
    await running.close();
    expect(bus.subscriptionCount()).toBe(0);
    expect(bus.listeningChannels()).toEqual([]);
    expect(await portIsFree(port)).toBe(true);
    expect(await poolConnections(true)).toBe(0);
    expect(logged).toEqual([]);
  });

  it('when a subscription fails after it listens: gives up what it opened and throws that error', async () => {
    const counting = new MemoryBus();
    const running = await (await start(counting, 0)).service;
    const subscriptions = counting.subscriptionCount();
    expect(subscriptions).toBeGreaterThan(1);
    await running.close();
    // The last subscription fails: every earlier one was made, the port and the relay run.
    const bus = new RefusingBus(subscriptions);
    const port = await freePort();
    const { service, logged } = await start(bus, port);
    await expect(service).rejects.toThrow('subscription refused');
    expect(bus.subscriptionCount()).toBe(0);
    expect(await portIsFree(port)).toBe(true);
    expect(await poolConnections(true)).toBe(0);
    // A relay still polling the closed pool would have logged a failure by now.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(logged).toEqual([]);
  });
});
