import { common, z } from '@marquee/env';

export const eventsEnvSchema = z.object({
  NODE_ENV: common.nodeEnv,
  DATABASE_URL: common.postgresUrl,
  /** Required by the standalone process (main.ts); in one-process mode the caller passes a bus. */
  REDIS_URL: common.redisUrl.optional(),
  EVENTS_PORT: common.port(4001),
  HOST: z.string().default('0.0.0.0'),
  INTERNAL_SECRET: common.secret,
  JWKS_URL: common.url.default('http://127.0.0.1:4003/.well-known/jwks.json'),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  LOG_LEVEL: common.logLevel,
  SHUTDOWN_TIMEOUT_MS: common.shutdownTimeoutMs,
  /** How often the outbox relay looks for rows it was not kicked for (another replica's, or a retry). */
  OUTBOX_POLL_MS: z.coerce.number().int().min(50).max(600_000).default(1_000),
});

export type EventsEnv = z.infer<typeof eventsEnvSchema>;
