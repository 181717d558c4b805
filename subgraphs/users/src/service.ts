import 'reflect-metadata';
import { fileURLToPath } from 'node:url';
import { createDatabase, runMigrations, type MigrationSet } from '@marquee/db';
import { createLogger, startSubgraph, type Logger, type RunningService } from '@marquee/subgraph-kit';
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
  const { service } = await startSubgraph({
    name: 'users',
    env,
    log,
    port: deps.port ?? env.USERS_PORT,
    onQuery: deps.onQuery,
    database: (pool) => createDatabase({ ...pool, schema }),
    migrate: ({ sql, db }) => runMigrations(sql, db, usersMigrations),
    module: async ({ database, runtime }) => {
      const keys = await SigningKeys.load(env.JWT_PRIVATE_KEY);
      if (!env.JWT_PRIVATE_KEY)
        log.warn('JWT_PRIVATE_KEY not set: signing with a key generated for this run');
      return UsersAppModule.forRoot({ env, database, keys, runtime });
    },
  });
  return service;
}
