import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import type { TicketsContext } from '../context.js';
import { CheckoutService } from './checkout.service.js';

@Resolver()
export class CheckoutResolver {
  constructor(private readonly checkout: CheckoutService) {}

  @Mutation('checkout')
  run(
    @Args('reservationId') reservationId: string,
    @Args('paymentToken') paymentToken: string,
    @Args('idempotencyKey') idempotencyKey: string,
    @Context() ctx: TicketsContext,
  ) {
    return this.checkout.checkout(ctx, reservationId, paymentToken, idempotencyKey);
  }
}
