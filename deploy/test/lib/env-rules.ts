import { EnvError, parseEnv } from '@marquee/env';
import { JWKS_OWNER, JWKS_PATH, servicePort, subgraphs, urlVar, type ServiceFacts } from './services.js';

/** Stand-ins for the secrets, shaped as each service's env.ts expects them. */
export const SAMPLE_SECRETS: Record<string, string> = {
  DATABASE_URL: 'postgres://marquee:sample@db.example.internal:5432/marquee',
  REDIS_URL: 'redis://redis.example.internal:6379',
  INTERNAL_SECRET: 'sample-internal-secret-0123456789',
  JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nsample\n-----END PRIVATE KEY-----\n',
};

/**
 * Opt-ins that let NODE_ENV=production run what is meant for staging and demos: never required
 * (docker-compose.yml, a local demo, sets ALLOW_TEST_PAYMENTS; Kubernetes must not).
 */
export const DEMO_OPT_INS: Record<string, string> = { ALLOW_TEST_PAYMENTS: 'true' };

/**
 * What a deployment without those opt-ins is refused, on purpose: tickets has only the test
 * payment provider until Step 11, so in Kubernetes it refuses to start rather than confirm
 * orders nobody paid for. Remove once PAYMENT_PROVIDER has a real provider.
 */
export const EXPECTED_REFUSALS = [/^PAYMENT_PROVIDER: is "test" with NODE_ENV=production/];

/** Variables that carry secrets: they come from a Secret (or the shell), never a ConfigMap. */
export const SECRET_VARS = ['DATABASE_URL', 'REDIS_URL', 'INTERNAL_SECRET', 'JWT_PRIVATE_KEY', 'SMTP_URL'];

export const knownVars = (s: ServiceFacts) => Object.keys(s.schema.shape);

/** Read by libraries rather than env.ts: OpenTelemetry's standard variables, and Node's own. */
export const isProcessVar = (key: string) => /^(OTEL_\w+|NODE_OPTIONS)$/.test(key);

/** How long a service may take to close (requests, subscriptions, pools) when it has no setting for it. */
export const DEFAULT_SHUTDOWN_SECONDS = 30;

/** How long the service takes at most to shut down with this environment (its SHUTDOWN_*_MS setting). */
export function shutdownSeconds(s: ServiceFacts, env: Record<string, string>): number {
  const key = knownVars(s).find((k) => /SHUTDOWN\w*_MS$/.test(k));
  if (!key) return DEFAULT_SHUTDOWN_SECONDS;
  const value = Number(env[key] ?? s.schema.shape[key]?.parse(undefined));
  return Number.isFinite(value) ? Math.ceil(value / 1000) : DEFAULT_SHUTDOWN_SECONDS;
}

function parses(s: ServiceFacts, env: Record<string, string>): string[] {
  try {
    parseEnv(s.schema, env);
    return [];
  } catch (error) {
    if (error instanceof EnvError) return error.problems;
    throw error;
  }
}

/**
 * What a service must be given in production: NODE_ENV, every variable its env.ts cannot do
 * without when NODE_ENV=production (found by leaving each one out), REDIS_URL wherever it is
 * known (a standalone subgraph refuses to start without the bus; gateway replicas share the APQ
 * cache and rate limits through it), every variable whose default points at 127.0.0.1, and for
 * the gateway the URL of every subgraph (the routing URLs in supergraph.yaml are 127.0.0.1
 * defaults).
 */
export function productionRequirements(s: ServiceFacts): string[] {
  const known = knownVars(s);
  const full: Record<string, string> = { NODE_ENV: 'production' };
  for (const [key, value] of Object.entries(SAMPLE_SECRETS)) if (known.includes(key)) full[key] = value;
  const optIns = Object.keys(DEMO_OPT_INS).filter((key) => known.includes(key));
  for (const key of optIns) full[key] = DEMO_OPT_INS[key]!;
  const problems = parses(s, full);
  if (problems.length > 0) {
    throw new Error(`${s.dir}/src/env.ts needs more than the known secrets: ${problems.join('; ')}`);
  }
  const required = Object.keys(full).filter((key) => {
    if (key === 'NODE_ENV') return true;
    if (optIns.includes(key)) return false;
    const { [key]: _left, ...rest } = full;
    return parses(s, rest).length > 0;
  });
  if (known.includes('REDIS_URL')) required.push('REDIS_URL');
  required.push(...known.filter((key) => defaultsToLoopback(s, key)));
  if (s.kind === 'gateway') required.push(...subgraphs.map((sub) => urlVar(sub.name)));
  return [...new Set(required)].sort();
}

