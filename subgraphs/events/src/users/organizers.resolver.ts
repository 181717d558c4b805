import { Args, Context, Parent, ResolveField, ResolveReference, Resolver } from '@nestjs/graphql';
import type { EventsContext } from '../context.js';
import type { UserOrganizedEventsArgs } from '../generated/resolvers.js';
import { DiscoveryService } from '../events/discovery.service.js';

/** events contributes User.organizedEvents; the users subgraph owns everything else about a User. */
@Resolver('User')
export class OrganizersResolver {
  constructor(private readonly discovery: DiscoveryService) {}

  @ResolveReference()
  reference(@Parent() ref: { id: string }) {
    return { id: ref.id };
  }

  @ResolveField('organizedEvents')
  organizedEvents(
    @Parent() user: { id: string },
    @Args() { first, after }: UserOrganizedEventsArgs,
    @Context() ctx: EventsContext,
  ) {
    return this.discovery.organizedEvents(ctx, user.id, first, after);
  }
}
