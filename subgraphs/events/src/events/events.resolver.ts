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
import type {
  MutationCancelEventArgs,
  MutationCreateEventArgs,
  MutationPublishEventArgs,
  MutationUpdateEventArgs,
  QueryEventArgs,
  QueryEventsArgs,
} from '../generated/resolvers.js';
import { VenuesService } from '../venues/venues.service.js';
import { DiscoveryService } from './discovery.service.js';
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
  event(@Args() { id }: QueryEventArgs, @Context() ctx: EventsContext) {
    return this.discovery.byId(ctx, id);
  }

  @Query('events')
  list(@Args() { filter, first, after }: QueryEventsArgs) {
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
  create(@Args() { input }: MutationCreateEventArgs, @Context() ctx: EventsContext) {
    return this.events.create(ctx.caller, input);
  }

  @Mutation('updateEvent')
  update(@Args() { id, input }: MutationUpdateEventArgs, @Context() ctx: EventsContext) {
    return this.events.update(ctx.caller, id, input);
  }

  @Mutation('publishEvent')
  publish(@Args() { id }: MutationPublishEventArgs, @Context() ctx: EventsContext) {
    return this.events.publish(ctx.caller, id);
  }

  @Mutation('cancelEvent')
  cancel(@Args() { id, reason }: MutationCancelEventArgs, @Context() ctx: EventsContext) {
    return this.events.cancel(ctx.caller, id, reason);
  }
}
