import type { INestApplication } from '@nestjs/common';
import { createSubgraphApp, listen, type RunningService } from './bootstrap.js';
import type { Logger } from './logger.js';
import { createRuntime, type ReadinessCheck, type ServiceRuntime } from './ops.js';
import type { PoolSource } from './pool-metrics.js';
import { drainHttpServer } from './shutdown.js';
import type { SubgraphEnv } from './subgraph-env.js';

// The database, bus and relay are described by what is used of them, not imported: the gateway
// uses this package too, and should not install a database driver for it.

/** A subgraph's database (@marquee/db's Database). */
export interface SubgraphDatabase extends PoolSource {
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Its bus (@marquee/bus's Bus): the caller owns it and closes it. */
export interface SubgraphBus {
  ping(): Promise<boolean>;
}

/** Its outbox relay (@marquee/bus's OutboxRelay). */
export interface SubgraphRelay {
  start(): void;
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/** What the pool is opened with: the same for every subgraph but the schema. */
export interface PoolOptions {
  url: string;
  max: number;
  applicationName: string;
  onQuery?: (query: string) => void;
}

/** What the relay is built with, besides the database and the outbox table. */
export interface RelayOptions<B> {
  bus: B;
  source: string;
  pollMs: number | undefined;
  logger: Logger;
}

export interface SubgraphParts<D, R> {
  database: D;
  /** undefined without `relay`. */
  relay: R;
  runtime: ServiceRuntime;
}

export interface StartStep<D, R> extends SubgraphParts<D, R> {
  app: INestApplication;
  /**
   * Registers how to undo what this step opened (subscriptions, workers). On close that runs
   * after the HTTP server drained and before the relay's last flush; when a later step fails,
   * at once. Newest first, both times.
   */
  onClose(close: () => unknown): void;
}

export interface StartSubgraphOptions<
  D extends SubgraphDatabase,
  B extends SubgraphBus | undefined,
  R extends SubgraphRelay | undefined,
> {
  name: string;
  env: Pick<
    SubgraphEnv,
    'DATABASE_URL' | 'DB_POOL_MAX' | 'HOST' | 'INTERNAL_SECRET' | 'SHUTDOWN_TIMEOUT_MS'
  > & {
    OUTBOX_POLL_MS?: number;
  };
  log: Logger;
  port: number;
  /** Sees every SQL statement (tests count them). */
  onQuery?: ((query: string) => void) | undefined;
  /** Creates the pool; postgres.js connects on the first query, the migrations'. */
  database(options: PoolOptions): D;
  migrate(database: D): Promise<unknown>;
  /** Its bus, checked by /ready; the relay publishes to it. */
  bus?: B;
  /** Builds the outbox relay: started once the service listens, flushed and stopped on close. */
  relay?(database: D, options: RelayOptions<B>): R;
  /** The Nest module, given what it provides. */
  module(parts: SubgraphParts<D, R>): unknown;
  /** After the app is built, before it listens. */
  beforeListen?(step: StartStep<D, R>): unknown;
  /** Once it listens and its relay runs: consumers, background workers. */
  afterListen?(step: StartStep<D, R>): unknown;
  /** Ends long-lived streams when draining (e.g. live subscriptions told to reconnect). */
  closeStreams?(app: INestApplication): unknown;
}

export interface StartedSubgraph {
  service: RunningService;
  app: INestApplication;
}

/**
 * Starts a subgraph in the one order they all share: pool, migrations, relay, runtime, app,
 * `beforeListen`, listen, relay started, `afterListen`. If a step fails, what the earlier ones
 * opened is closed, newest first, and the step's error is thrown. `close()` drains the HTTP
 * server, undoes the steps (newest first), flushes and stops the relay, closes the app and then
 * the pool.
 */
export async function startSubgraph<
  D extends SubgraphDatabase,
  B extends SubgraphBus | undefined = undefined,
  R extends SubgraphRelay | undefined = undefined,
>(options: StartSubgraphOptions<D, B, R>): Promise<StartedSubgraph> {
  const { name, env, log, bus } = options;
  const closers: (() => unknown)[] = [];
  const onClose = (close: () => unknown) => void closers.push(close);
  const undoSteps = async (each = (close: () => unknown) => close()) => {
    for (const close of closers.splice(0).reverse()) await each(close);
  };
  const database = options.database({
    url: env.DATABASE_URL,
    max: env.DB_POOL_MAX,
    applicationName: `marquee-${name}`,
    ...(options.onQuery ? { onQuery: options.onQuery } : {}),
  });
  let relay: R | undefined;
  let app: INestApplication | undefined;
  try {
    await options.migrate(database);
    relay = options.relay?.(database, {
      bus: bus as B,
      source: name,
      pollMs: env.OUTBOX_POLL_MS,
      logger: log,
    });
    const readiness: ReadinessCheck[] = [{ name: 'postgres', check: () => database.ping() }];
    if (bus) readiness.push({ name: 'bus', check: () => bus.ping() });
    const runtime = createRuntime(name, log, readiness, { database });
    const parts = { database, relay: relay as R, runtime };
    app = await createSubgraphApp(await options.module(parts), {
      internalSecret: env.INTERNAL_SECRET,
      runtime,
    });
    const step = { ...parts, app, onClose };
    await options.beforeListen?.(step);
    // The one place a subgraph starts listening.
    const url = await listen(app, options.port, env.HOST);
    relay?.start();
    await options.afterListen?.(step);
    return { service: running(name, url, app, database, relay, undoSteps, options), app };
  } catch (error) {
    const quietly = async (what: string, close: () => unknown) => {
      try {
        await close();
      } catch (cleanupError) {
        log.error({ err: String(cleanupError) }, `${what} failed while giving up a failed start`);
      }
    };
    await undoSteps((close) => quietly('undoing a start step', close));
    if (relay) await quietly('stopping the outbox relay', () => relay?.stop());
    if (app) await quietly('closing the app', () => app?.close());
    await quietly('closing the database pool', () => database.close());
    throw error;
  }
}

function running<D extends SubgraphDatabase, R extends SubgraphRelay | undefined>(
  name: string,
  url: string,
  app: INestApplication,
  database: D,
  relay: R | undefined,
  undoSteps: () => Promise<void>,
  options: Pick<StartSubgraphOptions<D, never, R>, 'env' | 'log' | 'closeStreams'>,
): RunningService {
  const { closeStreams } = options;
  return {
    name,
    url,
    async close() {
      await drainHttpServer(
        app.getHttpServer(),
        options.env.SHUTDOWN_TIMEOUT_MS,
        closeStreams ? () => closeStreams(app) : undefined,
      );
      await undoSteps();
      if (relay) {
        // What the last requests, workers and consumers committed goes out before the pool closes.
        await relay
          .flush()
          .catch((error: unknown) => options.log.error({ err: String(error) }, 'outbox flush failed'));
        await relay.stop();
      }
      await app.close();
      await database.close();
    },
    ...(relay ? { settle: () => relay.flush() } : {}),
  };
}
