import { Args, Context, Query, Resolver } from '@nestjs/graphql';
import type { RecommendationsContext } from '../context.js';
import { TrendingService } from './trending.service.js';

@Resolver()
export class TrendingResolver {
  constructor(private readonly trending: TrendingService) {}

  @Query('trendingEvents')
  trendingEvents(
    @Args('first') first: number | null,
    @Args('city') city: string | null,
    @Context() ctx: RecommendationsContext,
  ) {
    return this.trending.trending(ctx, first, city);
  }
}
