import { Inject, Injectable } from '@nestjs/common';
import { isId, type Logger } from '@marquee/subgraph-kit';
import { CheckoutRepository } from '../checkout/checkout.repository.js';
import { PaymentSettlement } from '../checkout/payment-settlement.js';
import { OrdersRepository, type OrderRow } from '../orders/orders.repository.js';
import { PaymentGateway } from '../payments/payment-gateway.js';
import type { PaymentEvent } from '../payments/payment-provider.js';
import { LOGGER } from '../tokens.js';
import { WebhooksRepository, type PaymentEventRecord } from './webhooks.repository.js';

export interface WebhookAnswer {
  status: number;
  body: unknown;
}

const refused = (status: number, code: string, message: string): WebhookAnswer => ({
  status,
  body: { errors: [{ message, extensions: { code } }] },
});

/**
 * The payment provider's webhook deliveries. Each is verified (signature and age: forged or
 * replayed-late deliveries are 400 and write nothing), then processed once per event id (the
 * inbox). A payment event is applied by settling the order from the payment's state as the
 * provider reports it now, so duplicates and out-of-order deliveries change nothing; refunds
 * and disputes are recorded on the order with the inbox row. A failure is answered 503 without
 * marking the event, so the provider delivers it again.
 */
@Injectable()
export class PaymentWebhooks {
  constructor(
    private readonly payments: PaymentGateway,
    private readonly settlement: PaymentSettlement,
    private readonly orders: OrdersRepository,
    private readonly checkouts: CheckoutRepository,
    private readonly repository: WebhooksRepository,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async receive(body: unknown, signature: unknown): Promise<WebhookAnswer> {
    if (!this.payments.takesWebhooks)
      return refused(404, 'NOT_FOUND', 'The payment provider in use sends no webhooks here');
    if (!Buffer.isBuffer(body) || typeof signature !== 'string' || signature === '')
      return refused(400, 'BAD_REQUEST', 'A signed webhook delivery is expected');
    let event: PaymentEvent;
    try {
      event = this.payments.parseWebhook(body, signature)!;
    } catch {
      // Forged, altered, signed with another secret, or too old: nothing is written.
      return refused(400, 'BAD_REQUEST', 'The webhook signature is not valid');
    }
    try {
      if (await this.repository.processed(event.id)) return ok({ duplicate: true });
      const record = await this.apply(event);
      await this.repository.markProcessed(event.id, record);
      return ok({});
    } catch (error) {
      this.log.warn({ eventId: event.id, err: String(error) }, 'webhook not processed; the provider retries');
      return refused(503, 'UNAVAILABLE', 'The event could not be processed now; deliver it again');
    }
  }

  /** What the event does; what it records on an order, if anything. */
  private async apply(event: PaymentEvent): Promise<PaymentEventRecord | undefined> {
    if (event.kind === 'ignored') return undefined;
    const order = await this.orderOf(event.reference, event.orderId);
    if (!order) {
      // Not a payment of ours (another integration on the same account), or long gone.
      this.log.info({ eventId: event.id }, 'webhook for a payment no order knows; ignored');
      return undefined;
    }
    if (event.kind === 'payment') {
      await this.settlement.settle(order);
      return undefined;
    }
    return {
      orderId: order.id,
      kind: event.kind === 'refunded' ? 'REFUNDED' : 'DISPUTED',
      ...(event.amount !== undefined ? { amount: event.amount } : {}),
      ...(event.currency ? { currency: event.currency.toUpperCase() } : {}),
      ...(event.detail ? { detail: event.detail } : {}),
    };
  }

  /**
   * The order paying with this payment. One that never stored it (a crash between the provider
   * creating the payment and the order recording it) is found by the id in the payment's
   * metadata, and the payment recorded on it now.
   */
  private async orderOf(reference: string, orderId?: string): Promise<OrderRow | undefined> {
    const order = await this.orders.findByPaymentIntent(reference);
    if (order || !orderId || !isId(orderId)) return order;
    const named = await this.orders.findById(orderId);
    if (!named || named.paymentIntentId) return undefined;
    await this.checkouts.recordIntent(named.id, reference);
    return this.orders.findById(named.id);
  }
}

const ok = (extra: Record<string, unknown>): WebhookAnswer => ({
  status: 200,
  body: { received: true, ...extra },
});
