import { fileURLToPath } from 'node:url';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { TokenVerifier } from '@marquee/auth';
import {
  OpsModule,
  resolveCaller,
  subgraphGraphQLModule,
  type Logger,
  type ServiceRuntime,
} from '@marquee/subgraph-kit';
import { AvailabilityResolver, EventTicketsResolver } from './availability/availability.resolver.js';
import { AvailabilityService } from './availability/availability.service.js';
import { LiveAvailability } from './availability/live.js';
import { CancellationWorker } from './cancellations/cancellation.worker.js';
import { CancellationsRepository } from './cancellations/cancellations.repository.js';
import { CheckInRepository } from './check-in/check-in.repository.js';
import { CheckInResolver } from './check-in/check-in.resolver.js';
import { CheckInService } from './check-in/check-in.service.js';
import { CheckoutRepository } from './checkout/checkout.repository.js';
import { CheckoutResolver } from './checkout/checkout.resolver.js';
import { CheckoutService } from './checkout/checkout.service.js';
import type { TicketsContext } from './context.js';
import type { TicketsDatabase } from './db/database.js';
import type { TicketsEnv } from './env.js';
import { EventDirectoryRepository } from './event-directory/event-directory.repository.js';
import { EventDirectory } from './event-directory/event-directory.service.js';
import { EventsClient } from './event-directory/events.client.js';
import { InventoryRepository } from './inventory/inventory.repository.js';
import { createLoaders } from './loaders.js';
import { OrdersRepository } from './orders/orders.repository.js';
import { OrdersResolver, TicketResolver, UserOrdersResolver } from './orders/orders.resolver.js';
import { OrdersService } from './orders/orders.service.js';
import type { BreakerOptions } from './payments/payment-gateway.js';
import { PaymentGateway } from './payments/payment-gateway.js';
import type { PaymentProvider } from './payments/payment-provider.js';
import { RefundPayments } from './payments/refund-payments.js';
import { RefundsRepository } from './refunds/refunds.repository.js';
import { RefundsResolver } from './refunds/refunds.resolver.js';
import { RefundsService } from './refunds/refunds.service.js';
import { ReservationItemResolver, ReservationsResolver } from './reservations/reservations.resolver.js';
import { ReservationsRepository } from './reservations/reservations.repository.js';
import { ReservationsService } from './reservations/reservations.service.js';
import { Sweeper } from './reservations/sweeper.js';
import { TiersRepository } from './tiers/tiers.repository.js';
import { TiersResolver } from './tiers/tiers.resolver.js';
import { TiersService } from './tiers/tiers.service.js';
import {
  BREAKER_OPTIONS,
  CONFIG,
  DB,
  LOGGER,
  OUTBOX_KICK,
  PAYMENT_PROVIDER,
  type OutboxKick,
} from './tokens.js';
import { liveSubscriptions } from './ws.js';

export interface TicketsModuleOptions {
  env: TicketsEnv;
  database: TicketsDatabase;
  runtime: ServiceRuntime;
  log: Logger;
  verifier: TokenVerifier;
  outbox: OutboxKick;
  payments: PaymentProvider;
  breaker: BreakerOptions;
}

const typePaths = [fileURLToPath(new URL('../src/**/*.graphql', import.meta.url))];
const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** What every feature may use: the database, config, the outbox nudge, the repositories. */
@Global()
@Module({})
class CoreModule {
  static forRoot(options: TicketsModuleOptions): DynamicModule {
    const shared = [
      TiersRepository,
      EventDirectoryRepository,
      ReservationsRepository,
      OrdersRepository,
      InventoryRepository,
      AvailabilityService,
      LiveAvailability,
    ];
    return {
      module: CoreModule,
      providers: [
        { provide: DB, useValue: options.database },
        { provide: CONFIG, useValue: options.env },
        { provide: LOGGER, useValue: options.log },
        { provide: OUTBOX_KICK, useValue: options.outbox },
        { provide: PAYMENT_PROVIDER, useValue: options.payments },
        { provide: BREAKER_OPTIONS, useValue: options.breaker },
        ...shared,
      ],
      exports: [DB, CONFIG, LOGGER, OUTBOX_KICK, PAYMENT_PROVIDER, BREAKER_OPTIONS, ...shared],
    };
  }
}

@Module({})
export class TicketsAppModule {
  static forRoot(options: TicketsModuleOptions): DynamicModule {
    return {
      module: TicketsAppModule,
      imports: [
        CoreModule.forRoot(options),
        OpsModule.forRoot(options.runtime),
        subgraphGraphQLModule({
          inject: [
            TiersRepository,
            EventDirectoryRepository,
            ReservationsRepository,
            OrdersRepository,
            LiveAvailability,
          ],
          useFactory: (
            tiers: TiersRepository,
            directory: EventDirectoryRepository,
            reservations: ReservationsRepository,
            orders: OrdersRepository,
            live: LiveAvailability,
          ) => {
            const context = async (
              headers: Record<string, string | string[] | undefined>,
            ): Promise<TicketsContext> => {
              const authorization = header(headers.authorization);
              return {
                caller: await resolveCaller({ headers }, options.verifier),
                ...(authorization ? { authorization } : {}),
                loaders: createLoaders({ tiers, directory, reservations, orders }),
              };
            };
            return {
              runtime: options.runtime,
              typePaths,
              production: options.env.NODE_ENV === 'production',
              context: (req) => context(req.headers),
              extra: { subscriptions: liveSubscriptions(options.env.INTERNAL_SECRET, live, context) },
            };
          },
        }),
      ],
      providers: [
        EventsClient,
        EventDirectory,
        PaymentGateway,
        RefundPayments,
        TiersService,
        TiersResolver,
        EventTicketsResolver,
        AvailabilityResolver,
        ReservationsService,
        ReservationsResolver,
        ReservationItemResolver,
        Sweeper,
        CheckoutRepository,
        CheckoutService,
        CheckoutResolver,
        OrdersService,
        OrdersResolver,
        TicketResolver,
        UserOrdersResolver,
        RefundsRepository,
        RefundsService,
        RefundsResolver,
        CheckInRepository,
        CheckInService,
        CheckInResolver,
        CancellationsRepository,
        CancellationWorker,
      ],
    };
  }
}
