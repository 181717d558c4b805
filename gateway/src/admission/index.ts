import { Redis } from 'ioredis';
import type { GraphQLSchema } from 'graphql';
import { DEFAULT_MANIFEST_PATH } from '../persisted/manifest.js';
import type { GatewayEnv } from '../env.js';
import { admit, type AdmissionDeps, type Caller } from './admission.js';
import { ApiKeyVerifier } from './api-keys.js';
import { operationLimits } from './limits.js';
import { admissionMiddleware } from './middleware.js';
import { memoryApqStore, PersistedOperations, redisApqStore } from './persisted.js';
import { RateLimits } from './rate-limits.js';

export { Refusal } from './errors.js';
export type { Caller as AdmissionCaller } from './admission.js';

/** The gateway's admission layer, wired from its settings: see admission.ts. */
export function createAdmission(
  env: GatewayEnv,
  options: { usersUrl: () => string; schema: () => GraphQLSchema },
) {
  const production = env.NODE_ENV === 'production';
  const redis = env.REDIS_URL
    ? new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false })
    : undefined;
  redis?.on('error', () => {}); // rate limits fall back to memory; APQ misses are retried by clients
  const limits = operationLimits({
    maxDepth: env.MAX_DEPTH,
    maxAliases: env.MAX_ALIASES,
    maxDirectives: env.MAX_DIRECTIVES,
    maxTokens: env.MAX_TOKENS,
    maxCost: env.MAX_COST,
    production,
  });
  const deps: AdmissionDeps = {
    registered: new PersistedOperations(env.PERSISTED_MANIFEST_PATH ?? DEFAULT_MANIFEST_PATH),
    apq: redis ? redisApqStore(redis, env.REDIS_PREFIX) : memoryApqStore(),
    keys: new ApiKeyVerifier(options.usersUrl, env.INTERNAL_SECRET, env.API_KEY_CACHE_SECONDS * 1000),
    rateLimits: new RateLimits({ ...(redis ? { redis } : {}), prefix: env.REDIS_PREFIX }),
    limits,
    schema: options.schema,
    production,
    anonymousPerMinute: env.RATE_LIMIT_ANONYMOUS_PER_MINUTE,
  };
  return {
    middleware: admissionMiddleware(deps),
    /** For transports that bypass Express (graphql-ws subscribe messages). */
    admit: (caller: Caller, request: { query?: unknown; extensions?: unknown }) =>
      admit(deps, caller, request),
    /** True for an active partner key (cached like every key check). */
    verifyApiKey: async (key: string) => (await deps.keys.verify(key)) !== null,
    // graphql-armor is typed against Apollo's CJS build; the plugin itself is context-agnostic.
    plugins: limits.plugins as never[],
    async close() {
      await redis?.quit().catch(() => redis.disconnect());
    },
  };
}

export type Admission = ReturnType<typeof createAdmission>;
