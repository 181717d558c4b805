import { common, z } from '@marquee/env';

export const recommendationsEnvSchema = z.object({
  NODE_ENV: common.nodeEnv,
  DATABASE_URL: common.postgresUrl,
  /** The bus between services; without it the caller must hand in a shared in-process bus. */
  REDIS_URL: common.redisUrl.optional(),
  RECOMMENDATIONS_PORT: common.port(4004),
  HOST: z.string().default('0.0.0.0'),
  INTERNAL_SECRET: common.secret,
  /** Where the users service publishes the keys access tokens are signed with. */
  JWKS_URL: common.url.default('http://127.0.0.1:4003/.well-known/jwks.json'),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  LOG_LEVEL: common.logLevel,
  SHUTDOWN_TIMEOUT_MS: common.shutdownTimeoutMs,
  /** How often the outbox relay looks for unpublished rows it was not told about. */
  OUTBOX_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
});

export type RecommendationsEnv = z.infer<typeof recommendationsEnvSchema>;
