import { randomBytes } from 'node:crypto';
import { freshDatabase } from '@marquee/db/test-database';
import { parseEnv } from '@marquee/env';
import { createLogger, type RunningService } from '@marquee/subgraph-kit';
import { graphql } from '@marquee/subgraph-kit/testing';
import { usersEnvSchema } from '../src/env.js';
import { startUsersService } from '../src/service.js';

/** The users subgraph on a fresh database, called the way the gateway calls it. */
export async function startUsers(overrides: Record<string, string> = {}) {
  const database = await freshDatabase();
  const internalSecret = randomBytes(16).toString('hex');
  const env = parseEnv(usersEnvSchema, {
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    INTERNAL_SECRET: internalSecret,
    ...overrides,
  });
  const service: RunningService = await startUsersService(env, {
    port: 0,
    log: createLogger('users', 'silent'),
  });
  return {
    url: service.url,
    databaseUrl: database.url,
    internalSecret,
    call: <T = Record<string, unknown>>(
      query: string,
      variables: Record<string, unknown> = {},
      token?: string,
    ) => graphql<T>(service.url, query, variables, { internalSecret, ...(token ? { token } : {}) }),
    async stop() {
      await service.close();
      await database.drop();
    },
  };
}
