import 'reflect-metadata';
import { fileURLToPath } from 'node:url';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { GraphQLError } from 'graphql';
import { createTokenVerifier, type TokenVerifier } from '@marquee/auth';
import {
  createErrorFormatter,
  createLogger,
  createRuntime,
  drainHttpServer,
  nestLogger,
  observeRequests,
  operationObserver,
  type Logger,
  type RunningService,
} from '@marquee/subgraph-kit';
import { contextFor, type GatewayContext } from './context.js';
import { SubgraphDataSource } from './transport/data-source.js';
import { ResponseMemory } from './transport/subgraph-transport.js';
import { operationGuard } from './plugins/operation-guard.js';
import { rateLimitedStatus } from './plugins/rate-limited-status.js';
import { requestBudget } from './plugins/request-budget.js';
import { mountPlayground } from './playground/mount.js';
import { createAdmission } from './admission/index.js';
import { clientIp } from './admission/middleware.js';
import { clientIpResolver } from './http/client-ip.js';
import { createSubscriptions, type Subscriptions } from './subscriptions/index.js';
import { SupergraphSource, type ReloadResult } from './supergraph/source.js';
import { PRODUCTION_OPS_PORT, subgraphUrlOverrides, type GatewayEnv } from './env.js';
import { applyHttpHygiene, corsPolicy } from './http/hygiene.js';
import { GatewayOpsModule, hideOpsRoutes, startOpsServer } from './http/ops-server.js';
import { listenGateway } from './http/public-port.js';
import { subgraphMetrics } from './transport/subgraph-metrics.js';

export const DEFAULT_SUPERGRAPH_PATH = fileURLToPath(new URL('../supergraph.graphql', import.meta.url));

export interface GatewayDeps {
  log?: Logger;
  /** Overrides GATEWAY_PORT (tests pass 0). */
  port?: number;
  /** Overrides the ops port when one is in use (tests pass 0). */
  opsPort?: number;
  /** Subgraph name -> /graphql URL; wins over env and the supergraph's routing URLs. */
  subgraphUrls?: Record<string, string>;
  verifier?: TokenVerifier;
  /**
   * Answer on a private 127.0.0.1 port until open() (the launcher seeds the demo first), and
   * say not ready meanwhile. Without it the public port opens at once.
   */
  openLater?: boolean;
}

export interface RunningGateway extends RunningService {
  subscriptions: Subscriptions;
  /** Where /metrics and /ready are: the ops port when one is in use, else the public one. */
  opsUrl: string;
  /** Re-reads the supergraph file now (SIGHUP does this); running connections stay open. */
  reloadSupergraph(): ReloadResult;
  /** Opens the public port (with `openLater`; else it is open already): resolves to its /graphql URL. */
  open(): Promise<string>;
}

