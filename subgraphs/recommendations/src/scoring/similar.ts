import { byScoreThenStart, cityKey, decay, normalizeCategories, roundScore } from './signals.js';

/**
 * similarEvents: what an event has in common with others (content), plus what the people who
 * bought it also bought (co-occurrence). Pure: the repository supplies the rows.
 */
export interface SimilarityProfile {
  id: string;
  categories: string[];
  city: string;
  organizerId: string;
  startsAt: Date;
}

export interface SimilarCandidate extends SimilarityProfile {
  /** Distinct users who bought tickets for both events. */
  coBuyers: number;
}

/** Shared categories weigh most; the weights sum to 1, so a score is in [0, 1]. */
export const SIMILARITY_WEIGHTS = {
  categories: 0.45,
  coPurchases: 0.25,
  city: 0.12,
  organizer: 0.1,
  startDate: 0.08,
} as const;

const DAY_MS = 86_400_000;
/** Two events a month apart are half as "close in time" as two on the same day. */
const START_HALF_LIFE_MS = 30 * DAY_MS;

export function similarity(source: SimilarityProfile, candidate: SimilarCandidate): number {
  const mine = new Set(normalizeCategories(source.categories));
  const theirs = normalizeCategories(candidate.categories);
  const shared = theirs.filter((c) => mine.has(c)).length;
  const union = mine.size + theirs.length - shared;
  const categories = union > 0 ? shared / union : 0;
  // Saturates: 1 co-buyer -> 0.33, 2 -> 0.5, 8 -> 0.8. Independent of the other candidates.
  const coPurchases = candidate.coBuyers > 0 ? candidate.coBuyers / (candidate.coBuyers + 2) : 0;
  const city = cityKey(source.city) !== '' && cityKey(source.city) === cityKey(candidate.city) ? 1 : 0;
  const organizer = source.organizerId === candidate.organizerId ? 1 : 0;
  const related = shared > 0 || coPurchases > 0 || city > 0 || organizer > 0;
  if (!related) return 0; // being on a nearby date alone does not make two events alike
  const startDate = decay(
    Math.abs(source.startsAt.getTime() - candidate.startsAt.getTime()),
    START_HALF_LIFE_MS,
  );
  const w = SIMILARITY_WEIGHTS;
  return roundScore(
    w.categories * categories +
      w.coPurchases * coPurchases +
      w.city * city +
      w.organizer * organizer +
      w.startDate * startDate,
  );
}

/** The ids of the most similar events, never the event itself, most similar first. */
export function rankSimilar(
  source: SimilarityProfile,
  candidates: readonly SimilarCandidate[],
  limit: number,
): string[] {
  return candidates
    .filter((c) => c.id !== source.id)
    .map((c) => ({ id: c.id, startsAt: c.startsAt, score: similarity(source, c) }))
    .filter((c) => c.score > 0)
    .sort(byScoreThenStart)
    .slice(0, limit)
    .map((c) => c.id);
}
