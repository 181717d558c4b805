import { fileURLToPath } from 'node:url';
import { common, z } from '@marquee/env';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** What the one-process launcher itself reads; each service validates its own settings too. */
export const stackEnvSchema = z
  .object({
    NODE_ENV: common.nodeEnv,
    DATABASE_URL: common.postgresUrl.optional(),
    REDIS_URL: common.redisUrl.optional(),
    /** Port of the embedded PostgreSQL used when DATABASE_URL is not set. */
    EMBEDDED_PG_PORT: common.port(54329),
    /** Where the embedded PostgreSQL keeps its data (git-ignored). */
    DATA_DIR: z.string().default(`${repoRoot}.data`),
    GATEWAY_PORT: common.port(4000),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.DATABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_URL'],
        message: 'is required in production (no embedded database)',
      });
    }
  });

export type StackEnv = z.infer<typeof stackEnvSchema>;
