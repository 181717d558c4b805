import { Injectable } from '@nestjs/common';
import { forbidden, isId, unauthenticated } from '@marquee/subgraph-kit';
import { eventRef, type RecommendationsContext } from '../context.js';
import { listSize } from '../list-size.js';
import {
  recommend,
  type PersonalCandidate,
  type Recommendation,
  type Strategy,
} from '../scoring/personal.js';
import { buildProfile, EMPTY_PROFILE, profileFocus, type UserProfile } from '../scoring/profile.js';
import { RecommendationsRepository } from './recommendations.repository.js';

/** Candidates per pool; enough for any `first` (at most 50) with room to rank. */
const POOL_SIZE = 60;

@Injectable()
export class RecommendationsService {
  constructor(private readonly repository: RecommendationsRepository) {}

  /** The user themself only. */
  async forUser({ caller, now }: RecommendationsContext, userId: string, first: number | null | undefined) {
    if (!caller.user) throw unauthenticated('Sign in to see your recommendations');
    if (caller.user.id !== userId) throw forbidden('Recommendations are visible to their user only');
    const limit = listSize(first, 10);
    if (limit === 0) return [];
    const ranked = await this.rank(userId, now, limit);
    return ranked.map(({ eventId, score, reasons }) => ({ event: eventRef(eventId), score, reasons }));
  }

  /** The ranking itself, with no access check. */
  async rank(
    userId: string,
    now: Date,
    limit: number,
    strategy: Strategy = 'hybrid',
  ): Promise<Recommendation[]> {
    const { profile, candidates } = await this.inputs(userId, now);
    return recommend(profile, candidates, limit, strategy);
  }

  /**
   * What a ranking is computed from (the offline evaluation ranks the same inputs with every
   * strategy): two statements whatever the catalog size, the user's history, then candidates.
   */
  async inputs(
    userId: string,
    now: Date,
  ): Promise<{ profile: UserProfile; candidates: PersonalCandidate[] }> {
    const knownUser = isId(userId) ? userId : null;
    const profile = knownUser
      ? buildProfile(await this.repository.history(knownUser, now), now)
      : EMPTY_PROFILE;
    const candidates = await this.repository.candidates({
      userId: knownUser,
      now,
      focus: profileFocus(profile),
      poolSize: POOL_SIZE,
    });
    return { profile, candidates };
  }
}
