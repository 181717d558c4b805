import { describe, expect, it } from 'vitest';
import { rankSimilar, similarity, SIMILARITY_WEIGHTS, type SimilarCandidate } from './similar.js';

const DAY = 86_400_000;
const start = new Date('2030-03-01T19:00:00Z');
const source = { id: 's', categories: ['jazz', 'blues'], city: 'Berlin', organizerId: 'o1', startsAt: start };
const other = (id: string, overrides: Partial<SimilarCandidate> = {}): SimilarCandidate => ({
  id,
  categories: [],
  city: 'Elsewhere',
  organizerId: 'o9',
  startsAt: new Date(start.getTime() + 60 * DAY),
  coBuyers: 0,
  ...overrides,
});

describe('similarity', () => {
  it('weighs shared categories most, then co-purchases, city, organizer and date', () => {
    const sameCategories = similarity(source, other('a', { categories: ['Blues', 'jazz'] }));
    const coBought = similarity(source, other('b', { coBuyers: 1000 }));
    const sameCity = similarity(source, other('c', { city: 'berlin' }));
    const sameOrganizer = similarity(source, other('d', { organizerId: 'o1' }));
    expect(sameCategories).toBeGreaterThan(coBought);
    expect(coBought).toBeGreaterThan(sameCity);
    expect(sameCity).toBeGreaterThan(sameOrganizer);
    const w = SIMILARITY_WEIGHTS;
    expect(w.categories + w.coPurchases + w.city + w.organizer + w.startDate).toBeCloseTo(1, 12);
  });

  it('is 1 for an identical twin on the same day with many co-buyers, and 0 when nothing relates', () => {
    expect(similarity(source, { ...source, id: 't', coBuyers: 1e9 })).toBeCloseTo(1, 6);
    // The same day alone does not make two events alike.
    expect(similarity(source, other('u', { startsAt: start }))).toBe(0);
  });

  it('prefers the closer date when all else is equal', () => {
    const near = similarity(source, other('n', { categories: ['jazz'], startsAt: start }));
    const far = similarity(source, other('f', { categories: ['jazz'] }));
    expect(near).toBeGreaterThan(far);
  });
});

describe('rankSimilar', () => {
  it('never returns the event itself, drops unrelated ones, ranks deterministically', () => {
    const candidates = [
      other('s', { categories: ['jazz', 'blues'] }),
      other('unrelated'),
      other('b', { categories: ['jazz'] }),
      other('a', { categories: ['jazz'] }),
      other('both', { categories: ['jazz', 'blues'] }),
      other('bought-together', { coBuyers: 3 }),
    ];
    const ranked = rankSimilar(source, candidates, 10);
    expect(ranked).toEqual(['both', 'a', 'b', 'bought-together']);
    expect(rankSimilar(source, [...candidates].reverse(), 10)).toEqual(ranked);
    expect(rankSimilar(source, candidates, 2)).toEqual(['both', 'a']);
  });
});
