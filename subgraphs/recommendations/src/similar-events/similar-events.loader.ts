import DataLoader from 'dataloader';
import { isId } from '@marquee/subgraph-kit';
import { rankSimilar } from '../scoring/similar.js';
import { MAX_LIST_SIZE } from '../scoring/signals.js';
import type { SimilarEventsRepository } from './similar-events.repository.js';

/** Candidates considered per source event; `first` never exceeds 50. */
const POOL_SIZE = 100;

/**
 * One statement for every Event.similarEvents of a request (a list of events asking for
 * their similar events costs the same as one): each id maps to its ranked similar ids.
 */
export function createSimilarEventsLoader(repository: SimilarEventsRepository, now: Date) {
  return new DataLoader<string, string[]>(async (ids) => {
    const valid = [...new Set(ids.filter(isId))];
    const pools = valid.length > 0 ? await repository.pools(valid, now, POOL_SIZE) : new Map();
    return ids.map((id) => {
      const pool = pools.get(id);
      return pool ? rankSimilar(pool.source, pool.candidates, MAX_LIST_SIZE) : [];
    });
  });
}

export type SimilarEventsLoader = ReturnType<typeof createSimilarEventsLoader>;
