import { Injectable } from '@nestjs/common';
import { badInput } from '@marquee/subgraph-kit';
import { eventRef, type RecommendationsContext } from '../context.js';
import { listSize } from '../list-size.js';
import { mergeTrending } from '../scoring/trending.js';
import { TrendingRepository } from './trending.repository.js';

@Injectable()
export class TrendingService {
  constructor(private readonly repository: TrendingRepository) {}

  /** Public. A blank city means everywhere. */
  async trending(
    { now }: RecommendationsContext,
    first: number | null | undefined,
    city: string | null | undefined,
  ) {
    const limit = listSize(first, 10);
    const place = city?.trim() || null;
    if (place && place.length > 200) throw badInput('city is too long', 'city');
    if (limit === 0) return [];
    const { trending, upcoming } = await this.repository.trending({ now, city: place, limit });
    return mergeTrending(trending, upcoming, limit).map(eventRef);
  }
}
