import { randomUUID } from 'node:crypto';
import { clearRedisNamespace } from '@marquee/bus';
import { freshDatabase } from '@marquee/db/test-database';
import { startStack, type Stack } from '@marquee/stack';
import { createLogger } from '@marquee/subgraph-kit';
import { graphql, type GraphQLResponse } from '@marquee/subgraph-kit/testing';
import { seedDemoAccounts } from '@marquee/users';

export interface TestStack extends Stack {
  databaseUrl: string;
  busPrefix: string;
  /** Statements each service sent since the last reset. */
  statements: Map<string, string[]>;
  call<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
  ): Promise<GraphQLResponse<T>>;
  signIn(email: string, password: string): Promise<{ token: string; refreshToken: string; userId: string }>;
  signUp(email: string, name?: string): Promise<{ token: string; refreshToken: string; userId: string }>;
  stop(): Promise<void>;
}

/** The whole supergraph on a fresh database, random ports, its own Redis namespace when REDIS_URL is set. */
export async function startTestStack(
  source: Record<string, string> = {},
  /** Share a database and Redis namespace with another test stack: a second replica of everything. */
  replicaOf?: { databaseUrl: string; busPrefix: string },
): Promise<TestStack> {
  const database = replicaOf ? { url: replicaOf.databaseUrl, drop: async () => {} } : await freshDatabase();
  const busPrefix = replicaOf?.busPrefix ?? `marquee-test-${randomUUID()}`;
  const statements = new Map<string, string[]>();
  const stack = await startStack({
    databaseUrl: database.url,
    ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}),
    busPrefix,
    ports: 'random',
    source: {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      // Every suite is one IP and a handful of users sending thousands of requests; the attack
      // suites set the real limits they test.
      RATE_LIMIT_IP_PER_MINUTE: '1000000',
      RATE_LIMIT_USER_PER_MINUTE: '1000000',
      // Suites sign up many accounts from 127.0.0.1 and some fail sign-ins on purpose there;
      // the per-account sign-in throttle keeps its real defaults (successes never count).
      SIGN_UP_PER_IP_PER_HOUR: '1000000',
      SIGN_IN_FREE_FAILURES_PER_IP: '1000000',
      ...source,
    },
    log: (name) => createLogger(name, 'silent'),
    onQuery: (service, sql) => {
      const list = statements.get(service) ?? [];
      list.push(sql);
      statements.set(service, list);
    },
  });
  if (!replicaOf) await seedDemoAccounts(database.url, 'test');
  const call = <T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    token?: string,
  ) => graphql<T>(stack.gatewayUrl, query, variables, token ? { token } : {});
  const auth = (
    res: GraphQLResponse<Record<string, { accessToken: string; refreshToken: string; user: { id: string } }>>,
  ) => {
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    const payload = Object.values(res.data!)[0]!;
    return { token: payload.accessToken, refreshToken: payload.refreshToken, userId: payload.user.id };
  };
  return {
    ...stack,
    databaseUrl: database.url,
    busPrefix,
    statements,
    call,
    signIn: async (email, password) =>
      auth(
        await call(
          `mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { accessToken refreshToken user { id } } }`,
          { e: email, p: password },
        ),
      ),
    signUp: async (email, name = 'Test User') =>
      auth(
        await call(
          `mutation($i: SignUpInput!) { signUp(input: $i) { accessToken refreshToken user { id } } }`,
          { i: { email, password: 'long enough password', name } },
        ),
      ),
    async stop() {
      await stack.close();
      await database.drop();
      if (process.env.REDIS_URL && !replicaOf) await clearRedisNamespace(process.env.REDIS_URL, busPrefix);
    },
  };
}

export const ORGANIZER = { email: 'organizer@marquee.test', password: 'marquee-organizer' };
export const ADMIN = { email: 'admin@marquee.test', password: 'marquee-admin' };
export const ATTENDEE = { email: 'attendee@marquee.test', password: 'marquee-attendee' };
