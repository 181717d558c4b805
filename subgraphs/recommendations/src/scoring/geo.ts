import { cityKey } from './signals.js';

/**
 * Where a user goes, and how near an event is to it. Pure: the profile supplies the places.
 */
export interface Place {
  /** As the catalog spells it (from the user's most recent interaction there). */
  city: string;
  key: string;
  /** Decayed interaction weight of the user's events in this city. */
  weight: number;
  /** The weighted centre of the user's venues there; null when none had coordinates. */
  latitude: number | null;
  longitude: number | null;
}

export interface Located {
  city: string;
  latitude: number | null;
  longitude: number | null;
}

/** An event this far from a place is half as "near" as one right there. */
export const NEAR_HALF_DISTANCE_KM = 25;

const EARTH_RADIUS_KM = 6371;
const toRadians = (degrees: number) => (degrees * Math.PI) / 180;

/** Great-circle distance (haversine). */
export function distanceKm(
  a: { latitude: number; longitude: number },
  b: { latitude: number; longitude: number },
): number {
  const dLat = toRadians(b.latitude - a.latitude);
  const dLon = toRadians(b.longitude - a.longitude);
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(toRadians(a.latitude)) * Math.cos(toRadians(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

const hasCoordinates = (p: { latitude: number | null; longitude: number | null }) =>
  p.latitude !== null && p.longitude !== null;

/** Kilometres between an event and a place; by city name alone when coordinates are missing. */
function separation(place: Place, event: Located): number {
  if (hasCoordinates(place) && hasCoordinates(event)) {
    return distanceKm(
      { latitude: place.latitude!, longitude: place.longitude! },
      { latitude: event.latitude!, longitude: event.longitude! },
    );
  }
  return place.key !== '' && place.key === cityKey(event.city) ? 0 : Number.POSITIVE_INFINITY;
}

/**
 * How near `event` is to where the user usually goes, in [0, 1]: for each place, its share of
 * the strongest place's weight times 0.5^(km / 25); the best place wins (ties: the stronger,
 * which comes first). `places` is strongest first, as the profile orders it.
 */
export function proximity(places: readonly Place[], event: Located): { value: number; place?: Place } {
  const strongest = places[0]?.weight ?? 0;
  if (strongest <= 0) return { value: 0 };
  let best: { value: number; place?: Place } = { value: 0 };
  for (const place of places) {
    const km = separation(place, event);
    if (!Number.isFinite(km)) continue;
    const value = (place.weight / strongest) * Math.pow(0.5, km / NEAR_HALF_DISTANCE_KM);
    if (value > best.value) best = { value, place };
  }
  return best;
}

/**
 * A box around a place wide enough to hold everything that scores noticeably (about 4 half
 * distances), for the candidate query's index-friendly pre-filter.
 */
export function boundingBox(place: { latitude: number; longitude: number }, km = 4 * NEAR_HALF_DISTANCE_KM) {
  const dLat = km / 111.32;
  const dLon = km / (111.32 * Math.max(0.01, Math.cos(toRadians(place.latitude))));
  return {
    minLatitude: place.latitude - dLat,
    maxLatitude: place.latitude + dLat,
    minLongitude: place.longitude - dLon,
    maxLongitude: place.longitude + dLon,
  };
}
