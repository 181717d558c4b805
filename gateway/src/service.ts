import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createTokenVerifier, type TokenVerifier } from '@marquee/auth';
import {
  createErrorFormatter,
  createLogger,
  createRuntime,
  listen,
  OpsModule,
  type Logger,
  type RunningService,
  type ServiceRuntime,
} from '@marquee/subgraph-kit';
import { buildContext, type GatewayContext } from './context.js';
import { SubgraphDataSource } from './data-source.js';
import { subgraphUrlOverrides, type GatewayEnv } from './env.js';

export const DEFAULT_SUPERGRAPH_PATH = fileURLToPath(new URL('../supergraph.graphql', import.meta.url));

export interface GatewayDeps {
  log?: Logger;
  /** Overrides GATEWAY_PORT (tests pass 0). */
  port?: number;
  /** Subgraph name -> /graphql URL; wins over env and the supergraph's routing URLs. */
  subgraphUrls?: Record<string, string>;
  verifier?: TokenVerifier;
}

@Module({})
class GatewayOpsModule {
  static forRoot(runtime: ServiceRuntime): DynamicModule {
    return { module: GatewayOpsModule, imports: [OpsModule.forRoot(runtime)] };
  }
}

export async function startGateway(env: GatewayEnv, deps: GatewayDeps = {}): Promise<RunningService> {
  const log = deps.log ?? createLogger('gateway', env.LOG_LEVEL);
  const production = env.NODE_ENV === 'production';
  const supergraphSdl = readFileSync(env.SUPERGRAPH_PATH ?? DEFAULT_SUPERGRAPH_PATH, 'utf8');
  const urls = { ...subgraphUrlOverrides(env), ...deps.subgraphUrls };
  const routed = new Map<string, string>();
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => {
      const target = urls[name] ?? url!;
      routed.set(name, target);
      return new SubgraphDataSource(target, env.INTERNAL_SECRET, env.SUBGRAPH_TIMEOUT_MS);
    },
  });
  const server = new ApolloServer<GatewayContext>({
    gateway,
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    formatError: createErrorFormatter(log),
    plugins: [ApolloServerPluginLandingPageDisabled()],
  });
  await server.start();

  const verifier = deps.verifier ?? createTokenVerifier({ jwksUrl: env.JWKS_URL });
  const runtime = createRuntime('gateway', log, [
    { name: 'subgraphs', check: () => subgraphsHealthy([...routed.values()]) },
  ]);
  const app = await NestFactory.create<NestExpressApplication>(GatewayOpsModule.forRoot(runtime), {
    logger: ['error', 'warn'],
    bodyParser: false,
  });
  app.disable('x-powered-by');
  app.useBodyParser('json', { limit: env.BODY_LIMIT_BYTES });
  app.use(
    '/graphql',
    expressMiddleware(server, { context: async ({ req }) => buildContext(req.headers, verifier) }),
  );
  const url = await listen(app, deps.port ?? env.GATEWAY_PORT, env.HOST);
  return {
    name: 'gateway',
    url,
    async close() {
      await app.close();
      await server.stop();
    },
  };
}

async function subgraphsHealthy(urls: string[]): Promise<boolean> {
  const results = await Promise.all(
    urls.map((url) =>
      fetch(url.replace(/\/graphql$/, '/health'), { signal: AbortSignal.timeout(1_500) })
        .then((r) => r.ok)
        .catch(() => false),
    ),
  );
  return results.length > 0 && results.every(Boolean);
}