export async function startGateway(env: GatewayEnv, deps: GatewayDeps = {}): Promise<RunningGateway> {
  const log = deps.log ?? createLogger('gateway', env.LOG_LEVEL, env.LOG_FORMAT);
  const production = env.NODE_ENV === 'production';
  const supergraph = new SupergraphSource(env.SUPERGRAPH_PATH ?? DEFAULT_SUPERGRAPH_PATH, log);
  const urls = { ...subgraphUrlOverrides(env), ...deps.subgraphUrls };
  // @apollo/gateway reports anonymous usage metrics to Apollo (and probes cloud metadata
  // endpoints) unless told not to. Marquee talks to no one it was not configured to.
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  const routed = new Map<string, string>();
  const dataSources = new Map<string, SubgraphDataSource>();
  // Answers to identical reads, kept for one subscription tick at most (see SubgraphTransport).
  const recentAnswers = new ResponseMemory(Math.min(env.SUBGRAPH_CACHE_TTL_MS, env.SUBSCRIPTION_COALESCE_MS));
  const runtime = createRuntime('gateway', log, [
    { name: 'subgraphs', check: () => subgraphsHealthy([...routed.values()]) },
  ]);
  const observeSubgraph = subgraphMetrics(runtime.metrics);
  const gateway = new ApolloGateway({
    supergraphSdl: supergraph.hook,
    buildService: ({ name, url }) => {
      const target = urls[name] ?? url!;
      routed.set(name, target);
      const source = new SubgraphDataSource({
        url: target,
        internalSecret: env.INTERNAL_SECRET,
        timeoutMs: env.SUBGRAPH_TIMEOUT_MS,
        breakerResetMs: env.SUBGRAPH_BREAKER_RESET_MS,
        connections: env.SUBGRAPH_CONNECTIONS,
        memory: recentAnswers,
        observer: observeSubgraph(name),
      });
      // A reloaded supergraph builds new sources: the old one's pool closes once requests
      // planned before the reload are surely done, and nothing it remembered is reused.
      const previous = dataSources.get(name);
      if (previous) {
        recentAnswers.clear();
        setTimeout(() => void previous.close(), 60_000).unref();
      }
      dataSources.set(name, source);
      return source;
    },
  });
  const formatError = createErrorFormatter(log);
  const planning = () => supergraph.currentPlanning;
  const verifier = deps.verifier ?? createTokenVerifier({ jwksUrl: env.JWKS_URL });
  const admission = createAdmission(env, {
    usersUrl: () => routed.get('users') ?? urls.users ?? 'http://127.0.0.1:4003/graphql',
    planning,
    tokens: verifier,
  });
  const server = new ApolloServer<GatewayContext>({
    gateway,
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    // Persisted operations (manifest ids and APQ) are resolved by the admission layer.
    persistedQueries: false,
    // Shutdown is ours (main.ts / the launcher): Apollo would otherwise re-raise SIGINT/SIGTERM
    // halfway through, killing the process before the database and bus are closed.
    stopOnTerminationSignals: false,
    formatError,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      operationGuard(),
      rateLimitedStatus(),
      requestBudget({
        maxEntities: env.MAX_ENTITIES_PER_REQUEST,
        maxResponseBytes: env.MAX_RESPONSE_BYTES,
        deadlineMs: env.REQUEST_DEADLINE_MS,
      }),
      ...admission.plugins,
      // Metric labels: the registered operation's name, else `other` (admission decides).
      operationObserver(
        runtime,
        ({ contextValue }) => (contextValue as Partial<GatewayContext>).operationLabel ?? 'other',
      ),
    ],
  });
  await server.start();

  const app = await NestFactory.create<NestExpressApplication>(GatewayOpsModule.forRoot(runtime), {
    logger: nestLogger(log),
    bodyParser: false,
  });
  app.use(observeRequests('gateway', log)); // request id (forwarded to subgraphs), access log
  applyHttpHygiene(app, env); // security headers, CORS, body limit, server timeouts
  const opsPort = env.OPS_PORT ?? (production ? PRODUCTION_OPS_PORT : undefined);
  if (opsPort !== undefined) hideOpsRoutes(app);
  if (env.TRUST_PROXY_HOPS > 0) app.set('trust proxy', env.TRUST_PROXY_HOPS);
  const subscriptions = createSubscriptions({
    planning,
    admit: admission.admit,
    dataSources,
    subgraphUrl: (name) => routed.get(name) ?? urls[name]!,
    internalSecret: env.INTERNAL_SECRET,
    apollo: server,
    contextFor,
    identify: admission.identify,
    clientIp: clientIpResolver(env.TRUST_PROXY_HOPS),
    originAllowed: corsPolicy(env).allowed,
    quota: {
      perConnection: env.SUBSCRIPTIONS_PER_CONNECTION,
      perIp: env.SUBSCRIPTIONS_PER_IP,
      perUser: env.SUBSCRIPTIONS_PER_USER,
      connectionsPerIp: env.WS_CONNECTIONS_PER_IP,
    },
    formatError,
    coalesceMs: env.SUBSCRIPTION_COALESCE_MS,
    metrics: runtime.metrics,
    log,
  });
  mountPlayground(app, { production });
  app.use('/graphql', admission.middleware);
  app.use('/graphql', subscriptions.sse);
  app.use(
    '/graphql',
    expressMiddleware(server, {
      context: async ({ req }) => {
        // Everything that executes passed admission (rate limits, credentials, limits).
        if (!req.admitted) throw notAdmitted();
        return contextFor(req.admitted, req.headers.authorization, clientIp(req));
      },
    }),
  );
  const listener = await listenGateway(app, {
    port: deps.port ?? env.GATEWAY_PORT,
    host: env.HOST,
    openLater: deps.openLater === true,
  });
  // Not ready while the public port is still closed (the launcher seeding the demo).
  if (deps.openLater) runtime.readiness.push({ name: 'public port', check: async () => listener.isOpen() });
  const ops =
    opsPort === undefined ? undefined : await startOpsServer(runtime, log, deps.opsPort ?? opsPort, env.HOST);
  subscriptions.attach(app.getHttpServer());
  if (env.SUPERGRAPH_WATCH) supergraph.watch(env.SUPERGRAPH_POLL_MS);
  return {
    name: 'gateway',
    get url() {
      return listener.url();
    },
    get opsUrl() {
      return ops?.url ?? listener.url().replace(/\/graphql$/, '');
    },
    subscriptions,
    reloadSupergraph: () => supergraph.reload(),
    open: () => listener.open(),
    async close() {
      supergraph.stop();
      // No new connections; websocket subscribers get 1012 and event streams end while the
      // requests in flight finish.
      await drainHttpServer(app.getHttpServer(), env.SHUTDOWN_TIMEOUT_MS, () => subscriptions.close());
      await app.close();
      await ops?.close();
      await server.stop();
      await admission.close();
      await Promise.all([...dataSources.values()].map((source) => source.close()));
    },
  };
}

/**
 * Ready while at least one subgraph answers: with some subgraphs down the gateway still serves
 * the rest (their fields come back as errors), so taking every gateway replica out of the load
 * balancer because one subgraph is down would turn a partial outage into a total one.
 */
async function subgraphsHealthy(urls: string[]): Promise<boolean> {
  const results = await Promise.all(
    urls.map((url) =>
      fetch(url.replace(/\/graphql$/, '/health'), { signal: AbortSignal.timeout(1_500) })
        .then((r) => r.ok)
        .catch(() => false),
    ),
  );
  return results.some(Boolean);
}

function notAdmitted() {
  return new GraphQLError('Send one GraphQL request per HTTP request', {
    extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
  });
}
