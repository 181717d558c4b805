import type { IncomingMessage, Server } from 'node:http';
import type { GraphQLDataSource } from '@apollo/gateway';
import type { ApolloServer } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { Gauge, type Registry } from 'prom-client';
import type { AdmissionCaller, Admitted } from '../admission/index.js';
import type { GatewayContext } from '../context.js';
import { SubscriptionHub } from './hub.js';
import type { StreamDeps } from './operations.js';
import type { SupergraphPlanning } from '../supergraph/planning.js';
import { clientIp as clientIpOf } from '../admission/middleware.js';
import { SubscriptionQuota, type QuotaLimits } from './quota.js';
import { sseMiddleware } from './sse.js';
import { UpstreamClients } from './upstream.js';
import { attachWebSocketServer } from './ws-server.js';

export interface SubscriptionsOptions {
  planning: () => SupergraphPlanning;
  /** The gateway's own data sources, so entity fetches for subscription payloads share its pools. */
  dataSources: ReadonlyMap<string, GraphQLDataSource<GatewayContext>>;
  subgraphUrl: (name: string) => string;
  internalSecret: string;
  apollo: ApolloServer<GatewayContext>;
  /** The context of an admitted request (context.ts). */
  contextFor: (admitted: Admitted, authorization: string | undefined, clientIp: string) => GatewayContext;
  /** The same admission checks as HTTP (keys, tokens, rate limits, persisted operations, limits). */
  admit: (caller: AdmissionCaller, request: Record<string, unknown>) => Promise<Admitted>;
  identify: (caller: AdmissionCaller) => Promise<Omit<Admitted, 'query'>>;
  clientIp: (request: IncomingMessage) => string;
  /** Browser origins CORS allows: a graphql-ws upgrade from any other is refused. */
  originAllowed: (origin: string) => boolean;
  quota: QuotaLimits;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  coalesceMs: number;
  metrics: Registry;
  log: { error(object: object, message: string): void };
}

/** Subscriptions at the gateway: graphql-ws and SSE on /graphql, federated and fanned out once. */
export function createSubscriptions(options: SubscriptionsOptions) {
  const planning = options.planning;
  const quota = new SubscriptionQuota(options.quota);
  const upstream = new UpstreamClients(options.internalSecret, options.subgraphUrl);
  const formatError = (error: GraphQLFormattedError) => options.formatError(error, error);
  const hub = new SubscriptionHub({
    planning,
    upstream,
    dataSources: options.dataSources,
    coalesceMs: options.coalesceMs,
    formatError,
    log: options.log,
  });
  const deps: StreamDeps = {
    hub,
    planning,
    formatError,
    execute: async (request, contextValue) => {
      const response = await options.apollo.executeOperation(request, { contextValue });
      if (response.body.kind !== 'single')
        return { errors: [{ message: 'Incremental delivery is not supported here' }] };
      return response.body.singleResult as never;
    },
  };
  let ws: ReturnType<typeof attachWebSocketServer> | undefined;
  let connections = 0;
  new Gauge({
    name: 'gateway_subscriptions_active',
    help: 'Client subscriptions being served (graphql-ws and SSE)',
    registers: [options.metrics],
    collect() {
      this.set(hub.stats().subscribers);
    },
  });
  new Gauge({
    name: 'gateway_subscription_topics',
    help: 'Distinct subscription topics (operation, variables, scope), each one upstream subscription',
    registers: [options.metrics],
    collect() {
      this.set(hub.stats().topics);
    },
  });
  new Gauge({
    name: 'gateway_websocket_connections',
    help: 'Open graphql-ws connections',
    registers: [options.metrics],
    collect() {
      this.set(connections);
    },
  });

  return {
    sse: sseMiddleware({
      ...deps,
      buildContext: (req) => options.contextFor(req.admitted!, req.headers.authorization, clientIpOf(req)),
      quota,
    }),
    attach(server: Server) {
      ws = attachWebSocketServer(server, {
        ...deps,
        path: '/graphql',
        identify: options.identify,
        admit: options.admit,
        contextFor: options.contextFor,
        clientIp: options.clientIp,
        originAllowed: options.originAllowed,
        quota,
        onConnection: (delta) => (connections += delta),
      });
    },
    stats: () => ({ ...hub.stats(), connections, upstreamConnections: upstream.connectionCount }),
    async close() {
      hub.closeAll();
      await ws?.close();
      await upstream.close();
    },
  };
}

export type Subscriptions = ReturnType<typeof createSubscriptions>;
