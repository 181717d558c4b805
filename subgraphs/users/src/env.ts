import { common, z } from '@marquee/env';
import { subgraphEnv } from '@marquee/subgraph-kit';

export const usersEnvSchema = subgraphEnv
  .extend({
    USERS_PORT: common.port(4003),
    /** PKCS#8 PEM of an Ed25519 key; generated per start outside production when missing. */
    JWT_PRIVATE_KEY: z
      .string()
      .includes('PRIVATE KEY', { message: 'must be a PKCS#8 PEM private key' })
      .optional(),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
    REFRESH_TOKEN_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(300)
      .default(30 * 86_400),
    /** A refresh token presented again this soon after its rotation gets the same successor. */
    REFRESH_REUSE_GRACE_SECONDS: z.coerce.number().int().min(0).max(300).default(10),
    /** Free wrong passwords per account from one client address (see throttles/throttles.service.ts). */
    SIGN_IN_FREE_FAILURES: z.coerce.number().int().min(1).default(5),
    /** Free wrong passwords per account from all addresses together. */
    SIGN_IN_FREE_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(20),
    /** Free wrong passwords per client address across all accounts (credential stuffing). */
    SIGN_IN_FREE_FAILURES_PER_IP: z.coerce.number().int().min(1).default(100),
    /** Longest delay a sign-in throttle imposes (the account-wide one stops at a minute). */
    SIGN_IN_MAX_DELAY_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
    SIGN_UP_PER_IP_PER_HOUR: z.coerce.number().int().min(1).default(20),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.JWT_PRIVATE_KEY) {
      ctx.addIssue({ code: 'custom', path: ['JWT_PRIVATE_KEY'], message: 'is required in production' });
    }
  });

export type UsersEnv = z.infer<typeof usersEnvSchema>;
