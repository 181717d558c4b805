import { z } from 'zod';
import { port } from './port.js';

export { z };
export { BAD_PORTS, portNumber } from './port.js';

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EnvError';
  }
}

/**
 * Parses `source` with `schema` and lists every problem at once, never just the first; with
 * NODE_ENV=production, that includes every `common.secret` that is not fit for it.
 */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  source: Record<string, string | undefined>,
): z.infer<S> {
  // Empty strings are treated as unset so `FOO=` in a shell behaves like an absent variable.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => {
        const name = issue.path.join('.') || '(env)';
        return `${name}: ${issue.message}`;
      });
  if (cleaned.NODE_ENV === 'production') {
    for (const key of secretKeys(schema)) {
      const problem = productionSecretProblem(cleaned[key]);
      // One problem per variable: a value already refused (too short for any mode) says so.
      if (problem && !problems.some((p) => p.startsWith(`${key}: `))) problems.push(`${key}: ${problem}`);
    }
  }
  if (result.success && problems.length === 0) return result.data;
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

/**
 * Values this repository shows as examples of a secret (deploy/secret.example.yaml, the
 * default docker-compose.yml had until it required one): whoever copies one into production
 * gets a service that refuses to start, not one whose credential anyone can read on GitHub.
 * Any value containing "change-me" counts too (secret.example.yaml's other placeholders).
 */
export const PLACEHOLDER_SECRETS: readonly string[] = [
  'CHANGE-ME-at-least-32-random-characters',
  'CHANGE-ME-at-least-16-characters', // secret.example.yaml's until it asked for 32
  'change-me-internal-secret-0123456789',
];

/**
 * What NODE_ENV=production asks of a secret beyond `common.secret`: 32 characters (what
 * `openssl rand -base64 32` gives, 44), not a placeholder from the repository, not a repeated
 * pattern (fewer than 8 distinct characters: `xxxx...`, `abcdabcd...`). The value is never
 * part of the message: problems are printed.
 */
function productionSecretProblem(value: string | undefined): string | undefined {
  if (value === undefined) return undefined; // required or not: the schema's to say
  if (PLACEHOLDER_SECRETS.includes(value) || /change-?me/i.test(value)) {
    return 'is a placeholder from the repository examples; set a random one (e.g. openssl rand -base64 32)';
  }
  if (value.length < 32) return 'must be at least 32 characters in production (e.g. openssl rand -base64 32)';
  if (new Set(value).size < 8)
    return 'is a repeated pattern, not a random secret (e.g. openssl rand -base64 32)';
  return undefined;
}

/** A shared credential (INTERNAL_SECRET); stricter in production, see parseEnv. */
const secret = z.string().min(16, 'must be at least 16 characters');

/** .optional(), .default(), .nullable() wrap the schema they were called on. */
const innerOf = (field: z.ZodType) =>
  (field as unknown as { _zod: { def: { innerType?: z.ZodType } } })._zod.def.innerType;

/** The variables of an env schema that are `common.secret` (optional or with a default too). */
function secretKeys(schema: z.ZodType): string[] {
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>)
    .filter(([, field]) => {
      let inner: z.ZodType | undefined = field;
      while (inner && inner !== secret) inner = innerOf(inner);
      return inner === secret;
    })
    .map(([key]) => key);
}

/** Pieces several services validate the same way. */
export const common = {
  nodeEnv: z.enum(['development', 'test', 'production']).default('development'),
  /** A *_PORT setting: 0-65535 and not a port fetch() refuses (see port.ts). */
  port,
  url: z.url(),
  postgresUrl: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL'),
  redisUrl: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** LOG_FORMAT: readable lines or JSON; unset, readable on a terminal and JSON otherwise. */
  logFormat: z.enum(['pretty', 'json']).optional(),
  secret,
  /** How long a graceful shutdown may wait for requests in flight (SHUTDOWN_TIMEOUT_MS). */
  shutdownTimeoutMs: z.coerce.number().int().min(0).max(300_000).default(10_000),
};

export const isProduction = (env: { NODE_ENV: string }) => env.NODE_ENV === 'production';
