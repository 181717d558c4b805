import { common, z } from '@marquee/env';

export const gatewayEnvSchema = z.object({
  NODE_ENV: common.nodeEnv,
  GATEWAY_PORT: common.port(4000),
  HOST: z.string().default('0.0.0.0'),
  INTERNAL_SECRET: common.secret,
  JWKS_URL: common.url.default('http://127.0.0.1:4003/.well-known/jwks.json'),
  /** The composed supergraph; defaults to the committed gateway/supergraph.graphql. */
  SUPERGRAPH_PATH: z.string().optional(),
  /** Override the routing URLs written in the supergraph (containers, Kubernetes). */
  EVENTS_URL: common.url.optional(),
  TICKETS_URL: common.url.optional(),
  USERS_URL: common.url.optional(),
  RECOMMENDATIONS_URL: common.url.optional(),
  /** Largest request body accepted, in bytes. */
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_000_000),
  /** Per-subgraph request timeout. */
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  LOG_LEVEL: common.logLevel,
});

export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;

export function subgraphUrlOverrides(env: GatewayEnv): Record<string, string> {
  const overrides: Record<string, string> = {};
  if (env.EVENTS_URL) overrides.events = env.EVENTS_URL;
  if (env.TICKETS_URL) overrides.tickets = env.TICKETS_URL;
  if (env.USERS_URL) overrides.users = env.USERS_URL;
  if (env.RECOMMENDATIONS_URL) overrides.recommendations = env.RECOMMENDATIONS_URL;
  return overrides;
}
