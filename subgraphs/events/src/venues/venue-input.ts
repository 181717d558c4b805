import { badInput } from '@marquee/subgraph-kit';
import type { CreateVenueInput } from '../generated/resolvers.js';

export interface VenueFields {
  name: string;
  address: string;
  city: string;
  country: string;
  capacity: number;
  latitude: number | null;
  longitude: number | null;
}

const TEXT_LIMITS = { name: 200, address: 500, city: 100, country: 100 } as const;

/** Every field checked and trimmed; throws BAD_USER_INPUT naming the first bad field. */
export function validateVenue(input: CreateVenueInput): VenueFields {
  const text = (field: keyof typeof TEXT_LIMITS) => {
    const value = input[field].trim();
    if (value.length === 0 || value.length > TEXT_LIMITS[field]) {
      throw badInput(`${field} must be 1 to ${TEXT_LIMITS[field]} characters`, field);
    }
    return value;
  };
  const fields = {
    name: text('name'),
    address: text('address'),
    city: text('city'),
    country: text('country'),
  };
  if (!Number.isInteger(input.capacity) || input.capacity < 1 || input.capacity > 1_000_000) {
    throw badInput('capacity must be between 1 and 1000000', 'capacity');
  }
  const latitude = input.latitude ?? null;
  const longitude = input.longitude ?? null;
  if ((latitude === null) !== (longitude === null)) {
    throw badInput(
      'Give both latitude and longitude, or neither',
      latitude === null ? 'latitude' : 'longitude',
    );
  }
  checkCoordinates(latitude, longitude);
  return { ...fields, capacity: input.capacity, latitude, longitude };
}

/** Latitude -90..90 and longitude -180..180 (null passes); `prefix` qualifies the field name. */
export function checkCoordinates(latitude: number | null, longitude: number | null, prefix = '') {
  if (latitude !== null && !(Number.isFinite(latitude) && latitude >= -90 && latitude <= 90)) {
    throw badInput('latitude must be between -90 and 90', `${prefix}latitude`);
  }
  if (longitude !== null && !(Number.isFinite(longitude) && longitude >= -180 && longitude <= 180)) {
    throw badInput('longitude must be between -180 and 180', `${prefix}longitude`);
  }
}
