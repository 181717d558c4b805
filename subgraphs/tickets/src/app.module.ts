import { fileURLToPath } from 'node:url';
import { Module, type DynamicModule } from '@nestjs/common';
import { OpsModule, resolveCaller, subgraphGraphQLModule } from '@marquee/subgraph-kit';
import { AvailabilityModule } from './availability/availability.module.js';
import { LiveAvailability } from './availability/live.js';
import { CancellationsModule } from './cancellations/cancellations.module.js';
import { CheckInModule } from './check-in/check-in.module.js';
import { CheckoutModule } from './checkout/checkout.module.js';
import type { TicketsContext } from './context.js';
import { CoreModule, type TicketsModuleOptions } from './core.module.js';
import { EventDirectoryModule } from './event-directory/event-directory.module.js';
import { EventDirectoryRepository } from './event-directory/event-directory.repository.js';
import { createLoaders } from './loaders.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { OrdersModule } from './orders/orders.module.js';
import { OrdersRepository } from './orders/orders.repository.js';
import { RefundsModule } from './refunds/refunds.module.js';
import { ReservationsModule } from './reservations/reservations.module.js';
import { ReservationsRepository } from './reservations/reservations.repository.js';
import { TiersModule } from './tiers/tiers.module.js';
import { TiersRepository } from './tiers/tiers.repository.js';
import { liveSubscriptions } from './ws.js';

export type { TicketsModuleOptions } from './core.module.js';

const typePaths = [fileURLToPath(new URL('../src/**/*.graphql', import.meta.url))];
const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** Every feature module, and GraphQL with the per-request context (the caller and the loaders). */
@Module({})
export class TicketsAppModule {
  static forRoot(options: TicketsModuleOptions): DynamicModule {
    return {
      module: TicketsAppModule,
      imports: [
        CoreModule.forRoot(options),
        OpsModule.forRoot(options.runtime),
        TiersModule,
        AvailabilityModule,
        ReservationsModule,
        CheckoutModule,
        OrdersModule,
        RefundsModule,
        CheckInModule,
        CancellationsModule,
        NotificationsModule,
        subgraphGraphQLModule({
          // What the loaders read from, and the live availability feed for subscriptions.
          imports: [TiersModule, EventDirectoryModule, ReservationsModule, OrdersModule, AvailabilityModule],
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
    };
  }
}
