import { Args, Context, Parent, ResolveField, ResolveReference, Resolver } from '@nestjs/graphql';
import type { RecommendationsContext } from '../context.js';
import type { UserRecommendedEventsArgs } from '../generated/resolvers.js';
import { RecommendationsService } from './recommendations.service.js';

@Resolver('User')
export class RecommendationsResolver {
  constructor(private readonly recommendations: RecommendationsService) {}

  /** The users subgraph owns everything else about a user. */
  @ResolveReference()
  reference(@Parent() ref: { id: string }) {
    return { id: ref.id };
  }

  @ResolveField('recommendedEvents')
  recommendedEvents(
    @Parent() user: { id: string },
    @Args() { first }: UserRecommendedEventsArgs,
    @Context() ctx: RecommendationsContext,
  ) {
    return this.recommendations.forUser(ctx, user.id, first);
  }
}
