import 'reflect-metadata';
import { fileURLToPath } from 'node:url';
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
import { UsersAppModule } from './app.module.js';
import { schema } from './db/database.js';
import type { UsersEnv } from './env.js';
import { SigningKeys } from './sessions/signing-keys.js';

export const usersMigrations: MigrationSet = {
  schema: 'users',
  folder: fileURLToPath(new URL('../drizzle', import.meta.url)),
};

export interface UsersDeps {
  log?: Logger;
  /** Overrides USERS_PORT (tests pass 0). */
  port?: number;
  /** Sees every SQL statement (tests count them). */
  onQuery?: (query: string) => void;
}

export async function startUsersService(env: UsersEnv, deps: UsersDeps = {}): Promise<RunningService> {
  const log = deps.log ?? createLogger('users', env.LOG_LEVEL);
  const database = createDatabase({
    url: env.DATABASE_URL,
    schema,
    max: env.DB_POOL_MAX,
    applicationName: 'marquee-users',
    ...(deps.onQuery ? { onQuery: deps.onQuery } : {}),
  });
  await runMigrations(database.sql, database.db, usersMigrations);
  const keys = await SigningKeys.load(env.JWT_PRIVATE_KEY);
  if (!env.JWT_PRIVATE_KEY) log.warn('JWT_PRIVATE_KEY not set: signing with a key generated for this run');
  const runtime = createRuntime('users', log, [{ name: 'postgres', check: () => database.ping() }], {
    database,
  });
  const app = await createSubgraphApp(UsersAppModule.forRoot({ env, database, keys, runtime }), {
    internalSecret: env.INTERNAL_SECRET,
    runtime,
  });
  const url = await listen(app, deps.port ?? env.USERS_PORT, env.HOST);
  return {
    name: 'users',
    url,
    async close() {
      await drainHttpServer(app.getHttpServer(), env.SHUTDOWN_TIMEOUT_MS);
      await app.close();
      await database.close();
    },
  };
}
