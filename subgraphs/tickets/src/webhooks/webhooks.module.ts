import { Module } from '@nestjs/common';
import { CheckoutModule } from '../checkout/checkout.module.js';
import { OrdersModule } from '../orders/orders.module.js';
import { PaymentsModule } from '../payments/payments.module.js';
import { PaymentWebhooks } from './payment-webhooks.js';
import { StripeWebhookController } from './stripe-webhook.controller.js';
import { WebhooksRepository } from './webhooks.repository.js';

/** The payment provider's webhooks (POST /webhooks/stripe). */
@Module({
  imports: [CheckoutModule, OrdersModule, PaymentsModule],
  controllers: [StripeWebhookController],
  providers: [PaymentWebhooks, WebhooksRepository],
})
export class WebhooksModule {}
