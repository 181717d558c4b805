import { common, z } from '@marquee/env';
import { busSubgraphEnv } from '@marquee/subgraph-kit';

export const ticketsEnvSchema = busSubgraphEnv
  .extend({
    TICKETS_PORT: common.port(4002),
    /** The events subgraph, asked about an event the local directory cannot answer for. */
    EVENTS_URL: common.url.default('http://127.0.0.1:4001/graphql'),
    /** How long a hold lasts. */
    RESERVATION_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
    /** Live (HELD, unexpired) holds one user may have at once, over all events. */
    MAX_LIVE_HOLDS_PER_USER: z.coerce.number().int().min(1).max(1_000).default(3),
    /**
     * How long one user may keep holding one tier in a row, however often they release and
     * hold again (see hold-limits.ts). Unset: 2 x RESERVATION_TTL_SECONDS (holdCeilingSeconds).
     */
    HOLD_CEILING_SECONDS: z.coerce.number().int().min(1).max(604_800).optional(),
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
    /** Who takes the money: the built-in test provider (tok_ok...) or Stripe (pm_... tokens). */
    PAYMENT_PROVIDER: z.enum(['test', 'stripe']).default('test'),
    /** Stripe's secret API key (PAYMENT_PROVIDER=stripe). Never logged; messages never quote it. */
    STRIPE_SECRET_KEY: z
      .string()
      .regex(
        /^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/,
        'must be a Stripe secret key (sk_live_..., sk_test_..., rk_...)',
      )
      .optional(),
    /** The signing secret of our Stripe webhook endpoint (PAYMENT_PROVIDER=stripe). Never logged. */
    STRIPE_WEBHOOK_SECRET: z
      .string()
      .regex(/^whsec_[A-Za-z0-9_]+$/, 'must be a Stripe webhook signing secret (whsec_...)')
      .optional(),
    /** A Stripe-compatible server instead of api.stripe.com: tests and local development only. */
    STRIPE_API_URL: common.url.optional(),
    /** Lets NODE_ENV=production run the test provider: staging and demo deployments only. */
    ALLOW_TEST_PAYMENTS: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
  })
  .superRefine((env, ctx) => {
    const problem = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message });
    if (env.CHECKOUT_RECOVERY_AFTER_MS <= env.PAYMENT_TIMEOUT_MS)
      problem('CHECKOUT_RECOVERY_AFTER_MS', 'must be longer than PAYMENT_TIMEOUT_MS');
    if (env.HOLD_CEILING_SECONDS !== undefined && env.HOLD_CEILING_SECONDS < env.RESERVATION_TTL_SECONDS)
      problem('HOLD_CEILING_SECONDS', 'must be at least RESERVATION_TTL_SECONDS');
  })
  // The test provider confirms `tok_ok` without taking any money: never by accident in production.
  // Checked even when other variables are wrong (`when`), so it is listed with them; those
  // variables may then be missing or invalid, hence the exact comparisons.
  .superRefine(
    (env, ctx) => {
      const problem = (path: string, message: string) =>
        ctx.addIssue({ code: 'custom', path: [path], message });
      if (env.PAYMENT_PROVIDER === 'stripe' && (!env.STRIPE_SECRET_KEY || !env.STRIPE_WEBHOOK_SECRET))
        problem('PAYMENT_PROVIDER', 'is "stripe": set both STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET');
      // Stripe in test mode or a look-alike server takes no real money either: the same opt-in.
      const realMoneyOnly = env.NODE_ENV === 'production' && env.ALLOW_TEST_PAYMENTS === false;
      if (
        realMoneyOnly &&
        env.PAYMENT_PROVIDER === 'stripe' &&
        /^(sk|rk)_test_/.test(env.STRIPE_SECRET_KEY ?? '')
      )
        problem(
          'STRIPE_SECRET_KEY',
          'is a test-mode key with NODE_ENV=production (or set ALLOW_TEST_PAYMENTS=true)',
        );
      if (realMoneyOnly && env.STRIPE_API_URL !== undefined)
        problem(
          'STRIPE_API_URL',
          'is set with NODE_ENV=production: real payments go to api.stripe.com (or set ALLOW_TEST_PAYMENTS=true)',
        );
      if (
        env.NODE_ENV === 'production' &&
        env.PAYMENT_PROVIDER === 'test' &&
        env.ALLOW_TEST_PAYMENTS === false
      )
        ctx.addIssue({
          code: 'custom',
          path: ['PAYMENT_PROVIDER'],
          message:
            'is "test" with NODE_ENV=production: the built-in test provider accepts tok_ok and charges nothing. ' +
            'Configure a real payment provider, or set ALLOW_TEST_PAYMENTS=true for a staging or demo ' +
            'deployment that must not take real money',
        });
    },
    { when: () => true },
  );

export type TicketsEnv = z.infer<typeof ticketsEnvSchema>;

/** HOLD_CEILING_SECONDS, or twice the hold length when it is not set. */
export const holdCeilingSeconds = (
  env: Pick<TicketsEnv, 'HOLD_CEILING_SECONDS' | 'RESERVATION_TTL_SECONDS'>,
) => env.HOLD_CEILING_SECONDS ?? 2 * env.RESERVATION_TTL_SECONDS;
