import { z } from 'zod';

export { z };

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EnvError';
  }
}

/** Parses `source` with `schema` and lists every problem at once, never just the first. */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  source: Record<string, string | undefined>,
): z.infer<S> {
  // Empty strings are treated as unset so `FOO=` in a shell behaves like an absent variable.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(env)';
    return `${name}: ${issue.message}`;
  });
  throw new EnvError(problems);
}

/** For service entry points: print every problem and exit 1, as the operational contract asks. */
export function loadEnvOrExit<S extends z.ZodType>(schema: S, source = process.env): z.infer<S> {
  try {
    return parseEnv(schema, source);
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

/** Pieces several services validate the same way. */
export const common = {
  nodeEnv: z.enum(['development', 'test', 'production']).default('development'),
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  url: z.url(),
  postgresUrl: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL'),
  redisUrl: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  secret: z.string().min(16, 'must be at least 16 characters'),
  /** How long a graceful shutdown may wait for requests in flight (SHUTDOWN_TIMEOUT_MS). */
  shutdownTimeoutMs: z.coerce.number().int().min(0).max(300_000).default(10_000),
};

export const isProduction = (env: { NODE_ENV: string }) => env.NODE_ENV === 'production';
