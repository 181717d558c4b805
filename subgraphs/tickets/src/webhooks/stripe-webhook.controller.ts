import { Controller, Post, Req, Res } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { PaymentWebhooks } from './payment-webhooks.js';

interface Reply {
  status(code: number): Reply;
  json(body: unknown): void;
}

/**
 * POST /webhooks/stripe: Stripe's events, forwarded by the gateway with the raw body and the
 * Stripe-Signature header as they came. Like /graphql, only the gateway may call it (the
 * internal credential); the body is kept raw for the signature check (service.ts).
 */
@Controller('webhooks')
export class StripeWebhookController {
  constructor(private readonly webhooks: PaymentWebhooks) {}

  @Post('stripe')
  async stripe(@Req() req: { body: unknown; headers: IncomingHttpHeaders }, @Res() res: Reply) {
    const answer = await this.webhooks.receive(req.body, req.headers['stripe-signature']);
    res.status(answer.status).json(answer.body);
  }
}

/** The paths whose body the service keeps raw. */
export const WEBHOOK_PATHS = ['/webhooks/stripe'];
