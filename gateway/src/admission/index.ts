import { Redis } from 'ioredis';
import type { TokenVerifier } from '@marquee/auth';
import type { SupergraphPlanning } from '../supergraph/planning.js';
import { DEFAULT_MANIFEST_PATH } from '../manifest/manifest.js';
import type { GatewayEnv } from '../env.js';
import { admit, identify, type AdmissionDeps, type Caller } from './admission.js';
import { ApiKeyVerifier } from './api-keys.js';
import { operationLimits } from './limits.js';
import { admissionMiddleware } from './middleware.js';
import { memoryApqStore, PersistedOperations, redisApqStore } from './persisted.js';
import { RateLimits } from './rate-limits.js';

export { Refusal } from './errors.js';
export type { Admitted, Caller as AdmissionCaller, VerifiedUser } from './admission.js';

/** The gateway's admission layer, wired from its settings: see admission.ts. */
export function createAdmission(
  env: GatewayEnv,
  options: { usersUrl: () => string; planning: () => SupergraphPlanning; tokens: TokenVerifier },
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
    maxDocumentBytes: env.MAX_DOCUMENT_BYTES,
    defaultListSize: env.DEFAULT_LIST_SIZE,
    production,
  });
  const registered = new PersistedOperations(env.PERSISTED_MANIFEST_PATH ?? DEFAULT_MANIFEST_PATH);
  const deps: AdmissionDeps = {
    registered,
    apq: redis ? redisApqStore(redis, env.REDIS_PREFIX) : memoryApqStore(),
    keys: new ApiKeyVerifier(options.usersUrl, env.INTERNAL_SECRET, env.API_KEY_CACHE_SECONDS * 1000),
    tokens: options.tokens,
    rateLimits: new RateLimits({ ...(redis ? { redis } : {}), prefix: env.REDIS_PREFIX }),
    limits,
    planning: options.planning,
    production,
    apqInProduction: env.APQ_IN_PRODUCTION,
    perMinute: {
      ip: env.RATE_LIMIT_IP_PER_MINUTE,
      anonymous: env.RATE_LIMIT_ANONYMOUS_PER_MINUTE,
      user: env.RATE_LIMIT_USER_PER_MINUTE,
    },
  };
  return {
    middleware: admissionMiddleware(deps),
    /** For transports that bypass Express (graphql-ws subscribe messages). */
    admit: (caller: Caller, request: Parameters<typeof admit>[2]) => admit(deps, caller, request),
    /** Rate limits and credentials only: what opening a graphql-ws connection is checked for. */
    identify: (caller: Caller) => identify(deps, caller),
    /** The registered operations' names: the bounded set of metric labels. */
    operationNames: () => registered.names(),
    // graphql-armor is typed against Apollo's CJS build; the plugin itself is context-agnostic.
    plugins: limits.plugins as never[],
    async close() {
      await redis?.quit().catch(() => redis.disconnect());
    },
  };
}

export type Admission = ReturnType<typeof createAdmission>;
