import 'reflect-metadata';
import { fileURLToPath } from 'node:url';
import { createTokenVerifier, type TokenVerifier } from '@marquee/auth';
import { OutboxRelay, type Bus, type Unsubscribe } from '@marquee/bus';
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
import { RecommendationsAppModule } from './app.module.js';
import { schema } from './db/database.js';
import type { RecommendationsEnv } from './env.js';
import { ProjectionsConsumer } from './projections/projections.consumer.js';
import type { Clock } from './tokens.js';

export const recommendationsMigrations: MigrationSet = {
  schema: 'recommendations',
  folder: fileURLToPath(new URL('../drizzle', import.meta.url)),
};

export interface RecommendationsDeps {
  /** MemoryBus in one process (demo, tests), RedisBus otherwise: the caller decides and owns it. */
  bus: Bus;
  log?: Logger;
  /** Overrides RECOMMENDATIONS_PORT (tests pass 0). */
  port?: number;
  /** Sees every SQL statement (tests count them). */
  onQuery?: (query: string) => void;
  /** Verifies access tokens; defaults to the users service's JWKS at JWKS_URL. */
  verifier?: TokenVerifier;
  /** What "now" is for rankings and recorded views (tests pin it). */
  clock?: Clock;
}

export async function startRecommendationsService(
  env: RecommendationsEnv,
  deps: RecommendationsDeps,
): Promise<RunningService> {
  const log = deps.log ?? createLogger('recommendations', env.LOG_LEVEL);
  const database = createDatabase({
    url: env.DATABASE_URL,
    schema,
    max: env.DB_POOL_MAX,
    applicationName: 'marquee-recommendations',
    ...(deps.onQuery ? { onQuery: deps.onQuery } : {}),
  });
  await runMigrations(database.sql, database.db, recommendationsMigrations);
  const relay = new OutboxRelay({
    db: database.db,
    outbox: schema.outbox,
    bus: deps.bus,
    source: 'recommendations',
    pollMs: env.OUTBOX_POLL_MS,
    logger: log,
  });
  const runtime = createRuntime(
    'recommendations',
    log,
    [
      { name: 'postgres', check: () => database.ping() },
      { name: 'bus', check: () => deps.bus.ping() },
    ],
    { database },
  );
  const app = await createSubgraphApp(
    RecommendationsAppModule.forRoot({
      env,
      database,
      runtime,
      verifier: deps.verifier ?? createTokenVerifier({ jwksUrl: env.JWKS_URL }),
      relay,
      clock: deps.clock ?? (() => new Date()),
    }),
    { internalSecret: env.INTERNAL_SECRET, runtime },
  );
  let unsubscribes: Unsubscribe[] = [];
  try {
    unsubscribes = await app.get(ProjectionsConsumer).subscribe(deps.bus);
    relay.start();
    const url = await listen(app, deps.port ?? env.RECOMMENDATIONS_PORT, env.HOST);
    return {
      name: 'recommendations',
      url,
      settle: () => relay.flush(),
      async close() {
        await drainHttpServer(app.getHttpServer(), env.SHUTDOWN_TIMEOUT_MS);
        await Promise.all(unsubscribes.map((unsubscribe) => unsubscribe()));
        // What the last requests and messages committed goes out before the pool closes.
        await relay
          .flush()
          .catch((error: unknown) => log.error({ err: String(error) }, 'outbox flush failed'));
        await relay.stop();
        await app.close();
        await database.close();
      },
    };
  } catch (error) {
    await relay.stop();
    await Promise.all(unsubscribes.map((unsubscribe) => unsubscribe()));
    await app.close();
    await database.close();
    throw error;
  }
}
