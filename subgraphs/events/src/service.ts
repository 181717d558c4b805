import 'reflect-metadata';
import { fileURLToPath } from 'node:url';
import { createTokenVerifier, type TokenVerifier } from '@marquee/auth';
import { OutboxRelay, type Bus } from '@marquee/bus';
import { createDatabase, runMigrations, type MigrationSet } from '@marquee/db';
import {
  createLogger,
  createRuntime,
  createSubgraphApp,
  drainHttpServer,
  listen,
  type Logger,
  type RunningService,
} from '@marquee/subgraph-kit';
import { EventsAppModule } from './app.module.js';
import { schema } from './db/database.js';
import type { EventsEnv } from './env.js';

export const eventsMigrations: MigrationSet = {
  schema: 'events',
  folder: fileURLToPath(new URL('../drizzle', import.meta.url)),
};

export interface EventsDeps {
  /** MemoryBus in one-process mode and tests, RedisBus otherwise; the caller owns (and closes) it. */
  bus: Bus;
  log?: Logger;
  /** Overrides EVENTS_PORT (tests pass 0). */
  port?: number;
  /** Sees every SQL statement (tests count them). */
  onQuery?: (query: string) => void;
  /** Overrides the JWKS verifier (tests sign tokens with createTestIssuer). */
  verifier?: TokenVerifier;
}

export async function startEventsService(env: EventsEnv, deps: EventsDeps): Promise<RunningService> {
  const log = deps.log ?? createLogger('events', env.LOG_LEVEL);
  const database = createDatabase({
    url: env.DATABASE_URL,
    schema,
    max: env.DB_POOL_MAX,
    applicationName: 'marquee-events',
    ...(deps.onQuery ? { onQuery: deps.onQuery } : {}),
  });
  const relay = new OutboxRelay({
    db: database.db,
    outbox: schema.outbox,
    bus: deps.bus,
    source: 'events',
    pollMs: env.OUTBOX_POLL_MS,
    logger: log,
  });
  try {
    await runMigrations(database.sql, database.db, eventsMigrations);
    const runtime = createRuntime(
      'events',
      log,
      [
        { name: 'postgres', check: () => database.ping() },
        { name: 'bus', check: () => deps.bus.ping() },
      ],
      { database },
    );
    const app = await createSubgraphApp(
      EventsAppModule.forRoot({
        env,
        database,
        relay,
        verifier: deps.verifier ?? createTokenVerifier({ jwksUrl: env.JWKS_URL }),
        runtime,
      }),
      { internalSecret: env.INTERNAL_SECRET, runtime },
    );
    const url = await listen(app, deps.port ?? env.EVENTS_PORT, env.HOST);
    relay.start();
    return {
      name: 'events',
      url,
      async close() {
        await drainHttpServer(app.getHttpServer(), env.SHUTDOWN_TIMEOUT_MS);
        // What the last requests committed goes out before the pool closes.
        await relay
          .flush()
          .catch((error: unknown) => log.error({ err: String(error) }, 'outbox flush failed'));
        await relay.stop();
        await app.close();
        await database.close();
      },
      settle: () => relay.flush(),
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
