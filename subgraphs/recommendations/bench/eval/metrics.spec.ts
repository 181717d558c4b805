import { describe, expect, it } from 'vitest';
import { meanMetrics, scoreList } from './metrics.js';

describe('ranking metrics with one held-out item', () => {
  it('scores a hit by its rank', () => {
    const list = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
    expect(scoreList(list, 'a')).toEqual({ precisionAt5: 0.2, recallAt10: 1, ndcgAt10: 1 });
    expect(scoreList(list, 'c')).toEqual({ precisionAt5: 0.2, recallAt10: 1, ndcgAt10: 0.5 });
    expect(scoreList(list, 'f')).toEqual({ precisionAt5: 0, recallAt10: 1, ndcgAt10: 1 / Math.log2(7) });
    expect(scoreList(list, 'z')).toEqual({ precisionAt5: 0, recallAt10: 0, ndcgAt10: 0 });
    expect(scoreList([...list, 'k'], 'k')).toEqual({ precisionAt5: 0, recallAt10: 0, ndcgAt10: 0 });
  });

  it('averages over users, rounded to 6 places', () => {
    const hit = scoreList(['x'], 'x');
    const miss = scoreList(['y'], 'x');
    expect(meanMetrics([hit, miss, miss])).toEqual({
      precisionAt5: 0.066667,
      recallAt10: 0.333333,
      ndcgAt10: 0.333333,
    });
    expect(meanMetrics([])).toEqual({ precisionAt5: 0, recallAt10: 0, ndcgAt10: 0 });
  });
});
