import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import type { TicketsContext } from '../context.js';
import type { MutationRefundOrderArgs } from '../generated/resolvers.js';
import { RefundsService } from './refunds.service.js';

@Resolver()
export class RefundsResolver {
  constructor(private readonly refunds: RefundsService) {}

  @Mutation('refundOrder')
  refundOrder(@Args() { id }: MutationRefundOrderArgs, @Context() ctx: TicketsContext) {
    return this.refunds.refundOrder(ctx, id);
  }
}
