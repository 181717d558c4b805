import { Args, Context, Mutation, Parent, Query, ResolveReference, Resolver } from '@nestjs/graphql';
import type { EventsContext } from '../context.js';
import type { MutationCreateVenueArgs, QueryVenueArgs } from '../generated/resolvers.js';
import { VenuesService } from './venues.service.js';

@Resolver('Venue')
export class VenuesResolver {
  constructor(private readonly venues: VenuesService) {}

  @Query('venue')
  venue(@Args() { id }: QueryVenueArgs, @Context() ctx: EventsContext) {
    return this.venues.byId(ctx, id);
  }

  @ResolveReference()
  reference(@Parent() ref: { id: string }, @Context() ctx: EventsContext) {
    return this.venues.byId(ctx, ref.id);
  }

  @Mutation('createVenue')
  create(@Args() { input }: MutationCreateVenueArgs, @Context() ctx: EventsContext) {
    return this.venues.create(ctx.caller, input);
  }
}
