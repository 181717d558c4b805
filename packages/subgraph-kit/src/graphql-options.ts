import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloFederationDriver, type ApolloFederationDriverConfig } from '@nestjs/apollo';
import { GraphQLModule } from '@nestjs/graphql';
import type { InjectionToken } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { createErrorFormatter } from './format-error.js';
import type { ServiceRuntime } from './ops.js';
import { DateTimeScalar } from './scalars.js';

export interface SubgraphGraphQLOptions {
  runtime: ServiceRuntime;
  /** The subgraph's schema files (schema-first: the SDL is the source of truth). */
  typePaths: string[];
  production: boolean;
  /** Builds the per-request context: the caller and fresh DataLoaders. */
  context: (req: { headers: Record<string, string | string[] | undefined> }) => Promise<object>;
  resolvers?: Record<string, unknown>;
  /** Anything else the driver accepts, e.g. `subscriptions` for a subgraph that streams. */
  extra?: Partial<ApolloFederationDriverConfig>;
}

export function subgraphGraphQLOptions(options: SubgraphGraphQLOptions): ApolloFederationDriverConfig {
  return {
    driver: ApolloFederationDriver,
    typePaths: options.typePaths,
    path: '/graphql',
    playground: false,
    graphiql: false,
    introspection: !options.production,
    includeStacktraceInErrorResponses: false,
    resolvers: { DateTime: DateTimeScalar, ...options.resolvers },
    formatError: createErrorFormatter(options.runtime.log),
    plugins: [ApolloServerPluginInlineTraceDisabled(), requestMetrics(options.runtime)],
    context: ({ req }: { req: { headers: Record<string, string | string[] | undefined> } }) =>
      options.context(req),
    ...options.extra,
  };
}

/** Request count and latency by operation name. */
function requestMetrics(runtime: ServiceRuntime): ApolloServerPlugin {
  const requests = new Counter({
    name: 'graphql_requests_total',
    help: 'GraphQL operations served, by operation name and outcome',
    labelNames: ['operation', 'outcome'],
    registers: [runtime.metrics],
  });
  const duration = new Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'GraphQL operation latency',
    labelNames: ['operation'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [runtime.metrics],
  });
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operationName, errors }) {
          const operation = operationName ?? 'anonymous';
          requests.inc({ operation, outcome: errors?.length ? 'error' : 'ok' });
          duration.observe({ operation }, Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
}

/** The GraphQL module every subgraph mounts; `useFactory` gets the providers named in `inject`. */
export function subgraphGraphQLModule(options: {
  inject: InjectionToken[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  useFactory: (...deps: any[]) => SubgraphGraphQLOptions;
}) {
  return GraphQLModule.forRootAsync<ApolloFederationDriverConfig>({
    driver: ApolloFederationDriver,
    inject: options.inject,
    useFactory: (...deps: unknown[]) => subgraphGraphQLOptions(options.useFactory(...deps)),
  });
}
