import { Args, Context, Parent, ResolveField, ResolveReference, Resolver } from '@nestjs/graphql';
import type { RecommendationsContext } from '../context.js';
import type { EventSimilarEventsArgs } from '../generated/resolvers.js';
import { SimilarEventsService } from './similar-events.service.js';

@Resolver('Event')
export class SimilarEventsResolver {
  constructor(private readonly similar: SimilarEventsService) {}

  /** The events subgraph owns everything else about an event. */
  @ResolveReference()
  reference(@Parent() ref: { id: string }) {
    return { id: ref.id };
  }

  @ResolveField('similarEvents')
  similarEvents(
    @Parent() event: { id: string },
    @Args() { first }: EventSimilarEventsArgs,
    @Context() ctx: RecommendationsContext,
  ) {
    return this.similar.similarTo(ctx, event.id, first);
  }
}
