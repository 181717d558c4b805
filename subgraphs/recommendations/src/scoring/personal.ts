import { proximity, type Located, type Place } from './geo.js';
import type { CategoryTaste, UserProfile } from './profile.js';
import { byScoreThenStart, clamp01, cityKey, normalizeCategories, roundScore } from './signals.js';

/**
 * recommendedEvents: a hybrid of the user's taste (categories, organizers, venues), what
 * buyers of their events also bought (item-item co-occurrence), how near the event is to
 * where they go, and what is popular. Pure: the repository supplies profile rows and candidates.
 */
export interface PersonalCandidate extends Located {
  id: string;
  categories: string[];
  organizerId: string;
  venueId: string;
  startsAt: Date;
  /**
   * Views (anyone's; a user's once a day) + 3 x purchases (not refunded), halving every 7 days;
   * 0 when nothing happened for 14 days (see POPULARITY_DECAY and db/activity.ts).
   */
  popularity: number;
  /** Purchases of this event on record (orders not refunded): how many bought it. */
  buyers: number;
  /** Per event the user bought: how many of its other buyers bought this one too. */
  coPurchases: { sourceId: string; coBuyers: number; sourceBuyers: number }[];
}

export interface Recommendation {
  eventId: string;
  score: number;
  reasons: string[];
}

export const COMPONENTS = [
  'category',
  'coPurchase',
  'proximity',
  'organizer',
  'popularity',
  'venue',
] as const;
export type Component = (typeof COMPONENTS)[number];
export type Weights = Record<Component, number>;

/** The blend for a user we know well; components without any signal hand their share to the rest. */
export const BASE_WEIGHTS: Weights = {
  category: 0.28,
  coPurchase: 0.15,
  proximity: 0.25,
  organizer: 0.1,
  popularity: 0.17,
  venue: 0.05,
};

/** 'popularity' ranks by popularity alone (the evaluation's baseline). */
export type Strategy = 'hybrid' | 'popularity';

/** The co-occurrence strength that counts as a full signal, however weak the best one is. */
const CO_PURCHASE_FLOOR = 0.2;
/** A contribution smaller than this adds to the score but is not worth a reason. */
const MIN_REASON_CONTRIBUTION = 0.02;
/** "Near X" only within about two half distances (50 km); "Popular in X" within one. */
const NEAR_REASON = 0.25;
const LOCAL_POPULARITY = 0.5;

const zero = (): Weights => ({
  category: 0,
  coPurchase: 0,
  proximity: 0,
  organizer: 0,
  popularity: 0,
  venue: 0,
});

/**
 * Weights summing to 1 (or all 0 when nothing is known at all), over the components that have
 * a signal. A thin profile leans on popularity: with evidence e (views 1, purchases 3), the
 * personal components keep e / (e + 1) of their share (one view: half, one purchase: 75 %,
 * nine views: 90 %).
 */
export function blendWeights(
  profile: UserProfile,
  signals: { coPurchase: boolean; popularity: boolean },
  strategy: Strategy = 'hybrid',
): Weights {
  const weights = zero();
  if (strategy === 'popularity') {
    weights.popularity = signals.popularity ? 1 : 0;
    return weights;
  }
  const available: Record<Component, boolean> = {
    category: profile.categories.length > 0,
    organizer: profile.organizers.length > 0,
    venue: profile.venues.length > 0,
    coPurchase: signals.coPurchase,
    proximity: profile.places.length > 0,
    popularity: signals.popularity,
  };
  const total = COMPONENTS.reduce((sum, c) => sum + (available[c] ? BASE_WEIGHTS[c] : 0), 0);
  if (total === 0) return weights;
  for (const c of COMPONENTS) weights[c] = available[c] ? BASE_WEIGHTS[c] / total : 0;
  if (signals.popularity) {
    const confidence = profile.evidence / (profile.evidence + 1);
    for (const c of COMPONENTS) {
      if (c === 'popularity') continue;
      weights.popularity += weights[c] * (1 - confidence);
      weights[c] *= confidence;
    }
  }
  return weights;
}

/** How strongly "people who bought X also bought this" holds: cosine, shrunk for tiny counts. */
export function coPurchaseStrength(pair: { coBuyers: number; sourceBuyers: number }, buyers: number) {
  const { coBuyers, sourceBuyers } = pair;
  if (coBuyers <= 0 || sourceBuyers <= 0 || buyers <= 0) return 0;
  const cosine = Math.min(1, coBuyers / Math.sqrt(sourceBuyers * buyers));
  return cosine * (coBuyers / (coBuyers + 1));
}

interface Part {
  component: Component;
  value: number;
  /** Built only for the events that make the list. */
  lines: () => string[];
}

