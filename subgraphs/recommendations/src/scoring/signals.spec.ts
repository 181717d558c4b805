import { describe, expect, it } from 'vitest';
import {
  AFFINITY_DECAY,
  byScoreThenStart,
  decay,
  interactionWeight,
  normalizeCategories,
  roundScore,
} from './signals.js';

const DAY = 86_400_000;

describe('signals', () => {
  it('halves a weight every half-life and treats the future as now', () => {
    expect(decay(0, DAY)).toBe(1);
    expect(decay(DAY, DAY)).toBe(0.5);
    expect(decay(3 * DAY, DAY)).toBe(0.125);
    expect(decay(-5 * DAY, DAY)).toBe(1);
  });

  it('weighs a purchase three views, both fading with age', () => {
    const now = new Date('2030-01-31T00:00:00Z');
    expect(interactionWeight('VIEW', now, now, AFFINITY_DECAY)).toBe(1);
    expect(interactionWeight('PURCHASE', now, now, AFFINITY_DECAY)).toBe(3);
    const monthAgo = new Date(now.getTime() - 30 * DAY);
    expect(interactionWeight('PURCHASE', monthAgo, now, AFFINITY_DECAY)).toBeCloseTo(1.5, 12);
  });

  it('rounds away last-bit noise so equal sums compare equal', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(roundScore(0.1 + 0.2)).toBe(roundScore(0.3));
  });

  it('orders by score, then the sooner start, then the id', () => {
    const at = (d: string) => new Date(`2030-01-0${d}T00:00:00Z`);
    const rows = [
      { id: 'b', score: 0.5, startsAt: at('2') },
      { id: 'a', score: 0.5, startsAt: at('2') },
      { id: 'c', score: 0.5, startsAt: at('1') },
      { id: 'd', score: 0.9, startsAt: at('3') },
    ];
    expect([...rows].sort(byScoreThenStart).map((r) => r.id)).toEqual(['d', 'c', 'a', 'b']);
    expect(
      [...rows]
        .reverse()
        .sort(byScoreThenStart)
        .map((r) => r.id),
    ).toEqual(['d', 'c', 'a', 'b']);
  });

  it('normalizes categories: trimmed, lower-cased, once each, no blanks', () => {
    expect(normalizeCategories([' Jazz', 'jazz', 'ROCK ', '  '])).toEqual(['jazz', 'rock']);
  });
});
