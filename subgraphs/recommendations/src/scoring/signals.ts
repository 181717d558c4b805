/**
 * The signals every ranking shares: how much an interaction weighs, how fast it fades, and
 * how ties are broken. Pure: no clock, no I/O (callers pass `now`).
 */
export type InteractionKind = 'VIEW' | 'PURCHASE';

/** A purchase says more about a taste than a view. */
export const KIND_WEIGHT: Readonly<Record<InteractionKind, number>> = { VIEW: 1, PURCHASE: 3 };

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * How fast a signal loses weight, and its window: a taste reads the interactions inside it; an
 * activity counter (popularity, trend) counts as 0 once the event's latest activity is older.
 */
export interface DecaySpec {
  windowMs: number;
  halfLifeMs: number;
}

/** A user's taste: last half year, half the weight after a month. */
export const AFFINITY_DECAY: DecaySpec = { windowMs: 180 * DAY_MS, halfLifeMs: 30 * DAY_MS };
/** What people engage with lately (recommendedEvents): last two weeks, half-life one week. */
export const POPULARITY_DECAY: DecaySpec = { windowMs: 14 * DAY_MS, halfLifeMs: 7 * DAY_MS };
/** What is hot right now (trendingEvents): last week, half-life two days. */
export const TRENDING_DECAY: DecaySpec = { windowMs: 7 * DAY_MS, halfLifeMs: 2 * DAY_MS };

/** Lists never grow past this, whatever `first` asks for. */
export const MAX_LIST_SIZE = 50;

/** 1 for something that happened now, 0.5 one half-life ago; the future counts as now. */
export function decay(ageMs: number, halfLifeMs: number): number {
  return Math.pow(0.5, Math.max(0, ageMs) / halfLifeMs);
}

/** The weight of one interaction at `now`. */
export function interactionWeight(kind: InteractionKind, occurredAt: Date, now: Date, spec: DecaySpec) {
  return KIND_WEIGHT[kind] * decay(now.getTime() - occurredAt.getTime(), spec.halfLifeMs);
}

/**
 * Scores are rounded before they are compared or returned, so sums that Postgres adds up in
 * a different order (last-bit differences) can never reorder equal results.
 */
export function roundScore(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

export const clamp01 = (value: number) => Math.min(1, Math.max(0, value));

/** Higher score first; then the sooner event; then the id, so equal inputs give equal lists. */
export function byScoreThenStart(
  a: { score: number; startsAt: Date; id: string },
  b: { score: number; startsAt: Date; id: string },
): number {
  return (
    b.score - a.score ||
    a.startsAt.getTime() - b.startsAt.getTime() ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** Categories are matched trimmed and lower-cased, each once. */
export function normalizeCategories(categories: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const raw of categories) {
    const category = raw.trim().toLowerCase();
    if (category) seen.add(category);
  }
  return [...seen];
}

/** Cities are compared case-insensitively ("berlin" is Berlin). */
export const cityKey = (city: string) => city.trim().toLowerCase();