export function recommend(
  profile: UserProfile,
  candidates: readonly PersonalCandidate[],
  limit: number,
  strategy: Strategy = 'hybrid',
): Recommendation[] {
  if (limit <= 0) return [];
  const tastes = new Map(profile.categories.map((t) => [t.category, t]));
  const organizers = new Map(profile.organizers.map((t) => [t.organizerId, t]));
  const venues = new Map(profile.venues.map((t) => [t.venueId, t]));
  const titles = new Map(profile.purchases.map((p) => [p.eventId, p.title]));
  const maxCategory = profile.categories[0]?.weight ?? 0;
  const maxOrganizer = profile.organizers[0]?.weight ?? 0;
  const maxVenue = profile.venues[0]?.weight ?? 0;

  // Co-occurrence per candidate (noisy OR over the user's purchases), scaled by the best.
  const coPurchases = new Map(
    candidates.map((c) => {
      if (c.coPurchases.length === 0) return [c.id, { strength: 0, source: undefined }] as const;
      let miss = 1;
      let best: { strength: number; sourceId: string } | undefined;
      for (const pair of [...c.coPurchases].sort((a, b) => (a.sourceId < b.sourceId ? -1 : 1))) {
        if (!titles.has(pair.sourceId)) continue;
        const strength = coPurchaseStrength(pair, c.buyers);
        miss *= 1 - strength;
        if (strength > 0 && (!best || strength > best.strength)) best = { strength, sourceId: pair.sourceId };
      }
      return [c.id, { strength: 1 - miss, source: best?.sourceId }] as const;
    }),
  );
  const maxCo = Math.max(0, ...[...coPurchases.values()].map((c) => c.strength));
  const maxPopularity = Math.max(0, ...candidates.map((c) => c.popularity));
  const weights = blendWeights(profile, { coPurchase: maxCo > 0, popularity: maxPopularity > 0 }, strategy);

  const scored = candidates.map((candidate) => {
    // Category affinity: the chance that at least one of the event's categories appeals.
    const matched = normalizeCategories(candidate.categories)
      .map((category) => tastes.get(category))
      .filter((t): t is CategoryTaste => t !== undefined)
      .sort((a, b) => b.weight - a.weight || (a.category < b.category ? -1 : 1));
    const category =
      maxCategory > 0 ? 1 - matched.reduce((miss, t) => miss * (1 - t.weight / maxCategory), 1) : 0;
    const organizerTaste = organizers.get(candidate.organizerId);
    const organizer = organizerTaste && maxOrganizer > 0 ? organizerTaste.weight / maxOrganizer : 0;
    const venueTaste = venues.get(candidate.venueId);
    const venue = venueTaste && maxVenue > 0 ? venueTaste.weight / maxVenue : 0;
    const co = coPurchases.get(candidate.id)!;
    const coPurchase = co.strength > 0 ? co.strength / Math.max(maxCo, CO_PURCHASE_FLOOR) : 0;
    const near = proximity(profile.places, candidate);
    // Popularity on a log scale: a hit should not flatten everything else to zero.
    const popularity =
      maxPopularity > 0 ? Math.log1p(Math.max(0, candidate.popularity)) / Math.log1p(maxPopularity) : 0;

    const part = (component: Component, value: number, lines: () => string[]): Part => ({
      component,
      value: roundScore(weights[component] * value),
      lines,
    });
    const coSource = co.source ? titles.get(co.source) : undefined;
    const parts = [
      part('category', category, () => matched.slice(0, 2).map(tasteReason)),
      part('coPurchase', coPurchase, () =>
        coSource ? [`People who bought ${coSource} also bought this`] : [],
      ),
      part('proximity', near.value, () =>
        near.place && near.value >= NEAR_REASON ? [nearReason(near.place, candidate)] : [],
      ),
      part('organizer', organizer, () =>
        organizerTaste ? [`From the organizer of ${organizerTaste.example}`] : [],
      ),
      part('popularity', popularity, () => [
        popularReason(near.value >= LOCAL_POPULARITY ? candidate.city : undefined),
      ]),
      part('venue', venue, () => (venueTaste?.name ? [venueReason(venueTaste)] : [])),
    ];
    const score = roundScore(clamp01(parts.reduce((sum, p) => sum + p.value, 0)));
    return { id: candidate.id, startsAt: candidate.startsAt, score, parts };
  });

  return scored
    .sort(byScoreThenStart)
    .slice(0, limit)
    .map(({ id, score, parts }) => ({ eventId: id, score, reasons: reasonsFrom(parts) }));
}

/**
 * The biggest contributions first (ties in component order), at most three lines; never empty.
 */
function reasonsFrom(parts: readonly Part[]): string[] {
  const lines = parts
    .filter((p) => p.value >= MIN_REASON_CONTRIBUTION)
    .sort((a, b) => b.value - a.value || COMPONENTS.indexOf(a.component) - COMPONENTS.indexOf(b.component))
    .flatMap((p) => p.lines());
  return lines.length > 0 ? lines.slice(0, 3) : ['Coming up soon'];
}

const article = (word: string) => (/^[aeiou]/i.test(word) ? 'an' : 'a');

/** "You bought tickets for a rock event", "You viewed 3 jazz events". */
export function tasteReason(taste: Pick<CategoryTaste, 'category' | 'viewed' | 'bought'>): string {
  const { category, viewed, bought } = taste;
  if (bought > 0) {
    return bought === 1
      ? `You bought tickets for ${article(category)} ${category} event`
      : `You bought tickets for ${bought} ${category} events`;
  }
  return viewed === 1
    ? `You viewed ${article(category)} ${category} event`
    : `You viewed ${viewed} ${category} events`;
}

/** "In Lisbon, where you usually go"; "Near Lisbon, ..." for an event in another city. */
export function nearReason(place: Place, event: Located): string {
  return `${place.key === cityKey(event.city) ? 'In' : 'Near'} ${place.city}, where you usually go`;
}

/** "At Blue Note, where you bought tickets before", "At Blue Note, like 2 events you viewed". */
export function venueReason(venue: { name: string; viewed: number; bought: number }): string {
  if (venue.bought > 0) return `At ${venue.name}, where you bought tickets before`;
  return `At ${venue.name}, like ${venue.viewed === 1 ? 'an event' : `${venue.viewed} events`} you viewed`;
}

export function popularReason(city?: string): string {
  return city ? `Popular in ${city} this week` : 'Popular this week';
}
