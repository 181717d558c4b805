import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from '@marquee/subgraph-kit';
import { OrdersRepository } from '../orders/orders.repository.js';
import { LOGGER } from '../tokens.js';
import { PaymentGateway } from './payment-gateway.js';

/**
 * Gives the money back for an order whose state already says so (REFUNDED, or FAILED after
 * charging). Runs after the database change committed; if the provider fails, the order
 * keeps paymentState CHARGED, which is exactly what a recovery job looks for.
 */
@Injectable()
export class RefundPayments {
  constructor(
    private readonly payments: PaymentGateway,
    private readonly orders: OrdersRepository,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async refund(orderId: string, reference: string | null): Promise<boolean> {
    if (!reference) return false;
    try {
      await this.payments.refund(reference);
      await this.orders.markPaymentRefunded(orderId);
      return true;
    } catch (error) {
      this.log.error({ orderId, err: String(error) }, 'refund at the payment provider failed; left CHARGED');
      return false;
    }
  }
}
