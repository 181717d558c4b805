import 'reflect-metadata';
import { fileURLToPath } from 'node:url';
import { createTokenVerifier, type TokenVerifier } from '@marquee/auth';
import { OutboxRelay, type Bus } from '@marquee/bus';
import { createDatabase, runMigrations, type MigrationSet } from '@marquee/db';
import { createLogger, startSubgraph, type Logger, type RunningService } from '@marquee/subgraph-kit';
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
  const { service } = await startSubgraph({
    name: 'recommendations',
    env,
    log: deps.log ?? createLogger('recommendations', env.LOG_LEVEL),
    port: deps.port ?? env.RECOMMENDATIONS_PORT,
    onQuery: deps.onQuery,
    database: (pool) => createDatabase({ ...pool, schema }),
    migrate: ({ sql, db }) => runMigrations(sql, db, recommendationsMigrations),
    bus: deps.bus,
    relay: ({ db }, options) => new OutboxRelay({ ...options, db, outbox: schema.outbox }),
    module: ({ database, relay, runtime }) =>
      RecommendationsAppModule.forRoot({
        env,
        database,
        runtime,
        verifier: deps.verifier ?? createTokenVerifier({ jwksUrl: env.JWKS_URL }),
        relay,
        clock: deps.clock ?? (() => new Date()),
      }),
    beforeListen: async ({ app, onClose }) => {
      const unsubscribes = await app.get(ProjectionsConsumer).subscribe(deps.bus);
      onClose(() => Promise.all(unsubscribes.map((unsubscribe) => unsubscribe())));
    },
  });
  return service;
}
