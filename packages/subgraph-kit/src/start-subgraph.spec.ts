import { createServer, type Server } from 'node:net';
import { Module, type DynamicModule } from '@nestjs/common';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { OpsModule, type ServiceRuntime } from './ops.js';
import { startSubgraph, type StartSubgraphOptions } from './start-subgraph.js';

// With stand-ins that write down what happens to them; subgraphs/users and subgraphs/tickets
// test the same on a real database (test/service-start.spec.ts).

@Module({})
class TestAppModule {
  static forRoot(runtime: ServiceRuntime): DynamicModule {
    return { module: TestAppModule, imports: [OpsModule.forRoot(runtime)] };
  }
}

type Step = 'migrate' | 'relay' | 'module' | 'beforeListen' | 'listen' | 'afterListen';

function stubs(failAt?: Step, port = 0) {
  const seen: string[] = [];
  const fail = (step: Step) => {
    if (step === failAt) throw new Error(`${step} failed`);
  };
  const database = {
    ping: async () => true,
    pool: () => ({ max: 1, inUse: 0, idle: 1, waiting: 0 }),
    close: async () => void seen.push('pool closed'),
  };
  const relay = {
    start: () => void seen.push('relay started'),
    flush: async () => void seen.push('relay flushed'),
    stop: async () => void seen.push('relay stopped'),
  };
  const options: StartSubgraphOptions<typeof database, { ping(): Promise<boolean> }, typeof relay> = {
    name: 'kit-test',
    env: {
      DATABASE_URL: 'postgres://unused/kit',
      DB_POOL_MAX: 3,
      HOST: '127.0.0.1',
      INTERNAL_SECRET: 'x'.repeat(32),
      SHUTDOWN_TIMEOUT_MS: 1_000,
      OUTBOX_POLL_MS: 1_234,
    },
    log: createLogger('kit-test', 'silent'),
    port,
    database: (pool) => {
      seen.push(`pool ${pool.applicationName} max ${pool.max}`);
      return database;
    },
    migrate: async () => {
      fail('migrate');
      seen.push('migrated');
    },
    bus: { ping: async () => true },
    relay: (_database, relayOptions) => {
      fail('relay');
      seen.push(`relay for ${relayOptions.source} every ${relayOptions.pollMs} ms`);
      return relay;
    },
    module: ({ runtime }) => {
      fail('module');
      return TestAppModule.forRoot(runtime);
    },
    beforeListen: ({ onClose }) => {
      seen.push('subscribed');
      onClose(() => seen.push('unsubscribed'));
      fail('beforeListen');
    },
    afterListen: ({ onClose }) => {
      seen.push('workers started');
      onClose(() => seen.push('workers stopped'));
      fail('afterListen');
    },
    closeStreams: () => void seen.push('streams closed'),
  };
  return { seen, options };
}

const opened: Server[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A port something else listens on. */
async function takenPort(): Promise<number> {
  const server = createServer();
  opened.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

const refused = (url: string) =>
  fetch(url).then(
    () => false,
    () => true,
  );

describe('startSubgraph', () => {
  it('starts in order, answers /health and /ready, and closes in order', async () => {
    const { seen, options } = stubs();
    const { service } = await startSubgraph(options);
    expect(seen).toEqual([
      'pool marquee-kit-test max 3',
      'migrated',
      'relay for kit-test every 1234 ms',
      'subscribed',
      'relay started',
      'workers started',
    ]);
    expect(service).toMatchObject({
      name: 'kit-test',
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/),
    });
    const base = service.url.replace('/graphql', '');
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const ready = await fetch(`${base}/ready`);
    expect(await ready.json()).toMatchObject({ status: 'ok', info: { postgres: {}, bus: {} } });
    seen.length = 0;
    await service.settle?.();
    expect(seen).toEqual(['relay flushed']);
    seen.length = 0;
    await service.close();
    expect(seen).toEqual([
      'streams closed',
      'workers stopped',
      'unsubscribed',
      'relay flushed',
      'relay stopped',
      'pool closed',
    ]);
    expect(await refused(`${base}/health`)).toBe(true);
  });

  it.each<[Step, string[]]>([
    ['migrate', ['pool closed']],
    ['relay', ['pool closed']],
    ['module', ['relay stopped', 'pool closed']],
    ['beforeListen', ['unsubscribed', 'relay stopped', 'pool closed']],
    ['listen', ['unsubscribed', 'relay stopped', 'pool closed']],
    ['afterListen', ['workers stopped', 'unsubscribed', 'relay stopped', 'pool closed']],
  ])('closes what was opened, newest first, when %s fails', async (step, closed) => {
    const port = step === 'listen' ? await takenPort() : 0;
    const { seen, options } = stubs(step, port);
    let listening: string | undefined;
    const afterListen = options.afterListen!;
    options.afterListen = (s) => {
      listening = `http://127.0.0.1:${(s.app.getHttpServer() as { address(): { port: number } }).address().port}`;
      return afterListen(s);
    };
    await expect(startSubgraph(options)).rejects.toThrow(
      step === 'listen' ? /EADDRINUSE|already in use/ : `${step} failed`,
    );
    const at = seen.findIndex((s) => closed.includes(s));
    expect(seen.slice(at)).toEqual(closed);
    // Nothing was flushed on the way out, and a server that listened no longer does.
    expect(seen).not.toContain('relay flushed');
    if (listening) expect(await refused(`${listening}/health`)).toBe(true);
  });

  it('keeps closing when one cleanup fails, and throws the error of the step', async () => {
    const { seen, options } = stubs('afterListen');
    const afterListen = options.afterListen!;
    options.afterListen = (s) => {
      s.onClose(() => {
        throw new Error('cleanup failed');
      });
      return afterListen(s);
    };
    await expect(startSubgraph(options)).rejects.toThrow('afterListen failed');
    expect(seen.slice(-4)).toEqual(['workers stopped', 'unsubscribed', 'relay stopped', 'pool closed']);
  });

  it('without a relay or a bus: no relay to start, only the database on /ready, no settle()', async () => {
    const { seen, options } = stubs();
    const { relay: _relay, bus: _bus, ...rest } = options;
    const { service } = await startSubgraph(rest);
    const ready = await fetch(service.url.replace('/graphql', '/ready'));
    expect(Object.keys(((await ready.json()) as { info: object }).info)).toEqual(['postgres']);
    expect(service.settle).toBeUndefined();
    await service.close();
    expect(seen).not.toContain('relay started');
    expect(seen.at(-1)).toBe('pool closed');
  });
});
