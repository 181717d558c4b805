import { badInput } from '@marquee/subgraph-kit';
import type { EventFilter } from '../generated/resolvers.js';
import { checkCoordinates } from '../venues/venue-input.js';

/** A checked filter: blank strings dropped, category lower-cased. */
export interface EventSearch {
  search?: string;
  category?: string;
  city?: string;
  startsAfter?: Date;
  startsBefore?: Date;
  near?: { latitude: number; longitude: number; radiusKm: number };
}

export const MAX_RADIUS_KM = 20_000;

export function normaliseFilter(input: EventFilter | null | undefined): EventSearch {
  const filter: EventSearch = {};
  if (!input) return filter;
  const text = (value: string | null | undefined, field: string, max: number) => {
    const trimmed = value?.trim();
    if (trimmed && trimmed.length > max) throw badInput(`${field} must be at most ${max} characters`, field);
    return trimmed || undefined;
  };
  const search = text(input.search, 'search', 200);
  const category = text(input.category, 'category', 50)?.toLowerCase();
  const city = text(input.city, 'city', 100);
  if (search) filter.search = search;
  if (category) filter.category = category;
  if (city) filter.city = city;
  if (input.startsAfter) filter.startsAfter = input.startsAfter;
  if (input.startsBefore) filter.startsBefore = input.startsBefore;
  if (input.near) {
    const { latitude, longitude, radiusKm } = input.near;
    checkCoordinates(latitude, longitude, 'near.');
    if (!(Number.isFinite(radiusKm) && radiusKm > 0 && radiusKm <= MAX_RADIUS_KM)) {
      throw badInput(`radiusKm must be greater than 0 and at most ${MAX_RADIUS_KM}`, 'near.radiusKm');
    }
    filter.near = { latitude, longitude, radiusKm };
  }
  return filter;
}
