import 'reflect-metadata';
import { fileURLToPath } from 'node:url';
import { createTokenVerifier, type TokenVerifier } from '@marquee/auth';
import { OutboxRelay, type Bus } from '@marquee/bus';
import { createDatabase, runMigrations, type MigrationSet } from '@marquee/db';
import { createLogger, startSubgraph, type Logger, type RunningService } from '@marquee/subgraph-kit';
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
  const { service } = await startSubgraph({
    name: 'events',
    env,
    log: deps.log ?? createLogger('events', env.LOG_LEVEL),
    port: deps.port ?? env.EVENTS_PORT,
    onQuery: deps.onQuery,
    database: (pool) => createDatabase({ ...pool, schema }),
    migrate: ({ sql, db }) => runMigrations(sql, db, eventsMigrations),
    bus: deps.bus,
    relay: ({ db }, options) => new OutboxRelay({ ...options, db, outbox: schema.outbox }),
    module: ({ database, relay, runtime }) =>
      EventsAppModule.forRoot({
        env,
        database,
        relay,
        verifier: deps.verifier ?? createTokenVerifier({ jwksUrl: env.JWKS_URL }),
        runtime,
      }),
  });
  return service;
}
