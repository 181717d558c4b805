import {
  Args,
  Context,
  Mutation,
  Parent,
  Query,
  ResolveField,
  ResolveReference,
  Resolver,
} from '@nestjs/graphql';
import type { EventsContext } from '../context.js';
import { VenuesService } from '../venues/venues.service.js';
import { DiscoveryService } from './discovery.service.js';
import type { EventFilterInput } from './event-filter.js';
import type { CreateEventInput, UpdateEventInput } from './event-input.js';
import type { EventRow } from './events.repository.js';
import { EventsService } from './events.service.js';

@Resolver('Event')
export class EventsResolver {
  constructor(
    private readonly events: EventsService,
    private readonly discovery: DiscoveryService,
    private readonly venues: VenuesService,
  ) {}

  @Query('event')
  event(@Args('id') id: string, @Context() ctx: EventsContext) {
    return this.discovery.byId(ctx, id);
  }

  @Query('events')
  list(
    @Args('filter') filter: EventFilterInput | null,
    @Args('first') first: number | null,
    @Args('after') after: string | null,
  ) {
    return this.discovery.catalogue(filter, first, after);
  }

  @ResolveReference()
  reference(@Parent() ref: { id: string }, @Context() ctx: EventsContext) {
    return this.discovery.byId(ctx, ref.id);
  }

  @ResolveField('venue')
  venue(@Parent() event: EventRow, @Context() ctx: EventsContext) {
    return this.venues.byId(ctx, event.venueId);
  }

  @ResolveField('organizer')
  organizer(@Parent() event: EventRow) {
    return { __typename: 'User', id: event.organizerId };
  }

  @Mutation('createEvent')
  create(@Args('input') input: CreateEventInput, @Context() ctx: EventsContext) {
    return this.events.create(ctx.caller, input);
  }

  @Mutation('updateEvent')
  update(@Args('id') id: string, @Args('input') input: UpdateEventInput, @Context() ctx: EventsContext) {
    return this.events.update(ctx.caller, id, input);
  }

  @Mutation('publishEvent')
  publish(@Args('id') id: string, @Context() ctx: EventsContext) {
    return this.events.publish(ctx.caller, id);
  }

  @Mutation('cancelEvent')
  cancel(@Args('id') id: string, @Args('reason') reason: string, @Context() ctx: EventsContext) {
    return this.events.cancel(ctx.caller, id, reason);
  }
}
