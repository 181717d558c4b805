import { common, z } from '@marquee/env';

/**
 * The settings every subgraph reads, validated the same way everywhere: each subgraph's env.ts
 * extends this (or busSubgraphEnv) with its port and its own settings.
 */
export const subgraphEnv = z.object({
  NODE_ENV: common.nodeEnv,
  DATABASE_URL: common.postgresUrl,
  HOST: z.string().default('0.0.0.0'),
  INTERNAL_SECRET: common.secret,
  DB_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  LOG_LEVEL: common.logLevel,
  /** `pretty` (readable lines) or `json`; unset: pretty on a terminal, JSON otherwise. */
  LOG_FORMAT: common.logFormat,
  SHUTDOWN_TIMEOUT_MS: common.shutdownTimeoutMs,
});

/**
 * A subgraph on the bus that verifies the users service's tokens itself (every one but users):
 * it publishes through an outbox relay and, as its own process, needs Redis.
 */
export const busSubgraphEnv = subgraphEnv.extend({
  /** Required by the standalone process (main.ts); in one process the caller passes a bus. */
  REDIS_URL: common.redisUrl.optional(),
  /** Where the users service publishes the keys access tokens are signed with. */
  JWKS_URL: common.url.default('http://127.0.0.1:4003/.well-known/jwks.json'),
  /** How often the outbox relay looks for rows it was not kicked for (another replica's, or a retry). */
  OUTBOX_POLL_MS: z.coerce.number().int().min(50).max(600_000).default(1_000),
});

export type SubgraphEnv = z.infer<typeof subgraphEnv>;
export type BusSubgraphEnv = z.infer<typeof busSubgraphEnv>;
