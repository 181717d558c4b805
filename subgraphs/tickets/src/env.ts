import { common, z } from '@marquee/env';

export const ticketsEnvSchema = z
  .object({
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
    /** A checkout untouched this long is finished by recovery (must exceed PAYMENT_TIMEOUT_MS). */
    CHECKOUT_RECOVERY_AFTER_MS: z.coerce.number().int().min(50).max(86_400_000).default(60_000),
    /** How often recovery looks for interrupted checkouts (it also runs at start). */
    RECOVERY_INTERVAL_MS: z.coerce.number().int().min(50).max(3_600_000).default(30_000),
    /** Ticket holders are e-mailed through this SMTP server (smtp:// or smtps://); unset: recorded in a table. */
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
      .optional(),
    SMTP_FROM: z.string().default('Marquee <no-reply@marquee.test>'),
    /** Where a holder's mail goes: {userId} is replaced (the users service owns real addresses). */
    NOTIFY_RECIPIENT: z.string().includes('{userId}').default('{userId}@users.marquee.test'),
    /** How often the notification dispatcher looks for due notifications (it is also woken on new ones). */
    NOTIFY_INTERVAL_MS: z.coerce.number().int().min(50).max(3_600_000).default(5_000),
    DB_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
    LOG_LEVEL: common.logLevel,
    SHUTDOWN_TIMEOUT_MS: common.shutdownTimeoutMs,
  })
  .refine((env) => env.CHECKOUT_RECOVERY_AFTER_MS > env.PAYMENT_TIMEOUT_MS, {
    message: 'must be longer than PAYMENT_TIMEOUT_MS',
    path: ['CHECKOUT_RECOVERY_AFTER_MS'],
  });

export type TicketsEnv = z.infer<typeof ticketsEnvSchema>;