/** A default such as JWKS_URL's http://127.0.0.1:4003/... is right in one process, never in a container. */
function defaultsToLoopback(s: ServiceFacts, key: string): boolean {
  const result = s.schema.shape[key]?.safeParse(undefined);
  return (
    !!result?.success && typeof result.data === 'string' && /\/\/(127\.0\.0\.1|localhost)\b/.test(result.data)
  );
}

export interface EnvContext {
  /** Where the env comes from, for messages (`docker-compose.yml: events`). */
  where: string;
  /** The variables the file sets explicitly for this service (checked against its env.ts). */
  explicit: string[];
  /** The hostname under which another service is reached (Compose service / Kubernetes Service). */
  hostFor(serviceName: string): string;
  /** The port under which another service is reached (its Service port in Kubernetes). */
  portFor(serviceName: string): number;
}

function checkUrl(key: string, value: string, want: { host: string; port: number; path: string }) {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [`${key}=${value} is not a URL`];
  }
  const problems: string[] = [];
  if (url.hostname !== want.host) problems.push(`${key}=${value}: host should be ${want.host}`);
  if (Number(url.port || (url.protocol === 'https:' ? 443 : 80)) !== want.port) {
    problems.push(`${key}=${value}: port should be ${want.port}`);
  }
  if (url.pathname !== want.path) problems.push(`${key}=${value}: path should be ${want.path}`);
  return problems;
}

/**
 * The environment a deployment gives a service, against the service itself: every production
 * requirement present, nothing its env.ts does not know set explicitly (a typo, or a secret it
 * has no use for), the whole of it valid for env.ts, the port the one of supergraph.yaml, and
 * every URL of another service pointing at that service's name and port.
 */
export function checkServiceEnv(s: ServiceFacts, env: Record<string, string>, ctx: EnvContext): string[] {
  const problems: string[] = [];
  const known = knownVars(s);
  const say = (message: string) => problems.push(`${ctx.where}: ${message}`);
  for (const key of productionRequirements(s)) if (!env[key]) say(`${key} is required in production`);
  if (env.NODE_ENV && env.NODE_ENV !== 'production')
    say(`NODE_ENV should be production, not ${env.NODE_ENV}`);
  for (const key of ctx.explicit) {
    if (!known.includes(key) && !isProcessVar(key)) say(`${key} is not a setting of ${s.dir}`);
  }
  const invalid = parses(s, env).filter((p) => !EXPECTED_REFUSALS.some((refusal) => refusal.test(p)));
  for (const problem of invalid) say(`invalid for ${s.dir}/src/env.ts: ${problem}`);
  if (invalid.length === 0) {
    const parsed = parseEnv(s.schema, { ...DEMO_OPT_INS, ...env }) as Record<string, unknown>;
    if (parsed[s.portVar] !== servicePort(s)) {
      say(`listens on ${s.portVar}=${String(parsed[s.portVar])}, supergraph.yaml says ${servicePort(s)}`);
    }
  }
  for (const sub of subgraphs) {
    const key = urlVar(sub.name);
    const value = env[key];
    if (!value || !known.includes(key) || !sub.routingUrl) continue;
    const want = { host: ctx.hostFor(sub.name), port: ctx.portFor(sub.name), path: sub.routingUrl.pathname };
    for (const problem of checkUrl(key, value, want)) say(problem);
  }
  if (env.JWKS_URL && known.includes('JWKS_URL')) {
    const want = { host: ctx.hostFor(JWKS_OWNER), port: ctx.portFor(JWKS_OWNER), path: JWKS_PATH };
    for (const problem of checkUrl('JWKS_URL', env.JWKS_URL, want)) say(problem);
  }
  return problems;
}
