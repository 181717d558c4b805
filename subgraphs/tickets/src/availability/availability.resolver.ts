import {
  Args,
  Context,
  Parent,
  ResolveField,
  ResolveReference,
  Resolver,
  Subscription,
} from '@nestjs/graphql';
import { isId, notFound } from '@marquee/subgraph-kit';
import type { TicketsContext } from '../context.js';
import type { SubscriptionTicketAvailabilityChangedArgs } from '../generated/resolvers.js';
import { AvailabilityService, type Availability } from './availability.service.js';
import { LiveAvailability } from './live.js';

@Resolver('Event')
export class EventTicketsResolver {
  constructor(private readonly availability: AvailabilityService) {}

  @ResolveReference()
  reference(@Parent() ref: { id: string }) {
    return { id: ref.id };
  }

  @ResolveField('ticketTiers')
  ticketTiers(@Parent() event: { id: string }, @Context() ctx: TicketsContext) {
    return isId(event.id) ? ctx.loaders.tiersByEvent.load(event.id) : [];
  }

  @ResolveField('availability')
  forEvent(@Parent() event: { id: string }, @Context() ctx: TicketsContext) {
    if (!isId(event.id)) throw notFound('Event');
    return this.availability.forEvent(ctx, event.id);
  }
}

@Resolver('Availability')
export class AvailabilityResolver {
  constructor(private readonly live: LiveAvailability) {}

  @ResolveField('event')
  event(@Parent() availability: Availability) {
    return { __typename: 'Event', id: availability.eventId };
  }

  @Subscription('ticketAvailabilityChanged', { resolve: (payload: Availability) => payload })
  changed(@Args() { eventId }: SubscriptionTicketAvailabilityChangedArgs, @Context() ctx: TicketsContext) {
    if (!isId(eventId)) throw notFound('Event');
    return this.live.watch(ctx, eventId);
  }
}
