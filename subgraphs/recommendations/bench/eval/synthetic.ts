import type { InteractionKind } from '#src/scoring/signals.js';
import { createRandom, weightedSampler, type Random } from './random.js';

/**
 * A synthetic population with planted tastes, for the offline evaluation and the benchmark.
 * Every user has a home city, one or two favourite categories and one or two organizers they
 * are loyal to; events spread over cities, venues, categories and organizers and have an
 * appeal of their own (some are hits). Users pick events mostly by taste and partly at random
 * by appeal (popularity bias and noise), view them and buy some. Seeded: the same options
 * always give the same world.
 */
export interface WorldOptions {
  seed: number;
  now: Date;
  users: number;
  /** Events that have not started yet (what can be recommended). */
  futureEvents: number;
  /** Events of the last four months (history only). */
  pastEvents: number;
  organizers: number;
  /** Rows in `interactions` in all (signed-in rows first, then anonymous views fill up). */
  interactions: number;
  /** Hold out every user's last purchase (leave-last-out). */
  holdOut: boolean;
}

export interface SyntheticEvent {
  id: string;
  title: string;
  status: 'PUBLISHED' | 'DRAFT' | 'CANCELLED';
  categories: string[];
  organizerId: string;
  venueId: string;
  venueName: string;
  city: string;
  country: string;
  latitude: number;
  longitude: number;
  startsAt: Date;
  endsAt: Date;
  appeal: number;
}

export interface SyntheticInteraction {
  userId: string | null;
  eventId: string;
  kind: InteractionKind;
  occurredAt: Date;
  orderId: string | null;
}

export interface SyntheticUser {
  id: string;
  city: string;
  favourites: string[];
  organizers: string[];
}

