import {
  AFFINITY_DECAY,
  byScoreThenStart,
  clamp01,
  cityKey,
  interactionWeight,
  normalizeCategories,
  roundScore,
  type InteractionKind,
} from './signals.js';

/**
 * recommendedEvents, step 1: a user's taste for categories (and cities) from what they viewed
 * and bought, blended with what is popular. Pure: the repository supplies the rows.
 */

/** One (event, kind) of the user's history: when they last viewed or bought that event. */
export interface HistoryItem {
  eventId: string;
  kind: InteractionKind;
  lastAt: Date;
  categories: string[];
  city: string;
}

export interface CategoryTaste {
  category: string;
  /** Decayed weight: views 1, purchases 3, half-life 30 days; each event counted once per kind. */
  weight: number;
  /** Distinct events of this category the user viewed / bought tickets for. */
  viewed: number;
  bought: number;
}

export interface CityTaste {
  /** As the catalog spells it (from the user's most recent interaction there). */
  city: string;
  key: string;
  weight: number;
}

export interface UserProfile {
  /** Strongest first. */
  categories: CategoryTaste[];
  cities: CityTaste[];
}

export interface PersonalCandidate {
  id: string;
  categories: string[];
  city: string;
  startsAt: Date;
  /** Decayed views + 3 x purchases of the last 14 days (see POPULARITY_DECAY). */
  popularity: number;
}

export interface Recommendation {
  eventId: string;
  score: number;
  reasons: string[];
}

/** How the three signals are blended; each is in [0, 1] and the weights sum to 1. */
export function blendWeights(profile: UserProfile) {
  const affinity = profile.categories.length > 0 ? 0.7 : 0;
  const city = profile.cities.length === 0 ? 0 : affinity > 0 ? 0.1 : 0.3;
  return { affinity, popularity: 1 - affinity - city, city };
}

export function buildProfile(history: readonly HistoryItem[], now: Date): UserProfile {
  // The strongest signal per (event, kind): reloading a page a hundred times is still one view.
  const strongest = new Map<string, { item: HistoryItem; weight: number }>();
  for (const item of history) {
    const weight = interactionWeight(item.kind, item.lastAt, now, AFFINITY_DECAY);
    const key = `${item.eventId}/${item.kind}`;
    const known = strongest.get(key);
    if (!known || weight > known.weight) strongest.set(key, { item, weight });
  }
  const categories = new Map<string, CategoryTaste>();
  const cities = new Map<string, CityTaste & { lastAt: number }>();
  for (const { item, weight } of strongest.values()) {
    for (const category of normalizeCategories(item.categories)) {
      const taste = categories.get(category) ?? { category, weight: 0, viewed: 0, bought: 0 };
      taste.weight += weight;
      if (item.kind === 'VIEW') taste.viewed += 1;
      else taste.bought += 1;
      categories.set(category, taste);
    }
    const key = cityKey(item.city);
    if (!key) continue;
    const city = cities.get(key) ?? { city: item.city.trim(), key, weight: 0, lastAt: 0 };
    city.weight += weight;
    const at = item.lastAt.getTime();
    // The spelling of the latest interaction; equal times pick the smaller spelling.
    if (at > city.lastAt || (at === city.lastAt && item.city.trim() < city.city)) {
      city.city = item.city.trim();
      city.lastAt = at;
    }
    cities.set(key, city);
  }
  // Weights are rounded, so the order rows arrive in (the order of the sums) never matters.
  const settled = (weight: number) => Math.round(weight * 1e9) / 1e9;
  const strongestFirst =
    <T extends { weight: number }>(key: (t: T) => string) =>
    (a: T, b: T) =>
      b.weight - a.weight || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  return {
    categories: [...categories.values()]
      .map((t) => ({ ...t, weight: settled(t.weight) }))
      .filter((t) => t.weight > 0)
      .sort(strongestFirst((t) => t.category)),
    cities: [...cities.values()]
      .map(({ city, key, weight }) => ({ city, key, weight: settled(weight) }))
      .filter((c) => c.weight > 0)
      .sort(strongestFirst((c) => c.key)),
  };
}

/** What the candidate query needs: the categories and cities worth looking in. */
export function profileFocus(profile: UserProfile, categories = 10, cities = 5) {
  return {
    categories: profile.categories.slice(0, categories).map((t) => t.category),
    cities: profile.cities.slice(0, cities).map((c) => c.key),
  };
}

export function recommend(
  profile: UserProfile,
  candidates: readonly PersonalCandidate[],
  limit: number,
): Recommendation[] {
  const weights = blendWeights(profile);
  const maxCategory = profile.categories[0]?.weight ?? 0;
  const maxCity = profile.cities[0]?.weight ?? 0;
  const tastes = new Map(profile.categories.map((t) => [t.category, t]));
  const cityTastes = new Map(profile.cities.map((c) => [c.key, c]));
  const maxPopularity = Math.max(0, ...candidates.map((c) => c.popularity));

  const scored = candidates.map((candidate) => {
    // Affinity: the chance that at least one of the event's categories appeals (noisy OR).
    const matched = normalizeCategories(candidate.categories)
      .map((category) => tastes.get(category))
      .filter((t): t is CategoryTaste => t !== undefined)
      .sort((a, b) => b.weight - a.weight || (a.category < b.category ? -1 : 1));
    const affinity =
      maxCategory > 0 ? 1 - matched.reduce((miss, t) => miss * (1 - t.weight / maxCategory), 1) : 0;
    // Popularity on a log scale: a hit should not flatten everything else to zero.
    const popularity =
      maxPopularity > 0 ? Math.log1p(Math.max(0, candidate.popularity)) / Math.log1p(maxPopularity) : 0;
    const cityTaste = cityTastes.get(cityKey(candidate.city));
    const city = cityTaste && maxCity > 0 ? cityTaste.weight / maxCity : 0;
    const parts = [
      { value: weights.affinity * affinity, lines: matched.slice(0, 2).map(tasteReason) },
      {
        value: weights.popularity * popularity,
        lines: popularity > 0 ? [popularReason(cityTaste ? candidate.city : undefined)] : [],
      },
      {
        value: weights.city * city,
        lines: city > 0 && popularity === 0 ? [`Coming up in ${candidate.city}`] : [],
      },
    ];
    const score = roundScore(clamp01(parts.reduce((sum, p) => sum + p.value, 0)));
    return { id: candidate.id, startsAt: candidate.startsAt, score, parts };
  });

  return scored
    .sort(byScoreThenStart)
    .slice(0, limit)
    .map(({ id, score, parts }) => ({ eventId: id, score, reasons: reasonsFrom(parts) }));
}

/** The biggest contributions first, at most three lines; never empty. */
function reasonsFrom(parts: { value: number; lines: string[] }[]): string[] {
  const lines = parts
    .filter((p) => p.value > 0 && p.lines.length > 0)
    .sort((a, b) => roundScore(b.value) - roundScore(a.value))
    .flatMap((p) => p.lines);
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

export function popularReason(city?: string): string {
  return city ? `Popular in ${city} this week` : 'Popular this week';
}
