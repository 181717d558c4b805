import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { TokenVerifier } from '@marquee/auth';
import type { Logger, ServiceRuntime } from '@marquee/subgraph-kit';
import type { TicketsDatabase } from './db/database.js';
import type { TicketsEnv } from './env.js';
import { TicketsMetrics } from './metrics.js';
import type { Notifier } from './notifications/notifier.js';
import type { BreakerOptions } from './payments/payment-gateway.js';
import type { PaymentProvider } from './payments/payment-provider.js';
import { CONFIG, DB, LOGGER, OPTIONS, OUTBOX_KICK, type OutboxKick } from './tokens.js';

export interface TicketsModuleOptions {
  env: TicketsEnv;
  database: TicketsDatabase;
  runtime: ServiceRuntime;
  log: Logger;
  verifier: TokenVerifier;
  outbox: OutboxKick;
  /** Unset: the one PAYMENT_PROVIDER names (payments.module.ts). */
  payments?: PaymentProvider;
  breaker: BreakerOptions;
  /** Overrides the Notifier (default: SMTP when SMTP_URL is set, else the notifications table). */
  notifier?: Notifier;
}

/**
 * Only what nearly every feature needs: the database, config, logger, the outbox nudge and the
 * business metrics, plus the start options (PaymentsModule and NotificationsModule take their
 * part). Repositories and services are exported by their own feature module, to its importers.
 */
@Global()
@Module({})
export class CoreModule {
  static forRoot(options: TicketsModuleOptions): DynamicModule {
    const providers = [
      { provide: OPTIONS, useValue: options },
      { provide: DB, useValue: options.database },
      { provide: CONFIG, useValue: options.env },
      { provide: LOGGER, useValue: options.log },
      { provide: OUTBOX_KICK, useValue: options.outbox },
      { provide: TicketsMetrics, useValue: new TicketsMetrics(options.runtime.metrics) },
    ];
    return { module: CoreModule, providers, exports: providers.map((p) => p.provide) };
  }
}
