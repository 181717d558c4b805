import { describe, expect, it } from 'vitest';
import { mergeTrending } from './trending.js';

const at = (day: number) => new Date(Date.UTC(2030, 0, day));

describe('mergeTrending', () => {
  it('lists trending events by score, then fills with the soonest others, without duplicates', () => {
    const trending = [
      { id: 'warm', startsAt: at(9), score: 2 },
      { id: 'hot', startsAt: at(20), score: 7.5 },
      { id: 'warm-too', startsAt: at(3), score: 2 },
    ];
    const upcoming = [
      { id: 'warm-too', startsAt: at(3), score: 2 },
      { id: 'later', startsAt: at(5), score: 0 },
      { id: 'soon', startsAt: at(1), score: 0 },
    ];
    expect(mergeTrending(trending, upcoming, 10)).toEqual(['hot', 'warm-too', 'warm', 'soon', 'later']);
    expect(mergeTrending(trending, upcoming, 4)).toEqual(['hot', 'warm-too', 'warm', 'soon']);
    expect(mergeTrending(trending, upcoming, 0)).toEqual([]);
  });

  it('is the soonest events on a system without activity', () => {
    const upcoming = [
      { id: 'b', startsAt: at(2), score: 0 },
      { id: 'a', startsAt: at(2), score: 0 },
      { id: 'c', startsAt: at(1), score: 0 },
    ];
    expect(mergeTrending([], upcoming, 10)).toEqual(['c', 'a', 'b']);
  });
});
