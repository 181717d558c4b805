import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { ApolloFederationDriver, type ApolloFederationDriverConfig } from '@nestjs/apollo';
import { GraphQLModule } from '@nestjs/graphql';
import type { InjectionToken, ModuleMetadata } from '@nestjs/common';
import { createErrorFormatter } from './format-error.js';
import type { ServiceRuntime } from './ops.js';
import { operationObserver } from './operation-plugin.js';
import { DateTimeScalar } from './scalars.js';
import { subgraphRequestGuard } from './request-guard.js';
import { textGuard } from './text-guard.js';

/**
 * Subgraphs only run what the gateway planned from a document within its own limits (3,000
 * tokens, cost 5,000 by default); this bounds what a caller holding the internal credential
 * could make a subgraph parse and validate.
 */
export const SUBGRAPH_MAX_TOKENS = 50_000;

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
    // The gateway never sends persisted queries to subgraphs.
    persistedQueries: false,
    parseOptions: { maxTokens: SUBGRAPH_MAX_TOKENS },
    resolvers: { DateTime: DateTimeScalar, ...options.resolvers },
    formatError: createErrorFormatter(options.runtime.log),
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      operationObserver(options.runtime),
      subgraphRequestGuard(),
      textGuard(),
    ],
    context: ({ req }: { req: { headers: Record<string, string | string[] | undefined> } }) =>
      options.context(req),
    ...options.extra,
  };
}

/**
 * The GraphQL module every subgraph mounts; `useFactory` gets the providers named in `inject`,
 * from global modules or from the modules in `imports` (those that export them).
 */
export function subgraphGraphQLModule(options: {
  imports?: ModuleMetadata['imports'];
  inject: InjectionToken[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  useFactory: (...deps: any[]) => SubgraphGraphQLOptions;
}) {
  return GraphQLModule.forRootAsync<ApolloFederationDriverConfig>({
    driver: ApolloFederationDriver,
    ...(options.imports ? { imports: options.imports } : {}),
    inject: options.inject,
    useFactory: (...deps: unknown[]) => subgraphGraphQLOptions(options.useFactory(...deps)),
  });
}
