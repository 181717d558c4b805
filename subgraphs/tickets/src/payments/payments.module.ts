import { Module } from '@nestjs/common';
import type { TicketsModuleOptions } from '../core.module.js';
import { OrdersModule } from '../orders/orders.module.js';
import { BREAKER_OPTIONS, OPTIONS, PAYMENT_PROVIDER } from '../tokens.js';
import { PaymentGateway } from './payment-gateway.js';
import { paymentProviderFromEnv } from './provider-from-env.js';
import { RefundPayments } from './refund-payments.js';

/** The payment provider (the one the service was given, else PAYMENT_PROVIDER's) behind its circuit breakers. */
@Module({
  imports: [OrdersModule],
  providers: [
    {
      provide: PAYMENT_PROVIDER,
      inject: [OPTIONS],
      useFactory: (o: TicketsModuleOptions) => o.payments ?? paymentProviderFromEnv(o.env),
    },
    { provide: BREAKER_OPTIONS, inject: [OPTIONS], useFactory: (o: TicketsModuleOptions) => o.breaker },
    PaymentGateway,
    RefundPayments,
  ],
  exports: [PaymentGateway, RefundPayments],
})
export class PaymentsModule {}
