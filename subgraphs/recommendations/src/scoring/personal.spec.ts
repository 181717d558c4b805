import { describe, expect, it } from 'vitest';
import {
  blendWeights,
  buildProfile,
  profileFocus,
  recommend,
  tasteReason,
  type HistoryItem,
  type PersonalCandidate,
} from './personal.js';

const DAY = 86_400_000;
const now = new Date('2030-06-01T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY);
const inDays = (days: number) => new Date(now.getTime() + days * DAY);

const seen = (eventId: string, categories: string[], city = 'Berlin', at = now): HistoryItem => ({
  eventId,
  kind: 'VIEW',
  lastAt: at,
  categories,
  city,
});
const bought = (eventId: string, categories: string[], city = 'Berlin', at = now): HistoryItem => ({
  ...seen(eventId, categories, city, at),
  kind: 'PURCHASE',
});
const candidate = (
  id: string,
  categories: string[],
  popularity = 0,
  city = 'Hamburg',
  starts = 5,
): PersonalCandidate => ({
  id,
  categories,
  city,
  startsAt: inDays(starts),
  popularity,
});

describe('buildProfile', () => {
  it('weighs purchases 3, views 1, each event once per kind, fading with a 30-day half-life', () => {
    const profile = buildProfile(
      [
        seen('e1', ['jazz']),
        seen('e1', ['jazz'], 'Berlin', daysAgo(2)), // the same view again: counted once (the latest)
        seen('e2', ['Jazz ']),
        bought('e3', ['rock'], 'Berlin', daysAgo(30)),
        seen('e4', ['folk'], 'Munich', daysAgo(60)),
      ],
      now,
    );
    expect(profile.categories).toEqual([
      { category: 'jazz', weight: 2, viewed: 2, bought: 0 },
      { category: 'rock', weight: 1.5, viewed: 0, bought: 1 },
      { category: 'folk', weight: 0.25, viewed: 1, bought: 0 },
    ]);
    expect(profile.cities.map((c) => [c.city, c.weight])).toEqual([
      ['Berlin', 3.5],
      ['Munich', 0.25],
    ]);
    expect(profileFocus(profile, 2, 1)).toEqual({ categories: ['jazz', 'rock'], cities: ['berlin'] });
  });

  it('does not depend on the order rows arrive in', () => {
    const rows = [seen('a', ['x']), bought('b', ['y'], 'Paris', daysAgo(3)), seen('c', ['x', 'y'], 'paris')];
    expect(buildProfile([...rows].reverse(), now)).toEqual(buildProfile(rows, now));
  });
});

describe('recommend', () => {
  it('puts the preferred category first, then orders by popularity', () => {
    const profile = buildProfile(
      [seen('v1', ['jazz']), seen('v2', ['jazz']), seen('v3', ['jazz']), seen('v4', ['rock'])],
      now,
    );
    const ranked = recommend(
      profile,
      [
        candidate('rock-hit', ['rock'], 50),
        candidate('jazz-quiet', ['jazz'], 0),
        candidate('jazz-popular', ['jazz'], 10),
        candidate('pop-hit', ['pop'], 100),
      ],
      10,
    );
    expect(ranked.map((r) => r.eventId)).toEqual(['jazz-popular', 'jazz-quiet', 'rock-hit', 'pop-hit']);
    for (const r of ranked) {
      expect(r.score).toBeGreaterThanOrEqual(0);
      expect(r.score).toBeLessThanOrEqual(1);
    }
    expect(ranked[0]!.reasons).toEqual(['You viewed 3 jazz events', 'Popular this week']);
    expect(ranked[2]!.reasons[0]).toBe('You viewed a rock event');
    expect(ranked[3]!.reasons).toEqual(['Popular this week']);
  });

  it('lets a fresh purchase outweigh older views', () => {
    const profile = buildProfile(
      [
        seen('v1', ['jazz'], 'Berlin', daysAgo(40)),
        seen('v2', ['jazz'], 'Berlin', daysAgo(40)),
        bought('b1', ['indie']),
      ],
      now,
    );
    const ranked = recommend(profile, [candidate('j', ['jazz']), candidate('i', ['indie'])], 10);
    expect(ranked.map((r) => r.eventId)).toEqual(['i', 'j']);
    expect(ranked[0]!.reasons[0]).toBe('You bought tickets for an indie event');
  });

  it("starts cold from popularity, preferring the user's cities", () => {
    const cold = recommend(
      buildProfile([], now),
      [candidate('a', [], 1), candidate('b', [], 9), candidate('c', [])],
      10,
    );
    expect(cold.map((r) => r.eventId)).toEqual(['b', 'a', 'c']);
    expect(cold[0]!.score).toBe(1);
    expect(cold.map((r) => r.reasons)).toEqual([
      ['Popular this week'],
      ['Popular this week'],
      ['Coming up soon'],
    ]);

    // Known cities (events without categories): a popular event there beats a slightly more popular one elsewhere.
    const local = buildProfile([seen('x', [], 'Berlin')], now);
    expect(blendWeights(local)).toEqual({ affinity: 0, popularity: 0.7, city: 0.3 });
    const ranked = recommend(
      local,
      [
        candidate('far', [], 10, 'Paris'),
        candidate('near', [], 8, 'berlin'),
        candidate('near-quiet', [], 0, 'Berlin'),
      ],
      10,
    );
    expect(ranked.map((r) => r.eventId)).toEqual(['near', 'far', 'near-quiet']);
    expect(ranked[0]!.reasons).toEqual(['Popular in berlin this week']);
    expect(ranked[2]!.reasons).toEqual(['Coming up in Berlin']);
  });

  it('breaks ties by start time, then id, and is deterministic', () => {
    const profile = buildProfile([seen('v', ['jazz'])], now);
    const cands = [
      candidate('z', ['jazz'], 0, 'X', 3),
      candidate('y', ['jazz'], 0, 'X', 3),
      candidate('x', ['jazz'], 0, 'X', 9),
      candidate('w', ['jazz'], 0, 'X', 1),
    ];
    const first = recommend(profile, cands, 10);
    expect(first.map((r) => r.eventId)).toEqual(['w', 'y', 'z', 'x']);
    expect(recommend(profile, [...cands].reverse(), 10)).toEqual(first);
  });

  it('returns at most `limit`, and nothing for 0', () => {
    const cands = ['a', 'b', 'c'].map((id) => candidate(id, []));
    expect(recommend(buildProfile([], now), cands, 2)).toHaveLength(2);
    expect(recommend(buildProfile([], now), cands, 0)).toEqual([]);
    expect(recommend(buildProfile([], now), [], 5)).toEqual([]);
  });

  it('names at most two matching categories, strongest first, and three reasons in all', () => {
    const profile = buildProfile(
      [bought('b', ['rock']), seen('v1', ['jazz']), seen('v2', ['blues']), seen('v3', ['jazz'])],
      now,
    );
    const [top] = recommend(profile, [candidate('e', ['blues', 'jazz', 'rock'], 5, 'Berlin')], 1);
    expect(top!.reasons).toEqual([
      'You bought tickets for a rock event',
      'You viewed 2 jazz events',
      'Popular in Berlin this week',
    ]);
  });
});

describe('tasteReason', () => {
  it('speaks plainly', () => {
    expect(tasteReason({ category: 'jazz', viewed: 3, bought: 0 })).toBe('You viewed 3 jazz events');
    expect(tasteReason({ category: 'opera', viewed: 1, bought: 0 })).toBe('You viewed an opera event');
    expect(tasteReason({ category: 'rock', viewed: 4, bought: 1 })).toBe(
      'You bought tickets for a rock event',
    );
    expect(tasteReason({ category: 'rock', viewed: 0, bought: 2 })).toBe(
      'You bought tickets for 2 rock events',
    );
  });
});