export interface World {
  now: Date;
  events: SyntheticEvent[];
  users: SyntheticUser[];
  interactions: SyntheticInteraction[];
  /** user id -> the event of their held-out last purchase (not in `interactions`). */
  holdouts: Map<string, string>;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;

export const CITIES = [
  { name: 'Berlin', country: 'DE', latitude: 52.52, longitude: 13.405, size: 5 },
  { name: 'Lisbon', country: 'PT', latitude: 38.722, longitude: -9.139, size: 3 },
  { name: 'Paris', country: 'FR', latitude: 48.857, longitude: 2.352, size: 5 },
  { name: 'Madrid', country: 'ES', latitude: 40.417, longitude: -3.704, size: 4 },
  { name: 'Amsterdam', country: 'NL', latitude: 52.37, longitude: 4.895, size: 3 },
  { name: 'Vienna', country: 'AT', latitude: 48.208, longitude: 16.373, size: 3 },
  { name: 'Prague', country: 'CZ', latitude: 50.075, longitude: 14.438, size: 2 },
  { name: 'Copenhagen', country: 'DK', latitude: 55.676, longitude: 12.568, size: 2 },
] as const;

export const CATEGORIES = [
  'jazz',
  'rock',
  'techno',
  'classical',
  'theatre',
  'comedy',
  'food',
  'film',
  'art',
  'sports',
  'tech',
  'family',
] as const;

const VENUES_PER_CITY = 6;

/** How much a user's taste shapes their choices (the rest is appeal-driven noise). */
const TASTE_SHARE = 0.75;
/** Of the noise, how much stays in the user's own city (people hear of local hits first). */
const LOCAL_NOISE_SHARE = 0.6;
/** An event in another city is this much less likely to appeal (about 1 pick in 8 travels). */
const AWAY_FACTOR = 0.025;

export function generateWorld(options: WorldOptions): World {
  const random = createRandom(options.seed);
  const now = options.now.getTime();

  const venues = CITIES.flatMap((city) =>
    Array.from({ length: VENUES_PER_CITY }, (_, i) => ({
      id: random.uuid(),
      name: `${city.name} Hall ${i + 1}`,
      city,
      latitude: city.latitude + random.gaussian() * 0.03,
      longitude: city.longitude + random.gaussian() * 0.05,
    })),
  );
  const citySampler = weightedSampler(
    CITIES.map((c) => c.size),
    random,
  );
  const organizers = Array.from({ length: options.organizers }, () => {
    const specialty = random.pick(CATEGORIES);
    return {
      id: random.uuid(),
      city: CITIES[citySampler()]!,
      categories: random.chance(0.4) ? [specialty, random.pick(CATEGORIES)] : [specialty],
      // Some organizers run many events.
      activity: Math.exp(random.gaussian() * 0.7),
    };
  });
  const organizerSampler = weightedSampler(
    organizers.map((o) => o.activity),
    random,
  );

  const makeEvent = (future: boolean, n: number): SyntheticEvent => {
    const organizer = organizers[organizerSampler()]!;
    const city = random.chance(0.85) ? organizer.city : CITIES[citySampler()]!;
    const venue = random.pick(venues.filter((v) => v.city === city));
    const categories = [random.pick(organizer.categories)];
    if (random.chance(0.3)) categories.push(random.pick(CATEGORIES));
    const startsAt = future
      ? now + DAY + Math.floor(random.next() * 60 * DAY)
      : now - 120 * DAY + Math.floor(random.next() * 119 * DAY);
    const status = future && random.chance(0.03) ? random.pick(['DRAFT', 'CANCELLED'] as const) : 'PUBLISHED';
    return {
      id: random.uuid(),
      title: `${categories[0]} night ${n}`,
      status,
      categories: [...new Set(categories)],
      organizerId: organizer.id,
      venueId: venue.id,
      venueName: venue.name,
      city: city.name,
      country: city.country,
      latitude: Math.round(venue.latitude * 1e5) / 1e5,
      longitude: Math.round(venue.longitude * 1e5) / 1e5,
      startsAt: new Date(startsAt),
      endsAt: new Date(startsAt + 3 * HOUR),
      appeal: Math.exp(0.8 * random.gaussian()),
    };
  };
  const events = [
    ...Array.from({ length: options.futureEvents }, (_, i) => makeEvent(true, i)),
    ...Array.from({ length: options.pastEvents }, (_, i) => makeEvent(false, options.futureEvents + i)),
  ];
  const buyable = events.map((e) => e.status === 'PUBLISHED');
  const upcoming = events.map((e, i) => buyable[i]! && e.startsAt.getTime() > now);
  // Noise: anyone may pick anything, hits more often (popularity bias).
  const bySampler = weightedSampler(
    events.map((e, i) => (buyable[i] ? e.appeal : 0)),
    random,
  );

  const users: SyntheticUser[] = [];
  const interactions: SyntheticInteraction[] = [];
  const holdouts = new Map<string, string>();
  const signedInBudget = Math.floor(options.interactions * 0.93);
  const averagePicks = Math.max(1, (signedInBudget / Math.max(1, options.users)) * 0.62);
  for (let u = 0; u < options.users; u++) {
    const city = CITIES[citySampler()]!;
    const favourites = random.chance(0.5) ? pickDistinct(random, CATEGORIES, 2) : [random.pick(CATEGORIES)];
    const candidates = organizers.filter(
      (o) => o.categories.some((c) => favourites.includes(c)) && o.city === city,
    );
    const loyal = pickDistinct(random, candidates.length > 0 ? candidates : organizers, 2).map((o) => o.id);
    const user = { id: random.uuid(), city: city.name, favourites, organizers: loyal };
    users.push(user);

    const tasteSampler = weightedSampler(
      events.map((e, i) => {
        if (!buyable[i]) return 0;
        const fits = e.categories.some((c) => favourites.includes(c as (typeof CATEGORIES)[number]));
        const home = e.city === city.name ? 1 : AWAY_FACTOR;
        return e.appeal * (fits ? 5 : 0.3) * home * (loyal.includes(e.organizerId) ? 4 : 1);
      }),
      random,
    );
    const localSampler = weightedSampler(
      events.map((e, i) => (buyable[i] && e.city === city.name ? e.appeal : 0)),
      random,
    );
    const pickEvent = () =>
      random.chance(TASTE_SHARE)
        ? tasteSampler()
        : random.chance(LOCAL_NOISE_SHARE)
          ? localSampler()
          : bySampler();
    const seen = new Set<string>();
    const picks = random.int(1, Math.max(1, Math.round(2 * averagePicks - 1)));
    let latest = 0;
    for (let p = 0; p < picks; p++) {
      const event = events[pickEvent()];
      if (!event || seen.has(event.id)) continue;
      seen.add(event.id);
      // Before the event (or now), in the last 60 days.
      const until = Math.min(now - HOUR, event.startsAt.getTime() - HOUR);
      const at = until - Math.floor(random.next() * 60 * DAY);
      interactions.push({
        userId: user.id,
        eventId: event.id,
        kind: 'VIEW',
        occurredAt: new Date(at),
        orderId: null,
      });
      if (random.chance(0.25)) {
        const again = Math.min(until, at + DAY + Math.floor(random.next() * 5 * DAY));
        if (again - at >= DAY)
          interactions.push({
            userId: user.id,
            eventId: event.id,
            kind: 'VIEW',
            occurredAt: new Date(again),
            orderId: null,
          });
      }
      if (random.chance(0.4)) {
        const bought = Math.min(until, at + Math.floor(random.next() * 2 * DAY));
        latest = Math.max(latest, bought);
        interactions.push({
          userId: user.id,
          eventId: event.id,
          kind: 'PURCHASE',
          occurredAt: new Date(bought),
          orderId: random.uuid(),
        });
      }
    }
    // The last purchase: an upcoming event, bought after everything else (held out, or kept).
    for (let attempt = 0; attempt < 10; attempt++) {
      const index = pickEvent();
      const event = events[index];
      if (!event || !upcoming[index] || seen.has(event.id)) continue;
      const at = Math.max(latest + HOUR, now - 2 * DAY + Math.floor(random.next() * DAY));
      if (options.holdOut) holdouts.set(user.id, event.id);
      else
        interactions.push({
          userId: user.id,
          eventId: event.id,
          kind: 'PURCHASE',
          occurredAt: new Date(Math.min(at, now - 60_000)),
          orderId: random.uuid(),
        });
      break;
    }
  }
  interactions.splice(options.interactions);
  // The crowd: anonymous views of upcoming events, by appeal.
  while (interactions.length < options.interactions) {
    const index = bySampler();
    if (!upcoming[index]) continue;
    interactions.push({
      userId: null,
      eventId: events[index]!.id,
      kind: 'VIEW',
      occurredAt: new Date(now - Math.floor(random.next() * 14 * DAY)),
      orderId: null,
    });
  }
  return { now: options.now, events, users, interactions, holdouts };
}

function pickDistinct<T>(random: Random, items: readonly T[], count: number): T[] {
  return random.shuffle([...items]).slice(0, Math.min(count, items.length));
}
