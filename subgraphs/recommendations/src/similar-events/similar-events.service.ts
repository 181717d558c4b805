import { Injectable } from '@nestjs/common';
import { eventRef, type RecommendationsContext } from '../context.js';
import { listSize } from '../list-size.js';

@Injectable()
export class SimilarEventsService {
  /** Public: similar events are PUBLISHED ones, visible to anyone. */
  async similarTo({ loaders }: RecommendationsContext, eventId: string, first: number | null | undefined) {
    const limit = listSize(first, 5);
    if (limit === 0) return [];
    const ids = await loaders.similarEvents.load(eventId);
    return ids.slice(0, limit).map(eventRef);
  }
}
