import { fileURLToPath } from 'node:url';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { TokenVerifier } from '@marquee/auth';
import {
  clientIpOf,
  OpsModule,
  resolveCaller,
  subgraphGraphQLModule,
  type ServiceRuntime,
} from '@marquee/subgraph-kit';
import type { RecommendationsContext } from './context.js';
import type { RecommendationsDatabase } from './db/database.js';
import type { RecommendationsEnv } from './env.js';
import { ProjectionsConsumer } from './projections/projections.consumer.js';
import { ProjectionsRepository } from './projections/projections.repository.js';
import { RecommendationsRepository } from './recommendations/recommendations.repository.js';
import { RecommendationsResolver } from './recommendations/recommendations.resolver.js';
import { RecommendationsService } from './recommendations/recommendations.service.js';
import { createSimilarEventsLoader } from './similar-events/similar-events.loader.js';
import { SimilarEventsRepository } from './similar-events/similar-events.repository.js';
import { SimilarEventsResolver } from './similar-events/similar-events.resolver.js';
import { SimilarEventsService } from './similar-events/similar-events.service.js';
import { DB, RELAY, VIEW_CLIENTS, type Clock, type RelayKick } from './tokens.js';
import { TrendingRepository } from './trending/trending.repository.js';
import { TrendingResolver } from './trending/trending.resolver.js';
import { TrendingService } from './trending/trending.service.js';
import { createViewClientKeyer } from './views/view-client.js';
import { ViewsRepository } from './views/views.repository.js';
import { ViewsResolver } from './views/views.resolver.js';
import { ViewsService } from './views/views.service.js';

export interface RecommendationsModuleOptions {
  env: RecommendationsEnv;
  database: RecommendationsDatabase;
  runtime: ServiceRuntime;
  verifier: TokenVerifier;
  relay: RelayKick;
  clock: Clock;
}

const typePaths = [fileURLToPath(new URL('../src/**/*.graphql', import.meta.url))];

@Global()
@Module({})
class CoreModule {
  static forRoot(options: RecommendationsModuleOptions): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: DB, useValue: options.database },
        { provide: RELAY, useValue: options.relay },
        SimilarEventsRepository,
      ],
      exports: [DB, RELAY, SimilarEventsRepository],
    };
  }
}

@Module({})
export class RecommendationsAppModule {
  static forRoot(options: RecommendationsModuleOptions): DynamicModule {
    return {
      module: RecommendationsAppModule,
      imports: [
        CoreModule.forRoot(options),
        OpsModule.forRoot(options.runtime),
        subgraphGraphQLModule({
          inject: [SimilarEventsRepository],
          useFactory: (similar: SimilarEventsRepository) => ({
            runtime: options.runtime,
            typePaths,
            production: options.env.NODE_ENV === 'production',
            context: async (req): Promise<RecommendationsContext> => {
              const now = options.clock();
              return {
                caller: await resolveCaller(req, options.verifier),
                clientIp: clientIpOf(req),
                now,
                viewFields: 0,
                loaders: { similarEvents: createSimilarEventsLoader(similar, now) },
              };
            },
          }),
        }),
      ],
      providers: [
        { provide: VIEW_CLIENTS, useValue: createViewClientKeyer(options.env.INTERNAL_SECRET) },
        ProjectionsRepository,
        ProjectionsConsumer,
        ViewsRepository,
        ViewsService,
        ViewsResolver,
        RecommendationsRepository,
        RecommendationsService,
        RecommendationsResolver,
        SimilarEventsService,
        SimilarEventsResolver,
        TrendingRepository,
        TrendingService,
        TrendingResolver,
      ],
    };
  }
}
