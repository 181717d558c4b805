import { afterEach, describe, expect, it, vi } from 'vitest';
import { runStandalone } from './standalone.js';
import { busSubgraphEnv, subgraphEnv } from './subgraph-env.js';

afterEach(() => vi.restoreAllMocks());

const source = {
  DATABASE_URL: 'postgres://db/test',
  INTERNAL_SECRET: 'x'.repeat(32),
  LOG_LEVEL: 'silent',
  REDIS_URL: 'redis://redis:6379',
};

function fakes() {
  const seen: string[] = [];
  const bus = { close: async () => void seen.push('bus closed') };
  const service = {
    name: 'test',
    url: 'http://127.0.0.1:1/graphql',
    close: async () => void seen.push('closed'),
  };
  return { seen, bus, service };
}

describe('runStandalone', () => {
  it('starts the service on a bus at REDIS_URL, and on SIGTERM closes it, then the bus, and exits 0', async () => {
    const { seen, bus, service } = fakes();
    const exited = new Promise((resolve) => vi.spyOn(process, 'exit').mockImplementation(resolve as never));
    const stopListening = await runStandalone({
      name: 'test',
      source,
      load: async () => ({
        envSchema: busSubgraphEnv,
        bus: (url) => {
          seen.push(`bus at ${url}`);
          return bus;
        },
        start: async (env, deps) => {
          seen.push(`started on ${env.DATABASE_URL} with ${deps.bus === bus ? 'the bus' : 'another bus'}`);
          return service;
        },
      }),
    });
    try {
      process.emit('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      stopListening();
    }
    expect(seen).toEqual([
      'bus at redis://redis:6379',
      'started on postgres://db/test with the bus',
      'closed',
      'bus closed',
    ]);
  });

  it('refuses to start a subgraph on the bus without REDIS_URL, saying what to do', async () => {
    vi.spyOn(process, 'exit').mockImplementation(((code: number) => {
      throw new Error(`exit ${code}`);
    }) as never);
    const printed: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((message: string) => void printed.push(message));
    const start = vi.fn();
    const { REDIS_URL: _unset, ...withoutRedis } = source;
    await expect(
      runStandalone({
        name: 'test',
        source: withoutRedis,
        load: async () => ({ envSchema: busSubgraphEnv, bus: () => fakes().bus, start }),
      }),
    ).rejects.toThrow('exit 1');
    expect(printed.join('\n')).toMatch(
      /^REDIS_URL is required to run the test subgraph on its own: .*`npm start`/,
    );
    expect(start).not.toHaveBeenCalled();
  });

  it('closes the bus when the service fails to start', async () => {
    const { seen, bus } = fakes();
    await expect(
      runStandalone({
        name: 'test',
        source,
        load: async () => ({
          envSchema: busSubgraphEnv,
          bus: () => bus,
          start: () => Promise.reject(new Error('port taken')),
        }),
      }),
    ).rejects.toThrow('port taken');
    expect(seen).toEqual(['bus closed']);
  });

  it('runs a subgraph without a bus without REDIS_URL', async () => {
    const { service } = fakes();
    const { REDIS_URL: _unset, ...withoutRedis } = source;
    const start = vi.fn(async () => service);
    const stopListening = await runStandalone({
      name: 'test',
      source: withoutRedis,
      load: async () => ({ envSchema: subgraphEnv, start }),
    });
    stopListening();
    expect(start).toHaveBeenCalledWith(expect.objectContaining({ HOST: '0.0.0.0', DB_POOL_MAX: 10 }), {
      log: expect.anything(),
    });
  });
});
