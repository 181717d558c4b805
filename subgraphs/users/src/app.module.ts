import { fileURLToPath } from 'node:url';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { createTokenVerifier } from '@marquee/auth';
import {
  clientIpOf,
  OpsModule,
  resolveCaller,
  subgraphGraphQLModule,
  type ServiceRuntime,
} from '@marquee/subgraph-kit';
import { ApiKeysRepository } from './api-keys/api-keys.repository.js';
import { ApiKeysResolver } from './api-keys/api-keys.resolver.js';
import { ApiKeysService } from './api-keys/api-keys.service.js';
import type { UsersContext } from './context.js';
import type { UsersDatabase } from './db/database.js';
import type { UsersEnv } from './env.js';
import { JwksController } from './jwks.controller.js';
import { SessionsRepository } from './sessions/sessions.repository.js';
import { SessionsResolver } from './sessions/sessions.resolver.js';
import { SessionsService } from './sessions/sessions.service.js';
import { SigningKeys } from './sessions/signing-keys.js';
import { ThrottlesRepository } from './throttles/throttles.repository.js';
import { ThrottlesService } from './throttles/throttles.service.js';
import { CONFIG, DB } from './tokens.js';
import { createUserLoader } from './users/users.loader.js';
import { UsersRepository } from './users/users.repository.js';
import { UsersResolver } from './users/users.resolver.js';
import { UsersService } from './users/users.service.js';

export interface UsersModuleOptions {
  env: UsersEnv;
  database: UsersDatabase;
  keys: SigningKeys;
  runtime: ServiceRuntime;
}

const typePaths = [fileURLToPath(new URL('../src/**/*.graphql', import.meta.url))];

@Global()
@Module({})
class CoreModule {
  static forRoot(options: UsersModuleOptions): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: DB, useValue: options.database },
        { provide: CONFIG, useValue: options.env },
        { provide: SigningKeys, useValue: options.keys },
        UsersRepository,
      ],
      exports: [DB, CONFIG, SigningKeys, UsersRepository],
    };
  }
}

@Module({})
export class UsersAppModule {
  static forRoot(options: UsersModuleOptions): DynamicModule {
    // Users verifies its own tokens with its own public key: no HTTP round trip.
    const verifier = createTokenVerifier({ jwks: options.keys.jwks });
    return {
      module: UsersAppModule,
      imports: [
        CoreModule.forRoot(options),
        OpsModule.forRoot(options.runtime),
        subgraphGraphQLModule({
          inject: [UsersRepository],
          useFactory: (users: UsersRepository) => ({
            runtime: options.runtime,
            typePaths,
            production: options.env.NODE_ENV === 'production',
            context: async (req): Promise<UsersContext> => ({
              caller: await resolveCaller(req, verifier),
              // Trusted only because every /graphql request carries the internal credential.
              clientIp: clientIpOf(req),
              loaders: { user: createUserLoader(users) },
            }),
          }),
        }),
      ],
      controllers: [JwksController],
      providers: [
        UsersService,
        UsersResolver,
        SessionsRepository,
        SessionsService,
        SessionsResolver,
        ThrottlesRepository,
        ThrottlesService,
        ApiKeysRepository,
        ApiKeysService,
        ApiKeysResolver,
      ],
    };
  }
}
