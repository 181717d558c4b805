import type { Place } from './geo.js';
import {
  AFFINITY_DECAY,
  cityKey,
  interactionWeight,
  KIND_WEIGHT,
  normalizeCategories,
  type InteractionKind,
} from './signals.js';

/**
 * A user's taste, learned from what they viewed and bought: categories, organizers, venues,
 * the places they go and the events they bought. Pure: the repository supplies the rows.
 */

/** One (event, kind) of the user's history: when they last viewed or bought that event. */
export interface HistoryItem {
  eventId: string;
  kind: InteractionKind;
  lastAt: Date;
  title: string;
  categories: string[];
  organizerId: string;
  venueId: string;
  /** '' when the catalog does not know it. */
  venueName: string;
  city: string;
  latitude: number | null;
  longitude: number | null;
}

/** Decayed weight (views 1, purchases 3, half-life 30 days) and distinct events per kind. */
interface Engagement {
  weight: number;
  viewed: number;
  bought: number;
}

export interface CategoryTaste extends Engagement {
  category: string;
}

export interface OrganizerTaste extends Engagement {
  organizerId: string;
  /** The title of the user's strongest event by this organizer (we never learn their name). */
  example: string;
}

export interface VenueTaste extends Engagement {
  venueId: string;
  /** '' when unknown. */
  name: string;
}

export interface PurchasedEvent {
  eventId: string;
  title: string;
}

export interface UserProfile {
  /**
   * How much we know about the user: each (event, kind) of the history counts its kind's
   * weight, undecayed (a view 1, a purchase 3).
   */
  evidence: number;
  /** Each list strongest first, ties by key. */
  categories: CategoryTaste[];
  organizers: OrganizerTaste[];
  venues: VenueTaste[];
  places: Place[];
  /** Events the user holds (not refunded) purchases of, most recent first. */
  purchases: PurchasedEvent[];
}

export const EMPTY_PROFILE: UserProfile = {
  evidence: 0,
  categories: [],
  organizers: [],
  venues: [],
  places: [],
  purchases: [],
};

interface Weighted {
  item: HistoryItem;
  weight: number;
}

/** Weights are rounded, so the order rows arrive in (the order of the sums) never matters. */
const settled = (weight: number) => Math.round(weight * 1e9) / 1e9;
const compareKeys = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** Strongest first; the smaller key breaks ties. */
const strongestFirst = (a: { weight: number; key: string }, b: { weight: number; key: string }) =>
  b.weight - a.weight || compareKeys(a.key, b.key);

function engage<T extends Engagement>(taste: T, { item, weight }: Weighted): T {
  taste.weight += weight;
  if (item.kind === 'VIEW') taste.viewed += 1;
  else taste.bought += 1;
  return taste;
}

function ranked<T extends Engagement>(tastes: Map<string, T>): T[] {
  return [...tastes.entries()]
    .map(([key, t]) => ({ key, taste: { ...t, weight: settled(t.weight) } }))
    .filter((t) => t.taste.weight > 0)
    .sort((a, b) => strongestFirst({ ...a.taste, key: a.key }, { ...b.taste, key: b.key }))
    .map((t) => t.taste);
}

export function buildProfile(history: readonly HistoryItem[], now: Date): UserProfile {
  // The strongest signal per (event, kind): reloading a page a hundred times is still one view.
  const strongest = new Map<string, Weighted>();
  for (const item of history) {
    const weight = interactionWeight(item.kind, item.lastAt, now, AFFINITY_DECAY);
    const key = `${item.eventId}/${item.kind}`;
    const known = strongest.get(key);
    if (!known || weight > known.weight) strongest.set(key, { item, weight });
  }
  // A stable order whatever the input order: the sums below are then always the same.
  const signals = [...strongest.entries()].sort(([a], [b]) => compareKeys(a, b)).map(([, s]) => s);

  const categories = new Map<string, CategoryTaste>();
  const organizers = new Map<string, OrganizerTaste & { exampleWeight: number }>();
  const venues = new Map<string, VenueTaste>();
  const places = new Map<string, Place & { lastAt: number; located: number; lat: number; lon: number }>();
  const purchases = new Map<string, PurchasedEvent & { lastAt: number }>();
  for (const signal of signals) {
    const { item, weight } = signal;
    for (const category of normalizeCategories(item.categories)) {
      const taste = categories.get(category) ?? { category, weight: 0, viewed: 0, bought: 0 };
      categories.set(category, engage(taste, signal));
    }

    const organizer = organizers.get(item.organizerId) ?? {
      organizerId: item.organizerId,
      weight: 0,
      viewed: 0,
      bought: 0,
      example: item.title,
      exampleWeight: -1,
    };
    if (weight > organizer.exampleWeight) {
      organizer.example = item.title;
      organizer.exampleWeight = weight;
    }
    organizers.set(item.organizerId, engage(organizer, signal));

    const venue = venues.get(item.venueId) ?? {
      venueId: item.venueId,
      name: item.venueName.trim(),
      weight: 0,
      viewed: 0,
      bought: 0,
    };
    venues.set(item.venueId, engage(venue, signal));

    if (item.kind === 'PURCHASE') {
      const at = item.lastAt.getTime();
      const known = purchases.get(item.eventId);
      if (!known || at > known.lastAt)
        purchases.set(item.eventId, { eventId: item.eventId, title: item.title, lastAt: at });
    }

    const key = cityKey(item.city);
    if (!key) continue;
    const place = places.get(key) ?? {
      city: item.city.trim(),
      key,
      weight: 0,
      latitude: null,
      longitude: null,
      lastAt: 0,
      located: 0,
      lat: 0,
      lon: 0,
    };
    place.weight += weight;
    if (item.latitude !== null && item.longitude !== null) {
      place.located += weight;
      place.lat += weight * item.latitude;
      place.lon += weight * item.longitude;
    }
    const at = item.lastAt.getTime();
    // The spelling of the latest interaction; equal times pick the smaller spelling.
    if (at > place.lastAt || (at === place.lastAt && item.city.trim() < place.city)) {
      place.city = item.city.trim();
      place.lastAt = at;
    }
    places.set(key, place);
  }

  return {
    evidence: signals.reduce((sum, s) => sum + KIND_WEIGHT[s.item.kind], 0),
    categories: ranked(categories),
    organizers: ranked(organizers).map(({ exampleWeight: _, ...taste }) => taste),
    venues: ranked(venues),
    places: [...places.values()]
      .map((p) => ({
        city: p.city,
        key: p.key,
        weight: settled(p.weight),
        latitude: p.located > 0 ? settled(p.lat / p.located) : null,
        longitude: p.located > 0 ? settled(p.lon / p.located) : null,
      }))
      .filter((p) => p.weight > 0)
      .sort(strongestFirst),
    purchases: [...purchases.values()]
      .sort((a, b) => b.lastAt - a.lastAt || compareKeys(a.eventId, b.eventId))
      .map(({ eventId, title }) => ({ eventId, title })),
  };
}

/** What the candidate query needs: where to look, bounded. */
export function profileFocus(profile: UserProfile) {
  return {
    categories: profile.categories.slice(0, 10).map((t) => t.category),
    organizers: profile.organizers.slice(0, 10).map((t) => t.organizerId),
    venues: profile.venues.slice(0, 10).map((t) => t.venueId),
    places: profile.places.slice(0, 5),
    purchases: profile.purchases.slice(0, 50).map((p) => p.eventId),
  };
}

export type ProfileFocus = ReturnType<typeof profileFocus>;
