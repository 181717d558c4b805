import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import type { RecommendationsContext } from '../context.js';
import type { MutationRecordEventViewArgs } from '../generated/resolvers.js';
import { ViewsService } from './views.service.js';

@Resolver()
export class ViewsResolver {
  constructor(private readonly views: ViewsService) {}

  @Mutation('recordEventView')
  recordEventView(@Args() { eventId }: MutationRecordEventViewArgs, @Context() ctx: RecommendationsContext) {
    return this.views.recordView(ctx, eventId);
  }
}
