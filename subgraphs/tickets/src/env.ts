import { common, z } from '@marquee/env';

export const ticketsEnvSchema = z.object({
  NODE_ENV: common.nodeEnv,
  DATABASE_URL: common.postgresUrl,
  REDIS_URL: common.redisUrl.optional(),
  TICKETS_PORT: common.port(4002),
  HOST: z.string().default('0.0.0.0'),
  INTERNAL_SECRET: common.secret,
  JWKS_URL: common.url.default('http://127.0.0.1:4003/.well-known/jwks.json'),
  /** The events subgraph, asked about an event the local directory cannot answer for. */
  EVENTS_URL: common.url.default('http://127.0.0.1:4001/graphql'),
  /** How long a hold lasts. */
  RESERVATION_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
  /** How often the sweeper releases expired holds (replicas share the work). */
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(50).max(3_600_000).default(5_000),
  /** A charge taking longer than this fails the checkout (and counts against the breaker). */
  PAYMENT_TIMEOUT_MS: z.coerce.number().int().min(10).max(120_000).default(8_000),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  LOG_LEVEL: common.logLevel,
});

export type TicketsEnv = z.infer<typeof ticketsEnvSchema>;
