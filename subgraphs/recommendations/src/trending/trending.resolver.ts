import { Args, Context, Query, Resolver } from '@nestjs/graphql';
import type { RecommendationsContext } from '../context.js';
import type { QueryTrendingEventsArgs } from '../generated/resolvers.js';
import { TrendingService } from './trending.service.js';

@Resolver()
export class TrendingResolver {
  constructor(private readonly trending: TrendingService) {}

  @Query('trendingEvents')
  trendingEvents(@Args() { first, city }: QueryTrendingEventsArgs, @Context() ctx: RecommendationsContext) {
    return this.trending.trending(ctx, first, city);
  }
}
