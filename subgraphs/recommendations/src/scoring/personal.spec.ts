import { describe, expect, it } from 'vitest';
import {
  BASE_WEIGHTS,
  blendWeights,
  coPurchaseStrength,
  nearReason,
  recommend,
  tasteReason,
  venueReason,
  type PersonalCandidate,
} from './personal.js';
import { buildProfile, EMPTY_PROFILE, type HistoryItem } from './profile.js';

const DAY = 86_400_000;
const now = new Date('2030-06-01T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY);
const inDays = (days: number) => new Date(now.getTime() + days * DAY);
const BERLIN = { city: 'Berlin', latitude: 52.52, longitude: 13.405 };
const HAMBURG = { city: 'Hamburg', latitude: 53.551, longitude: 9.994 };
const POTSDAM = { city: 'Potsdam', latitude: 52.39, longitude: 13.065 };

const seen = (eventId: string, categories: string[], more: Partial<HistoryItem> = {}): HistoryItem => ({
  eventId,
  kind: 'VIEW',
  lastAt: now,
  title: `Event ${eventId}`,
  categories,
  organizerId: `org-${eventId}`,
  venueId: `venue-${eventId}`,
  venueName: `Venue ${eventId}`,
  ...BERLIN,
  ...more,
});
const bought = (eventId: string, categories: string[], more: Partial<HistoryItem> = {}) =>
  seen(eventId, categories, { kind: 'PURCHASE', ...more });
const candidate = (id: string, more: Partial<PersonalCandidate> = {}): PersonalCandidate => ({
  id,
  categories: [],
  organizerId: `org-${id}`,
  venueId: `venue-${id}`,
  ...HAMBURG,
  startsAt: inDays(5),
  popularity: 0,
  buyers: 0,
  coPurchases: [],
  ...more,
});
const profileOf = (...items: HistoryItem[]) => buildProfile(items, now);
const idsOf = (recs: { eventId: string }[]) => recs.map((r) => r.eventId);

describe('blendWeights', () => {
  const sum = (w: Record<string, number>) => Object.values(w).reduce((a, b) => a + b, 0);

  it('is popularity alone for a user we know nothing about, and nothing when nothing is known', () => {
    expect(blendWeights(EMPTY_PROFILE, { coPurchase: false, popularity: true })).toMatchObject({
      popularity: 1,
      category: 0,
      proximity: 0,
    });
    expect(sum(blendWeights(EMPTY_PROFILE, { coPurchase: false, popularity: false }))).toBe(0);
    const known = profileOf(seen('a', ['jazz']));
    expect(blendWeights(known, { coPurchase: true, popularity: true }, 'popularity')).toMatchObject({
      popularity: 1,
      category: 0,
    });
  });

  it('hands the share of a missing signal to the others, and leans on popularity while the profile is thin', () => {
    const items = Array.from({ length: 9 }, (_, i) => seen(`e${i}`, ['jazz']));
    const rich = blendWeights(profileOf(...items), { coPurchase: true, popularity: true });
    expect(sum(rich)).toBeCloseTo(1, 12);
    expect(rich.category).toBeCloseTo(BASE_WEIGHTS.category * 0.9, 12); // 9 events: 90 % confidence
    const noCo = blendWeights(profileOf(...items), { coPurchase: false, popularity: true });
    expect(noCo.coPurchase).toBe(0);
    expect(noCo.category).toBeGreaterThan(rich.category);
    expect(sum(noCo)).toBeCloseTo(1, 12);
    const thin = blendWeights(profileOf(items[0]!), { coPurchase: false, popularity: true });
    expect(thin.popularity).toBeGreaterThan(0.5);
    expect(thin.category).toBeCloseTo(noCo.category * (0.5 / 0.9), 12);
  });
});

describe('coPurchaseStrength', () => {
  it('is a cosine of the buyer sets, shrunk while the overlap is tiny', () => {
    expect(coPurchaseStrength({ coBuyers: 0, sourceBuyers: 5 }, 5)).toBe(0);
    expect(coPurchaseStrength({ coBuyers: 4, sourceBuyers: 4 }, 4)).toBeCloseTo(0.8, 12);
    expect(coPurchaseStrength({ coBuyers: 1, sourceBuyers: 1 }, 1)).toBeCloseTo(0.5, 12);
    // A hit everybody buys says little about a small event's buyers.
    expect(coPurchaseStrength({ coBuyers: 4, sourceBuyers: 4 }, 400)).toBeCloseTo(0.08, 12);
  });
});

describe('recommend', () => {
  it('blends taste and popularity: the preferred category first, a big hit before a quiet match; scores in [0, 1]', () => {
    const profile = profileOf(
      seen('v1', ['jazz']),
      seen('v2', ['jazz']),
      seen('v3', ['jazz']),
      seen('v4', ['rock']),
    );
    const ranked = recommend(
      profile,
      [
        candidate('rock-hit', { categories: ['rock'], popularity: 50 }),
        candidate('jazz-quiet', { categories: ['jazz'] }),
        candidate('jazz-popular', { categories: ['jazz'], popularity: 10 }),
        candidate('pop-hit', { categories: ['pop'], popularity: 100 }),
      ],
      10,
    );
    expect(idsOf(ranked)).toEqual(['jazz-popular', 'rock-hit', 'pop-hit', 'jazz-quiet']);
    for (const r of ranked) expect(r.score).toBeGreaterThanOrEqual(0);
    expect(ranked[0]!.score).toBeLessThanOrEqual(1);
    expect(ranked[0]!.reasons).toEqual(['You viewed 3 jazz events', 'Popular this week']);
    expect(ranked[2]!.reasons).toEqual(['Popular this week']);
    expect(ranked[3]!.reasons).toEqual(['You viewed 3 jazz events']);
  });

  it('lets a fresh purchase outweigh older views', () => {
    const profile = profileOf(
      seen('v1', ['jazz'], { lastAt: daysAgo(40) }),
      seen('v2', ['jazz'], { lastAt: daysAgo(40) }),
      bought('b1', ['indie']),
    );
    const ranked = recommend(
      profile,
      [candidate('j', { categories: ['jazz'] }), candidate('i', { categories: ['indie'] })],
      10,
    );
    expect(idsOf(ranked)).toEqual(['i', 'j']);
    expect(ranked[0]!.reasons).toEqual(['You bought tickets for an indie event']);
  });

  it('recommends what buyers of the user’s events bought, naming the event', () => {
    const profile = profileOf(
      bought('indie', ['indie'], { title: 'Indie Night' }),
      bought('other', ['indie']),
    );
    const co = (coBuyers: number) => [{ sourceId: 'indie', coBuyers, sourceBuyers: 4 }];
    const ranked = recommend(
      profile,
      [
        candidate('plain', { categories: ['poetry'] }),
        candidate('weak', { categories: ['poetry'], coPurchases: co(1), buyers: 4 }),
        candidate('strong', { categories: ['poetry'], coPurchases: co(4), buyers: 4 }),
        // Co-purchase counts for events the user no longer holds a purchase of are ignored.
        candidate('refunded', {
          categories: ['poetry'],
          coPurchases: [{ sourceId: 'gone', coBuyers: 9, sourceBuyers: 9 }],
          buyers: 9,
        }),
      ],
      10,
    );
    expect(idsOf(ranked)).toEqual(['strong', 'weak', 'plain', 'refunded']);
    expect(ranked[0]!.reasons).toEqual(['People who bought Indie Night also bought this']);
    expect(ranked[2]!.reasons).toEqual(['Coming up soon']);
  });

  it('learns organizers and venues and says so with what the user knows', () => {
    const profile = profileOf(
      seen('a', ['jazz'], { organizerId: 'o', venueId: 'bn', venueName: 'Blue Note', title: 'Late Set' }),
      seen('b', ['jazz'], { organizerId: 'o', venueId: 'bn', venueName: 'Blue Note', lastAt: daysAgo(5) }),
    );
    const ranked = recommend(
      profile,
      [
        candidate('by-organizer', { organizerId: 'o' }),
        candidate('at-venue', { venueId: 'bn' }),
        candidate('unnamed-venue', { venueId: 'venue-a', startsAt: inDays(6) }),
      ],
      10,
    );
    expect(idsOf(ranked)).toEqual(['by-organizer', 'at-venue', 'unnamed-venue']);
    expect(ranked[0]!.reasons).toEqual(['From the organizer of Late Set']);
    expect(ranked[1]!.reasons).toEqual(['At Blue Note, like 2 events you viewed']);
  });

  it('prefers what is near the places the user goes to', () => {
    const profile = profileOf(seen('a', ['talk']), seen('b', ['talk']));
    const ranked = recommend(
      profile,
      [candidate('hamburg'), candidate('berlin', BERLIN), candidate('potsdam', POTSDAM)],
      10,
    );
    expect(idsOf(ranked)).toEqual(['berlin', 'potsdam', 'hamburg']);
    expect(ranked.map((r) => r.reasons)).toEqual([
      ['In Berlin, where you usually go'],
      ['Near Berlin, where you usually go'], // 26 km
      ['Coming up soon'], // 255 km: too far to say "near"
    ]);
  });

  it('starts cold from popularity, near the user when it knows where they go', () => {
    const cold = recommend(
      EMPTY_PROFILE,
      [candidate('a', { popularity: 1 }), candidate('b', { popularity: 9 }), candidate('c')],
      10,
    );
    expect(idsOf(cold)).toEqual(['b', 'a', 'c']);
    expect(cold[0]!.score).toBe(1);
    expect(cold.map((r) => r.reasons)).toEqual([
      ['Popular this week'],
      ['Popular this week'],
      ['Coming up soon'],
    ]);

    const local = profileOf(seen('x', [], { organizerId: 'o-x', venueId: 'v-x' }));
    const ranked = recommend(
      local,
      [
        candidate('far', { popularity: 10 }),
        candidate('near', { ...BERLIN, popularity: 8 }),
        candidate('near-quiet', BERLIN),
      ],
      10,
    );
    expect(idsOf(ranked)).toEqual(['near', 'far', 'near-quiet']);
    expect(ranked[0]!.reasons).toEqual(['Popular in Berlin this week', 'In Berlin, where you usually go']);
  });

  it('names at most two matching categories, strongest first, and three reasons in all', () => {
    const profile = profileOf(
      bought('b', ['rock']),
      seen('v1', ['jazz']),
      seen('v2', ['blues']),
      seen('v3', ['jazz']),
    );
    const [top] = recommend(
      profile,
      [candidate('e', { categories: ['blues', 'jazz', 'rock'], ...BERLIN })],
      1,
    );
    expect(top!.reasons).toEqual([
      'You bought tickets for a rock event',
      'You viewed 2 jazz events',
      'In Berlin, where you usually go',
    ]);
  });

  it('breaks ties by start time, then id, and is deterministic', () => {
    const profile = profileOf(seen('v', ['jazz']));
    const cands = [
      candidate('z', { categories: ['jazz'], startsAt: inDays(3) }),
      candidate('y', { categories: ['jazz'], startsAt: inDays(3) }),
      candidate('x', { categories: ['jazz'], startsAt: inDays(9) }),
      candidate('w', { categories: ['jazz'], startsAt: inDays(1) }),
    ];
    const first = recommend(profile, cands, 10);
    expect(idsOf(first)).toEqual(['w', 'y', 'z', 'x']);
    expect(recommend(profile, [...cands].reverse(), 10)).toEqual(first);
  });

  it('returns at most `limit`, and nothing for 0', () => {
    const cands = ['a', 'b', 'c'].map((id) => candidate(id));
    expect(recommend(EMPTY_PROFILE, cands, 2)).toHaveLength(2);
    expect(recommend(EMPTY_PROFILE, cands, 0)).toEqual([]);
    expect(recommend(EMPTY_PROFILE, [], 5)).toEqual([]);
  });
});

describe('reasons', () => {
  it('speak plainly', () => {
    expect(tasteReason({ category: 'jazz', viewed: 3, bought: 0 })).toBe('You viewed 3 jazz events');
    expect(tasteReason({ category: 'opera', viewed: 1, bought: 0 })).toBe('You viewed an opera event');
    expect(tasteReason({ category: 'rock', viewed: 4, bought: 1 })).toBe(
      'You bought tickets for a rock event',
    );
    expect(tasteReason({ category: 'rock', viewed: 0, bought: 2 })).toBe(
      'You bought tickets for 2 rock events',
    );
    expect(venueReason({ name: 'Moods', viewed: 1, bought: 0 })).toBe('At Moods, like an event you viewed');
    expect(venueReason({ name: 'Moods', viewed: 3, bought: 1 })).toBe(
      'At Moods, where you bought tickets before',
    );
    const lisbon = { city: 'Lisbon', key: 'lisbon', weight: 1, latitude: null, longitude: null };
    expect(nearReason(lisbon, { city: 'lisbon ', latitude: null, longitude: null })).toBe(
      'In Lisbon, where you usually go',
    );
    expect(nearReason(lisbon, { city: 'Sintra', latitude: null, longitude: null })).toBe(
      'Near Lisbon, where you usually go',
    );
  });
});
