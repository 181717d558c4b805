import { fileURLToPath } from 'node:url';
import { common, EnvError, parseEnv, z } from '@marquee/env';
import { serviceEnvProblems } from './stack.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

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
    /** Graceful shutdown: how long each service waits for its requests in flight. */
    SHUTDOWN_TIMEOUT_MS: common.shutdownTimeoutMs,
    LOG_LEVEL: common.logLevel,
    /** `pretty` (readable lines) or `json`; unset: pretty on a terminal, JSON otherwise. */
    LOG_FORMAT: common.logFormat,
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

/**
 * The launcher's settings and every service's, validated together: all problems at once, then
 * exit 1. Services get a placeholder DATABASE_URL when the embedded database will provide one.
 */
export function loadStackEnvOrExit(source: Record<string, string | undefined>): StackEnv {
  const problems: string[] = [];
  let env: StackEnv | undefined;
  try {
    env = parseEnv(stackEnvSchema, source);
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    problems.push(...error.problems);
  }
  const production = source.NODE_ENV === 'production';
  if (production && !source.DATABASE_URL)
    problems.push('DATABASE_URL: is required in production (no embedded database)');
  problems.push(
    ...serviceEnvProblems({
      ...source,
      DATABASE_URL: source.DATABASE_URL || 'postgres://embedded/placeholder',
      // Generated per start outside production when missing.
      INTERNAL_SECRET: source.INTERNAL_SECRET || (production ? undefined : 'x'.repeat(32)),
    }),
  );
  if (problems.length > 0 || !env) {
    console.error(new EnvError([...new Set(problems)]).message);
    process.exit(1);
  }
  return env;
}
