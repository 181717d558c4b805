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
import { TicketsMetrics } from './metrics.js';
import { CancellationWorker } from './cancellations/cancellation.worker.js';
import { CancellationsRepository } from './cancellations/cancellations.repository.js';
import { CheckInRepository } from './check-in/check-in.repository.js';
import { CheckInResolver } from './check-in/check-in.resolver.js';
import { CheckInService } from './check-in/check-in.service.js';
import { CheckoutRecovery } from './checkout/checkout-recovery.js';
import { CheckoutSaga } from './checkout/checkout-saga.js';
import { CheckoutRepository } from './checkout/checkout.repository.js';
import { SaleRepository } from './checkout/sale.repository.js';
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
import { HoldLimitsRepository } from './reservations/hold-limits.repository.js';
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
  NOTIFIER,
  OUTBOX_KICK,
  PAYMENT_PROVIDER,
  type OutboxKick,
} from './tokens.js';
import { liveSubscriptions } from './ws.js';
import { HolderNotifications } from './notifications/holder-notifications.js';
import { NotificationDispatcher } from './notifications/notification-dispatcher.js';
import { NotificationsRepository } from './notifications/notifications.repository.js';
import type { Notifier } from './notifications/notifier.js';
import { SmtpNotifier } from './notifications/smtp-notifier.js';
import { TableNotifier } from './notifications/table-notifier.js';

export interface TicketsModuleOptions {
  env: TicketsEnv;
  database: TicketsDatabase;
  runtime: ServiceRuntime;
  log: Logger;
  verifier: TokenVerifier;
  outbox: OutboxKick;
  payments: PaymentProvider;
  breaker: BreakerOptions;
  /** Overrides the Notifier (default: SMTP when SMTP_URL is set, else the notifications table). */
  notifier?: Notifier;
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
      EventsClient,
      EventDirectory,
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
        { provide: TicketsMetrics, useValue: new TicketsMetrics(options.runtime.metrics) },
        ...shared,
      ],
      exports: [
        DB,
        CONFIG,
        LOGGER,
        OUTBOX_KICK,
        PAYMENT_PROVIDER,
        BREAKER_OPTIONS,
        TicketsMetrics,
        ...shared,
      ],
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
        PaymentGateway,
        RefundPayments,
        TiersService,
        TiersResolver,
        EventTicketsResolver,
        AvailabilityResolver,
        HoldLimitsRepository,
        ReservationsService,
        ReservationsResolver,
        ReservationItemResolver,
        Sweeper,
        CheckoutRepository,
        SaleRepository,
        CheckoutSaga,
        CheckoutRecovery,
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
        NotificationsRepository,
        {
          provide: NOTIFIER,
          inject: [NotificationsRepository],
          useFactory: (repository: NotificationsRepository): Notifier =>
            options.notifier ??
            (options.env.SMTP_URL
              ? new SmtpNotifier({
                  url: options.env.SMTP_URL,
                  from: options.env.SMTP_FROM,
                  recipient: options.env.NOTIFY_RECIPIENT,
                })
              : new TableNotifier(repository)),
        },
        NotificationDispatcher,
        HolderNotifications,
      ],
    };
  }
}
