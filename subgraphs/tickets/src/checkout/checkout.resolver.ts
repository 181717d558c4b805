import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import type { TicketsContext } from '../context.js';
import type { MutationCheckoutArgs } from '../generated/resolvers.js';
import { CheckoutService } from './checkout.service.js';

@Resolver()
export class CheckoutResolver {
  constructor(private readonly checkout: CheckoutService) {}

  @Mutation('checkout')
  run(
    @Args() { reservationId, paymentToken, idempotencyKey }: MutationCheckoutArgs,
    @Context() ctx: TicketsContext,
  ) {
    return this.checkout.checkout(ctx, reservationId, paymentToken, idempotencyKey);
  }
}
