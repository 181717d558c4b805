import { Args, Context, Mutation, Parent, Query, ResolveReference, Resolver } from '@nestjs/graphql';
import type { EventsContext } from '../context.js';
import type { CreateVenueInput } from './venue-input.js';
import { VenuesService } from './venues.service.js';

@Resolver('Venue')
export class VenuesResolver {
  constructor(private readonly venues: VenuesService) {}

  @Query('venue')
  venue(@Args('id') id: string, @Context() ctx: EventsContext) {
    return this.venues.byId(ctx, id);
  }

  @ResolveReference()
  reference(@Parent() ref: { id: string }, @Context() ctx: EventsContext) {
    return this.venues.byId(ctx, ref.id);
  }

  @Mutation('createVenue')
  create(@Args('input') input: CreateVenueInput, @Context() ctx: EventsContext) {
    return this.venues.create(ctx.caller, input);
  }
}
