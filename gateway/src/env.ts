import { common, portNumber, z } from '@marquee/env';
import { corsOrigins } from './http/cors-origins.js';

export const gatewayEnvSchema = z.object({
  NODE_ENV: common.nodeEnv,
  GATEWAY_PORT: common.port(4000),
  /** /metrics and /ready on this port instead of the public one; production uses 9464 when unset. */
  OPS_PORT: portNumber.min(1).optional(),
  HOST: z.string().default('0.0.0.0'),
  INTERNAL_SECRET: common.secret,
  JWKS_URL: common.url.default('http://127.0.0.1:4003/.well-known/jwks.json'),
  /** The composed supergraph; defaults to the committed gateway/supergraph.graphql. */
  SUPERGRAPH_PATH: z.string().optional(),
  /** Re-read the supergraph file when it changes (also on SIGHUP, always). */
  SUPERGRAPH_WATCH: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  SUPERGRAPH_POLL_MS: z.coerce.number().int().min(100).default(1_000),
  /** Override the routing URLs written in the supergraph (containers, Kubernetes). */
  EVENTS_URL: common.url.optional(),
  TICKETS_URL: common.url.optional(),
  USERS_URL: common.url.optional(),
  RECOMMENDATIONS_URL: common.url.optional(),
  /** Largest request body accepted, in bytes. */
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_000_000),
  /** Browser origins allowed to call the gateway (CORS), comma-separated, or `*`: see http/hygiene.ts. */
  CORS_ORIGINS: corsOrigins,
  /** A client must send its request headers within this time, and the whole request within the next. */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  /** Idle keep-alive connections are closed after this (longer than a load balancer's idle timeout). */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).default(65_000),
  /** Per-subgraph request timeout. */
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** An open circuit to a failing subgraph lets one call probe it again after this long. */
  SUBGRAPH_BREAKER_RESET_MS: z.coerce.number().int().min(100).default(2_000),
  /** Keep-alive connections per subgraph. */
  SUBGRAPH_CONNECTIONS: z.coerce.number().int().min(1).max(1_024).default(64),
  /**
   * Identical reads (same document, variables and caller) within this many ms share one
   * subgraph answer; never more than SUBSCRIPTION_COALESCE_MS, so no answer is older than one
   * subscription tick. 0: only requests in flight at the same moment are shared.
   */
  SUBGRAPH_CACHE_TTL_MS: z.coerce.number().int().min(0).default(100),
  /** A burst of changes reaches each subscriber at most once per this many ms (the last always). */
  SUBSCRIPTION_COALESCE_MS: z.coerce.number().int().min(0).max(10_000).default(100),
  /** Shared APQ cache and rate-limit counters across gateway replicas; in memory without it. */
  REDIS_URL: common.redisUrl.optional(),
  REDIS_PREFIX: z.string().default('marquee'),
  /** The registered operations; defaults to operations/persisted-query-manifest.json. */
  PERSISTED_MANIFEST_PATH: z.string().optional(),
  /** How long a partner key check is cached: a revoked key stops working within this time. */
  API_KEY_CACHE_SECONDS: z.coerce.number().int().min(0).max(60).default(30),
  /** Requests per minute per IP, whoever calls (signed in, with a key or anonymous). */
  RATE_LIMIT_IP_PER_MINUTE: z.coerce.number().int().min(1).default(3_000),
  /** Requests per minute per IP without a valid token or key (invalid ones count here too). */
  RATE_LIMIT_ANONYMOUS_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /** Requests per minute per signed-in user (partner keys have their own rate). */
  RATE_LIMIT_USER_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /** APQ may register new documents in production; off: production runs registered operations only. */
  APQ_IN_PRODUCTION: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  MAX_DEPTH: z.coerce.number().int().min(1).default(12),
  MAX_ALIASES: z.coerce.number().int().min(0).default(20),
  MAX_DIRECTIVES: z.coerce.number().int().min(0).default(25),
  MAX_TOKENS: z.coerce.number().int().min(10).default(3_000),
  MAX_COST: z.coerce.number().int().min(1).default(5_000),
  /** Largest document text in bytes (comments and whitespace are not tokens). */
  MAX_DOCUMENT_BYTES: z.coerce.number().int().min(256).default(32_768),
  /** While executing, whatever the estimate: entities fetched, bytes of subgraph answers, time. */
  MAX_ENTITIES_PER_REQUEST: z.coerce.number().int().min(1).default(10_000),
  MAX_RESPONSE_BYTES: z.coerce.number().int().min(1_024).default(10_000_000),
  REQUEST_DEADLINE_MS: z.coerce.number().int().min(100).default(15_000),
  /** The cost model's size for a list without @listSize (every list of objects has one today). */
  DEFAULT_LIST_SIZE: z.coerce.number().int().min(1).default(20),
  /** Per gateway replica: live operations on one graphql-ws connection, live subscriptions (graphql-ws and SSE) per client address and per user, graphql-ws connections per address. */
  SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().min(1).default(50),
  SUBSCRIPTIONS_PER_IP: z.coerce.number().int().min(1).default(200),
  SUBSCRIPTIONS_PER_USER: z.coerce.number().int().min(1).default(100),
  WS_CONNECTIONS_PER_IP: z.coerce.number().int().min(1).default(50),
  /** Honour X-Forwarded-For from this many proxy hops (for per-IP limits behind a load balancer). */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  LOG_LEVEL: common.logLevel,
  LOG_FORMAT: common.logFormat,
  SHUTDOWN_TIMEOUT_MS: common.shutdownTimeoutMs,
});

export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;

/** Where /metrics and /ready are in production when OPS_PORT is not set. */
export const PRODUCTION_OPS_PORT = 9464;

export function subgraphUrlOverrides(env: GatewayEnv): Record<string, string> {
  const overrides: Record<string, string> = {};
  if (env.EVENTS_URL) overrides.events = env.EVENTS_URL;
  if (env.TICKETS_URL) overrides.tickets = env.TICKETS_URL;
  if (env.USERS_URL) overrides.users = env.USERS_URL;
  if (env.RECOMMENDATIONS_URL) overrides.recommendations = env.RECOMMENDATIONS_URL;
  return overrides;
}
