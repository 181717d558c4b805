import { Injectable } from '@nestjs/common';
import { forbidden, isId, unauthenticated } from '@marquee/subgraph-kit';
import { eventRef, type RecommendationsContext } from '../context.js';
import { listSize } from '../list-size.js';
import { buildProfile, profileFocus, recommend } from '../scoring/personal.js';
import { RecommendationsRepository } from './recommendations.repository.js';

/** Candidates per pool; enough for any `first` (at most 50) with room to rank. */
const POOL_SIZE = 200;

@Injectable()
export class RecommendationsService {
  constructor(private readonly repository: RecommendationsRepository) {}

  /** Two statements whatever the catalog size: the user's history, then the candidates. */
  async forUser({ caller, now }: RecommendationsContext, userId: string, first: number | null | undefined) {
    if (!caller.user) throw unauthenticated('Sign in to see your recommendations');
    if (caller.user.id !== userId) throw forbidden('Recommendations are visible to their user only');
    const limit = listSize(first, 10);
    if (limit === 0) return [];
    const knownUser = isId(userId) ? userId : null;
    const profile = buildProfile(knownUser ? await this.repository.history(knownUser, now) : [], now);
    const focus = profileFocus(profile);
    const candidates = await this.repository.candidates({
      userId: knownUser,
      now,
      ...focus,
      poolSize: POOL_SIZE,
    });
    return recommend(profile, candidates, limit).map(({ eventId, score, reasons }) => ({
      event: eventRef(eventId),
      score,
      reasons,
    }));
  }
}
