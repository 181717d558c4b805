import { describe, expect, it } from 'vitest';
import { boundingBox, distanceKm, NEAR_HALF_DISTANCE_KM, proximity, type Place } from './geo.js';

const berlin = { latitude: 52.52, longitude: 13.405 };
const paris = { latitude: 48.857, longitude: 2.352 };
const place = (city: string, weight: number, at: { latitude: number; longitude: number } | null): Place => ({
  city,
  key: city.toLowerCase(),
  weight,
  latitude: at?.latitude ?? null,
  longitude: at?.longitude ?? null,
});

describe('distanceKm', () => {
  it('is the great-circle distance', () => {
    expect(distanceKm(berlin, paris)).toBeCloseTo(877.5, 0);
    expect(distanceKm(berlin, berlin)).toBe(0);
    expect(distanceKm(paris, berlin)).toBeCloseTo(distanceKm(berlin, paris), 9);
  });
});

describe('proximity', () => {
  const places = [place('Berlin', 4, berlin), place('Paris', 2, paris)];

  it('halves every 25 km from a place, scaled by how much the user goes there', () => {
    expect(proximity(places, { city: 'Berlin', ...berlin })).toEqual({ value: 1, place: places[0] });
    const east = {
      city: 'Frankfurt (Oder)',
      latitude: 52.52,
      longitude: 13.405 + 25 / (111.32 * Math.cos((52.52 * Math.PI) / 180)),
    };
    expect(proximity(places, east).value).toBeCloseTo(0.5, 2);
    // Paris is the weaker place: half as strong right there.
    expect(proximity(places, { city: 'Paris', ...paris })).toEqual({ value: 0.5, place: places[1] });
    expect(proximity(places, { city: 'Tokyo', latitude: 35.68, longitude: 139.69 }).value).toBeLessThan(1e-9);
  });

  it('falls back to the city name when coordinates are missing, and is 0 without places', () => {
    const unlocated = [place('Leipzig', 1, null)];
    expect(proximity(unlocated, { city: ' leipzig', latitude: null, longitude: null }).value).toBe(1);
    expect(proximity(unlocated, { city: 'Leipzig', ...berlin }).value).toBe(1);
    expect(proximity(unlocated, { city: 'Dresden', latitude: null, longitude: null })).toEqual({ value: 0 });
    expect(proximity(places, { city: 'Nowhere', latitude: null, longitude: null })).toEqual({ value: 0 });
    expect(proximity([], { city: 'Berlin', ...berlin })).toEqual({ value: 0 });
  });

  it('boxes everything within four half distances', () => {
    const box = boundingBox(berlin);
    const edge = 4 * NEAR_HALF_DISTANCE_KM;
    expect(distanceKm(berlin, { latitude: box.maxLatitude, longitude: berlin.longitude })).toBeCloseTo(
      edge,
      0,
    );
    expect(distanceKm(berlin, { latitude: berlin.latitude, longitude: box.minLongitude })).toBeCloseTo(
      edge,
      0,
    );
  });
});
