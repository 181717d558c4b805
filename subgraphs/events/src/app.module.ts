import { fileURLToPath } from 'node:url';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { TokenVerifier } from '@marquee/auth';
import { OpsModule, resolveCaller, subgraphGraphQLModule, type ServiceRuntime } from '@marquee/subgraph-kit';
import type { EventsContext } from './context.js';
import type { EventsDatabase } from './db/database.js';
import type { EventsEnv } from './env.js';
import { DiscoveryRepository } from './events/discovery.repository.js';
import { DiscoveryService } from './events/discovery.service.js';
import { createEventLoaders } from './events/events.loader.js';
import { EventsRepository } from './events/events.repository.js';
import { EventsResolver } from './events/events.resolver.js';
import { EventsService } from './events/events.service.js';
import { DB, RELAY, type RelayKick } from './tokens.js';
import { OrganizersResolver } from './users/organizers.resolver.js';
import { createVenueLoader } from './venues/venues.loader.js';
import { VenuesRepository } from './venues/venues.repository.js';
import { VenuesResolver } from './venues/venues.resolver.js';
import { VenuesService } from './venues/venues.service.js';

export interface EventsModuleOptions {
  env: EventsEnv;
  database: EventsDatabase;
  relay: RelayKick;
  verifier: TokenVerifier;
  runtime: ServiceRuntime;
}

const typePaths = [fileURLToPath(new URL('../src/**/*.graphql', import.meta.url))];
const repositories = [EventsRepository, DiscoveryRepository, VenuesRepository];

@Global()
@Module({})
class CoreModule {
  static forRoot(options: EventsModuleOptions): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: DB, useValue: options.database },
        { provide: RELAY, useValue: options.relay },
        ...repositories,
      ],
      exports: [DB, RELAY, ...repositories],
    };
  }
}

@Module({})
export class EventsAppModule {
  static forRoot(options: EventsModuleOptions): DynamicModule {
    return {
      module: EventsAppModule,
      imports: [
        CoreModule.forRoot(options),
        OpsModule.forRoot(options.runtime),
        subgraphGraphQLModule({
          inject: repositories,
          useFactory: (
            events: EventsRepository,
            discovery: DiscoveryRepository,
            venues: VenuesRepository,
          ) => ({
            runtime: options.runtime,
            typePaths,
            production: options.env.NODE_ENV === 'production',
            context: async (req): Promise<EventsContext> => ({
              caller: await resolveCaller(req, options.verifier),
              loaders: { ...createEventLoaders(events, discovery), venue: createVenueLoader(venues) },
            }),
          }),
        }),
      ],
      providers: [
        EventsService,
        DiscoveryService,
        EventsResolver,
        VenuesService,
        VenuesResolver,
        OrganizersResolver,
      ],
    };
  }
}
