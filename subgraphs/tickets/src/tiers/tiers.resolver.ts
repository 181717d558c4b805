import { Args, Context, Mutation, Parent, ResolveReference, Resolver } from '@nestjs/graphql';
import { isId } from '@marquee/subgraph-kit';
import type { TicketsContext } from '../context.js';
import type { MutationAddTicketTierArgs } from '../generated/resolvers.js';
import { TiersService } from './tiers.service.js';

@Resolver('TicketTier')
export class TiersResolver {
  constructor(private readonly tiers: TiersService) {}

  @Mutation('addTicketTier')
  addTicketTier(@Args() { eventId, input }: MutationAddTicketTierArgs, @Context() ctx: TicketsContext) {
    return this.tiers.addTier(ctx, eventId, input);
  }

  /** Tiers are public, like the events they belong to. */
  @ResolveReference()
  reference(@Parent() ref: { id: string }, @Context() ctx: TicketsContext) {
    return isId(ref.id) ? ctx.loaders.tier.load(ref.id) : null;
  }
}
