import { byScoreThenStart, roundScore } from './signals.js';

/**
 * trendingEvents: the events with the most decayed views and sales of the last week (see
 * TRENDING_DECAY), topped up with the soonest upcoming ones so a fresh system still shows a list.
 */
export interface TrendingRow {
  id: string;
  startsAt: Date;
  /** Decayed views + 3 x purchases; 0 when nothing happened lately. */
  score: number;
}

/**
 * `trending` and `upcoming` may overlap and come in any order; the result is deterministic:
 * trending by score (then start, then id), then the rest by start (then id), no duplicates.
 */
export function mergeTrending(
  trending: readonly TrendingRow[],
  upcoming: readonly TrendingRow[],
  limit: number,
): string[] {
  const hot = trending
    .filter((row) => row.score > 0)
    .map((row) => ({ ...row, score: roundScore(row.score) }))
    .sort(byScoreThenStart);
  const rest = upcoming.map((row) => ({ ...row, score: 0 })).sort(byScoreThenStart);
  const ids: string[] = [];
  const seen = new Set<string>();
  for (const row of [...hot, ...rest]) {
    if (ids.length >= limit) break;
    if (seen.has(row.id)) continue;
    seen.add(row.id);
    ids.push(row.id);
  }
  return ids;
}
